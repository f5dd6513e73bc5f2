"""Agreements read from articles: parties, names, statuses, and what must not count."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from index.glossary import Expander, load_glossary
from index.ingest.articles import ArticleInfo, read_article
from index.ingest.sentences import sentence_spans
from index.pacts.agreement_corrections import apply_corrections, load_corrections
from index.pacts.agreement_reader import extract, status_of
from index.pacts.agreements import Agreement, AgreementMention, Status, agreements_of, summarise, timeline
from index.pacts.memberships import complete_memberships
from index.service import SearchService
from index.storage.build import build_index
from tests.conftest import FIXTURE_ARTICLES, KNOWLEDGE, SEED, SHARED
from tests.fakes import HashEmbedder

FIXTURES = FIXTURE_ARTICLES.parent / "agreements"
EXPANDER = Expander(load_glossary(KNOWLEDGE / "glossary.yaml"), {"GCAP": "Global Combat Air Programme"})
ARTICLE = ArticleInfo(id="test", title="Regional security roundup", published=dt.date(2024, 5, 1))


def mentions(*sentences: str, title: str | None = None) -> list[AgreementMention]:
    article = ARTICLE.model_copy(update={"title": title}) if title else ARTICLE
    return extract(article, [(n, s) for n, s in enumerate(sentences, start=1)], EXPANDER)


def pairs(found: list[AgreementMention]) -> list[tuple[str, ...]]:
    return [tuple(m.parties) for m in found]


def test_a_signed_bilateral_pact() -> None:
    (m,) = mentions("India and France signed a defence pact in Paris on Tuesday.")
    assert (m.parties, m.status, m.name, m.paragraph) == (["FRA", "IND"], "signed", "defence agreement", 1)
    assert m.quote == "India and France signed a defence pact in Paris on Tuesday."
    assert m.date == dt.date(2024, 5, 1)


def test_the_two_countries_are_the_pair_the_headline_names() -> None:
    found = mentions(
        "Officials gave no details.",
        "The two countries will begin talks on a logistics agreement next year.",
        title="Vietnam and Indonesia edge closer to defence pact",
    )
    assert pairs(found) == [("IDN", "VNM")] and found[0].status == "negotiating"


@pytest.mark.parametrize(
    "sentence",
    [
        "Ministers met in Germany to discuss the weather.",
        "Talks were held in London and Berlin.",
        "Brazil's football team beat Argentina on Sunday.",
        "The pact is meant to deter China.",
        "Japan said the deal would send a message to China.",
        "The US and its allies watched the Taiwan Strait.",
    ],
)
def test_sentences_that_are_no_agreement(sentence: str) -> None:
    assert mentions(sentence) == []


def test_places_and_deterred_countries_are_not_parties() -> None:
    found = mentions(
        "Officials in Tokyo praised the deal between Vietnam and Indonesia.",
        "India and Australia signed a pact to counter China's growing assertiveness in the South China Sea.",
        "Japan and the Philippines fear a conflict with China over Taiwan despite their agreement.",
        "The US welcomed the pact between Japan and the UK, which aims to boost co-operation with the US.",
    )
    assert pairs(found) == [("IDN", "VNM"), ("AUS", "IND"), ("JPN", "PHL"), ("GBR", "JPN")]
    assert all(c not in m.parties for m in found for c in ("CHN", "TWN"))


@pytest.mark.parametrize(
    ("sentence", "parties"),
    [
        # A place or a source, however it is worded before the name.
        (
            "Austin noted Kenya's partnership with the U.S. in countering al-Shabab, an Islamist militant "
            "group based in neighboring Somalia.",
            ("KEN", "USA"),
        ),
        # The threat the agreement answers, named after it.
        (
            "Biden and Yoon bolstered the U.S.-South Korean defense alliance in the face of growing nuclear "
            "threats posed by North Korea.",
            ("KOR", "USA"),
        ),
        ("Australia and Japan signed the treaty amid Beijing's growing assertiveness.", ("AUS", "JPN")),
        ("The UK and Germany agreed the pact at talks hosted in France.", ("DEU", "GBR")),
        ("Poland and South Korea sealed the arms deal as the invasion by Russia dragged on.", ("KOR", "POL")),
    ],
)
def test_the_parse_tells_parties_from_threats_and_places(sentence: str, parties: tuple[str, ...]) -> None:
    assert pairs(mentions(sentence)) == [parties]


@pytest.mark.parametrize(
    ("sentence", "parties"),
    [
        # Only reacting, or named as no party, is never being one.
        ("Seoul welcomed the deal between Japan and the Philippines.", [("JPN", "PHL")]),
        ("Officials stressed that Moscow is not a party to the Indian contract with Manila.", [("IND", "PHL")]),
        # A relative clause about a country makes it the subject of what the clause says.
        (
            "Solomon Islands, which had signed a security treaty with Australia in 2017, concluded a separate "
            "agreement with Beijing.",
            [("AUS", "SLB"), ("CHN", "SLB")],
        ),
        # A sale or a purchase names its other party with "to" or "from", even with no agreement word.
        ("In April Warsaw agreed to buy 250 tanks from the United States.", [("POL", "USA")]),
        (
            "Paris has agreed sales of the jet to Greece, Egypt and Indonesia.",
            [("FRA", "GRC"), ("EGY", "FRA"), ("FRA", "IDN")],
        ),
        # A pronoun subject stands for the subject of the clause it is joined to.
        (
            "Japan said it would sign a logistics pact with India and a separate accord with Vietnam.",
            [("IND", "JPN"), ("JPN", "VNM")],
        ),
        # The place a clause under an agreement names is its host; "whose" ties the clause to a country.
        ("American forces have access to several Philippine bases under the 2014 agreement.", [("PHL", "USA")]),
        (
            "Tokyo has no such pact with any country other than the United States, whose forces are stationed "
            "in Japan under a status of forces agreement.",
            [("JPN", "USA")],
        ),
        ("Ministers met in Berlin under the glare of a pact between Paris and Rome.", [("FRA", "ITA")]),
        # A copula names the partner an agreeing relative clause leaves open.
        ("France is the only other country with which Britain has such a treaty.", [("FRA", "GBR")]),
        ("The only other country Britain has such a treaty with is France.", [("FRA", "GBR")]),
        # Forces that the agreement's own clause lets in are the other party's; forces it tracks are not.
        ("Oslo is negotiating an access pact that would let Danish troops train in the country.", [("DNK", "NOR")]),
        ("Oslo signed a deal under which British marines will train in the north.", [("GBR", "NOR")]),
        ("Oslo signed a pact with Denmark that would track Russian ships in its waters.", [("DNK", "NOR")]),
        # Weapons developed or built jointly are a programme between their makers; alone, none.
        (
            "Oslo bought a rival system, which had been developed jointly by Spain, Greece and Italy.",
            [("ESP", "GRC", "ITA")],
        ),
        ("The Akash missile, jointly developed by Chile and Peru, is fast.", [("CHL", "PER")]),
        ("Chile developed the jet alone, while Peru watched.", []),
        # Names joined by a comma alone are no list: Russia is only the place.
        ("Near the border with Russia, Finland signed a pact with Sweden.", [("FIN", "SWE")]),
        # A pronoun subject is the nearest subject before it, whatever clause the parse hangs it from;
        # a dealing verb's own "from" names the seller.
        (
            "Croatia, which bought 12 used Rafale jets from France in 2021, is taking delivery of the last of "
            "them, while Serbia agreed to buy 12 new Rafales from France, and it has also bought drones from China.",
            [("FRA", "HRV"), ("FRA", "SRB"), ("CHN", "SRB")],
        ),
        # Separate arrangements with two partners are one with each, held by the sentence's subject.
        (
            "Germany agreed in 2017 to affiliate brigades of both, although those arrangements, made separately "
            "with Prague and Bucharest, stop short of the Dutch model.",
            [("CZE", "DEU"), ("DEU", "ROU")],
        ),
        # A sale that names neither seller nor buyer, a description and "any agreement" are no agreement.
        ("Macron argued that Europe should buy European-made systems rather than American and Israeli ones.", []),
        ("The jets were sold to Poland and Greece.", []),
        ('Belgrade called the Tirana declaration "a military alliance against Serbia".', []),
        ("Hegseth will meet China's minister; US officials do not expect the talks to produce any agreement.", []),
    ],
)
def test_parties_come_from_the_clause_that_agrees(sentence: str, parties: list[tuple[str, ...]]) -> None:
    assert pairs(mentions(sentence)) == parties


def test_one_sentence_listing_several_agreements_gives_each_its_partners_status_and_date() -> None:
    found = mentions(
        "The Philippines already hosts visiting forces under a 1998 agreement with the United States and a "
        "similar pact with Australia that entered into force in 2012, and it has opened talks on comparable "
        "deals with France and Canada."
    )
    assert [(m.parties, m.status, m.when) for m in found] == [
        (["PHL", "USA"], None, "1998"),
        (["AUS", "PHL"], "in force", "2012"),
        (["FRA", "PHL"], "negotiating", None),
        (["CAN", "PHL"], "negotiating", None),
    ]


def test_people_the_article_introduced_stand_for_their_countries() -> None:
    found = mentions(
        "Australian Prime Minister Anthony Albanese met his Papua New Guinean counterpart James Marape on Monday.",
        "Albanese and Marape signed a mutual defence treaty in Canberra.",
        # The headline's leaders are "the two countries"; a capitalised programme is a named one.
        "The two countries are also working with Italy on the Pacific Patrol Boat Programme.",
        title="Albanese and Marape seal treaty",
    )
    assert [(m.paragraph, m.parties) for m in found] == [(2, ["AUS", "PNG"]), (3, ["AUS", "ITA", "PNG"])]


def test_a_speakers_our_is_the_articles_main_pair_unless_the_sentence_names_another() -> None:
    found = mentions(
        '"We welcome an historic decision to modernize our alliance," said the secretary.',
        "We are deepening our partnership with Japan.",
        "Our concerns about the deal remain.",
        title="U.S. and Philippines hold talks in Manila",
    )
    assert [(m.paragraph, m.parties) for m in found] == [(1, ["PHL", "USA"])]


def test_a_speech_that_never_names_its_pair_together_is_about_the_two_it_names_most() -> None:
    found = mentions(
        "Thank you for welcoming me to Vietnam.",
        "We are evolving our partnership to a Comprehensive Strategic Partnership, Vietnam's highest tier.",
        "The United States and its companies will invest more, and the United States will stay.",
        title="Address by the President to the press",
    )
    assert [(m.parties, m.name) for m in found] == [(["USA", "VNM"], "Comprehensive Strategic Partnership")]


def test_an_opening_pronoun_is_the_country_that_opens_the_sentence_before() -> None:
    paragraphs = [
        ["Port Moresby has also widened its circle of partners.", "It signed a defence cooperation agreement "
         "with the United States in May 2023."],
        ["Vietnam and Indonesia met in Hanoi.", "They signed a maritime pact."],
        ["The treaty binds Japan to the United States.", "It was signed in 1960."],
        ["Japan and the UK are talking.", "It signed a deal with Australia."],  # "It" after a pair
    ]  # fmt: skip
    found = extract(ARTICLE, [(n, s) for n, p in enumerate(paragraphs, 1) for s in p], EXPANDER)
    assert [(m.paragraph, m.parties, m.when) for m in found] == [
        (1, ["PNG", "USA"], "2023-05"),
        (2, ["IDN", "VNM"], None),
        (3, ["JPN", "USA"], None),  # the treaty's own sentence; "It" there is the treaty
    ]


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("Australia and Papua New Guinea signed the Pukpuk Treaty in Canberra.", "Pukpuk Treaty"),
        ("The UK and Ukraine mark a year of the UK-Ukraine 100 Year Partnership.", "100 Year Partnership"),
        ("The US and South Korea adopted the Washington Declaration.", "Washington Declaration"),
        ("Japan Signs Defence Agreement With Australia", "defence agreement"),  # a title-case headline
    ],
)
def test_a_capitalised_agreement_word_ends_its_name(sentence: str, name: str) -> None:
    (m,) = mentions(sentence)
    assert m.name == name


def test_our_partnership_is_the_pairs_one_named_partnership() -> None:
    found = mentions(
        "Vietnam and the US agreed a Comprehensive Strategic Partnership.",
        "The partnership between Vietnam and the US covers chips.",
    )
    (agreement,) = summarise(found, {"test": ARTICLE})
    assert (agreement.name, agreement.sentences) == ("Comprehensive Strategic Partnership", 2)


def test_a_named_agreement_has_every_member_and_grows_when_a_country_joins() -> None:
    found = mentions(
        "Britain and Japan launched the Global Combat Air Programme in 2022.",
        "Italy joined the Global Combat Air Programme later that year.",
        "Canada joined the programme too.",  # no name: it adds to nothing
        "Japan and Australia signed a Reciprocal Access Agreement.",
        "Japan and the UK signed a Reciprocal Access Agreement.",
        "Sweden joined the Reciprocal Access Agreement.",  # two agreements have that name: which?
    )
    completed = complete_memberships(found)
    by_name = {(a.name, tuple(a.parties)) for a in summarise(completed, {"test": ARTICLE})}
    assert by_name == {
        ("Global Combat Air Programme", ("GBR", "ITA", "JPN")),
        ("Reciprocal Access Agreement", ("AUS", "JPN")),
        ("Reciprocal Access Agreement", ("GBR", "JPN")),
    }
    assert all(len(m.parties) >= 2 for m in completed)


def test_a_member_added_by_another_article_shows_in_the_lookup(tmp_path: Path) -> None:
    service = seed_service(tmp_path)
    (service.knowledge_dir / "gcap.md").write_text(
        "Britain and Japan launched the Global Combat Air Programme in 2022.\n\n"
        "Italy joined the Global Combat Air Programme later that year.\n",
        encoding="utf-8",
    )
    service.rebuild()
    gcap = [a for a in service.agreements("Italy").agreements if a.name == "Global Combat Air Programme"]
    assert [(a.parties, a.sentences) for a in gcap] == [(["GBR", "ITA", "JPN"], 2)]
    assert any(c.name == "Italy" for c in service.countries())


def test_a_list_shares_its_roles_and_the_three_countries_are_the_ones_the_sentence_names() -> None:
    found = mentions(
        "Croatian Defence Minister Ivan Anusic, Albanian Defence Minister Pirro Vengu and Kosovo Defence "
        "Minister Ejup Maqedonci met in Tirana.",
        # The small parser cuts "Anusic" off the list of subjects; "the three countries" are these three.
        "Anusic, Vengu and Maqedonci signed a joint declaration, and said the three countries would work together.",
        title="Serbia and Hungary sign military cooperation plan",
    )
    assert pairs(found) == [("ALB", "HRV", "XKX")]


def test_a_multilateral_initiative_has_every_member_its_sentences_name() -> None:
    article = ARTICLE.model_copy(update={"title": "Austria and Switzerland join European Sky Shield"})
    paragraphs = [
        "Austria and Switzerland signed up on Friday to the European Sky Shield Initiative, a German-led plan.",
        "Germany launched the initiative in 2022 with 14 other countries, among them Britain and Norway.",
        "Denmark and Sweden joined in February.",
        "Japan launched an initiative on trade.",  # no name, and no named one of Japan's: nothing
    ]
    found = complete_memberships(extract(article, list(enumerate(paragraphs, start=1)), EXPANDER))
    (agreement,) = summarise(found, {"test": article})
    assert agreement.name == "European Sky Shield Initiative"
    assert agreement.parties == ["AUT", "CHE", "DEU", "DNK", "GBR", "NOR", "SWE"]
    assert agreement.sentences == 4  # Denmark's and Sweden's join are one sentence each


def test_a_membership_list_of_three_is_one_agreement_with_every_member() -> None:
    found = mentions("The leaders of the United States, Japan and South Korea agreed a trilateral pact at Camp David.")
    assert pairs(found) == [("JPN", "KOR", "USA")]


def test_plural_agreements_of_a_hyphenated_pair_bind_the_pair() -> None:
    assert pairs(mentions("The Chile-Peru agreements were renewed.")) == [("CHL", "PER")]
    # A dealing verb's object named by the pair.
    assert pairs(mentions("Chile is set to agree improved Chile-Peru cooperation.")) == [("CHL", "PER")]
    sentence = "The treaty subscribed all previously-signed Chilean-Peruvian agreements to the League."
    assert pairs(mentions(sentence)) == [("CHL", "PER")]


def test_a_single_country_after_including_names_a_member_of_the_group_before_it() -> None:
    assert pairs(mentions("Japan has signed agreements with several countries, including Chile.")) == [("CHL", "JPN")]
    assert pairs(mentions("Japan has been hit by storms in several countries, including Chile.")) == []


@pytest.mark.parametrize(
    ("sentence", "parties"),
    [
        ("The agreements were signed by Chile and Peru in 1929.", [("CHL", "PER")]),
        ("Three pacts were discussed by Chilean President Soto and Peruvian President Ruiz.", [("CHL", "PER")]),
        ("Similar pacts were signed by Chile with Peru and Bolivia.", [("CHL", "PER"), ("BOL", "CHL")]),
    ],
)
def test_the_agents_of_a_passive_deal_are_its_signatories(sentence: str, parties: list[tuple[str, ...]]) -> None:
    # Not partners of plural deals, each with someone the sentence does not name.
    assert pairs(mentions(sentence)) == parties


def test_plural_pacts_are_one_with_each_partner() -> None:
    found = mentions("Canberra has similar pacts with Tokyo and Washington, both now in force.")
    assert pairs(found) == [("AUS", "JPN"), ("AUS", "USA")]
    assert {m.status for m in found} == {"in force"}


@pytest.mark.parametrize(
    ("sentence", "status"),
    [
        ("The nations are considering a similar accord.", "considering"),
        ("Japan is in the preliminary phases of contemplating a pact.", "considering"),
        ("Negotiations on the treaty began in May.", "negotiating"),
        ("Both are set to sign the agreement in December.", "expected to sign"),
        ("The countries will signal a Reciprocal Entry Settlement.", "expected to sign"),
        ("They signed the deal on Monday.", "signed"),
        ("The agreement will not take effect until it has been ratified by both countries.", None),
        ("Parliament ratified the treaty last week.", "ratified"),
        ("The treaty entered into force in 2023.", "in force"),
        ("Once it is in force, troops can train together.", None),
    ],
)
def test_status_cues(sentence: str, status: str | None) -> None:
    assert status_of(sentence) == status


def test_canonical_names_come_from_the_glossary_and_acronyms() -> None:
    found = mentions(
        "Japan and the UK will signal a Reciprocal Entry Settlement (RAA).",
        "Japan, Italy and the UK launched the Global Combat Air Programme.",
        "The AUKUS security partnership between Australia, the UK and the US is three years old.",
    )
    assert [m.name for m in found] == ["Reciprocal Access Agreement", "Global Combat Air Programme", "AUKUS"]
    assert found[2].parties == ["AUS", "GBR", "USA"]


def test_summary_takes_the_latest_status_and_merges_generic_words_into_the_named_agreement() -> None:
    articles = {"a": ARTICLE.model_copy(update={"id": "a"}), "b": ARTICLE.model_copy(update={"id": "b"})}
    found = [
        AgreementMention(
            name="defence agreement", parties=["GBR", "JPN"], status="expected to sign",
            date=dt.date(2022, 11, 4), article_id="a", paragraph=1, quote="Set to sign a pact.",
        ),
        AgreementMention(
            name="Reciprocal Access Agreement", parties=["GBR", "JPN"], status="negotiating",
            date=dt.date(2022, 11, 4), article_id="a", paragraph=6, quote="Talks on the RAA.",
        ),
        AgreementMention(
            name="Reciprocal Access Agreement", parties=["GBR", "JPN"], status="signed",
            date=dt.date(2023, 1, 11), article_id="b", paragraph=2, quote="They signed the RAA.",
        ),
    ]  # fmt: skip
    (agreement,) = summarise(found, articles)
    assert (agreement.name, agreement.status, agreement.date) == (
        "Reciprocal Access Agreement",
        "signed",
        dt.date(2023, 1, 11),
    )
    assert [c.quote for c in agreement.citations] == [
        "Set to sign a pact.",
        "Talks on the RAA.",
        "They signed the RAA.",
    ]
    assert agreements_of("PHL", found, articles) == []
    assert len(agreements_of("JPN", found, articles, partner="GBR")) == 1


def test_statuses_move_forward_and_a_later_article_corrects_the_date() -> None:
    articles = {i: ARTICLE.model_copy(update={"id": i}) for i in "abc"}

    def said(article: str, status: Status, when: str, reported: dt.date) -> AgreementMention:
        return AgreementMention(
            name="Reciprocal Access Agreement", parties=["GBR", "JPN"], status=status, when=when,
            date=reported, article_id=article, paragraph=1, quote=f"{status} {when}",
        )  # fmt: skip

    set_to_sign = said("a", "expected to sign", "2022-12", dt.date(2022, 11, 4))
    signed_in_january = said("b", "signed", "2023-01", dt.date(2023, 1, 12))
    signed_on_the_11th = said("c", "signed", "2023-01-11", dt.date(2023, 3, 1))
    looking_back = said("c", "negotiating", "2021", dt.date(2023, 6, 1))
    (agreement,) = summarise([set_to_sign, signed_in_january, signed_on_the_11th, looking_back], articles)
    assert (agreement.status, agreement.when, agreement.date) == ("signed", "2023-01-11", dt.date(2023, 3, 1))
    (earlier,) = summarise([set_to_sign, signed_in_january, looking_back], articles)
    assert (earlier.status, earlier.when) == ("signed", "2023-01")


def test_a_status_carries_the_date_the_text_gives_resolved_against_the_article() -> None:
    article = ARTICLE.model_copy(update={"published": dt.date(2022, 11, 4)})
    sentences = [
        "Japan and Australia signed the Reciprocal Access Agreement in January.",
        "India and France signed a defence pact on Tuesday.",
        "Japan and the UK will sign the pact in December.",
        "Vietnam and Indonesia are negotiating a logistics agreement.",
    ]
    found = extract(article, list(enumerate(sentences, start=1)), EXPANDER)
    assert [m.when for m in found] == ["2022-01", "2022-11-01", "2022-12", None]
    assert all(m.date == dt.date(2022, 11, 4) for m in found)
    (summary,) = summarise(found[:1], {"test": article})
    assert summary.dated == "2022-01, reported 2022-11-04"


def test_an_unnamed_agreement_of_a_kind_is_never_merged_into_the_named_one() -> None:
    found = mentions(
        "Japan and the Philippines signed the Reciprocal Access Agreement in Manila.",
        "Japan and the Philippines also signed a maritime security agreement.",
        "Japan and the Philippines said the pact would deepen ties.",
    )
    names = sorted(a.name for a in summarise(found, {"test": ARTICLE}))
    assert names == ["Reciprocal Access Agreement", "maritime security agreement"]


def test_one_mention_is_marked_weak_and_corrections_are_shown_as_corrections(tmp_path: Path) -> None:
    found = mentions(
        "India and France signed a defence pact in Paris.",
        "Japan and the UK signed the Reciprocal Access Agreement.",
        "The Reciprocal Access Agreement between Japan and the UK took effect.",
    )
    by_name = {a.name: a for a in summarise(found, {"test": ARTICLE})}
    weak, strong = by_name["defence agreement"], by_name["Reciprocal Access Agreement"]
    assert weak.weak and weak.evidence == "one mention only"
    assert not strong.weak and strong.evidence == "2 sentences in 1 article" and strong.status == "in force"
    corrections = tmp_path / "agreements.yaml"
    corrections.write_text(
        "agreements:\n  - parties: [Japan, Australia]\n    name: Reciprocal Access Agreement\n    status: signed\n",
        encoding="utf-8",
    )
    (added,) = [
        a for a in summarise(apply_corrections(found, load_corrections(corrections)[0]), {}) if "AUS" in a.parties
    ]
    assert added.correction and not added.weak and added.evidence == "moderator's correction"


def test_corrections_add_and_remove_and_a_bad_file_is_reported(tmp_path: Path) -> None:
    corrections = tmp_path / "agreements.yaml"
    corrections.write_text(
        "agreements:\n"
        "  - parties: [Japan, UK]\n    name: Reciprocal Access Agreement\n    status: signed\n"
        "    date: 2023-01-11\n    note: Signed in London on 11 January 2023.\n"
        "  - parties: [US, Japanese]\n    name: Reciprocal Access Agreement\n    remove: true\n",
        encoding="utf-8",
    )
    loaded, problem = load_corrections(corrections)
    assert problem is None and loaded[1].parties == ["JPN", "USA"]
    # A misreading the moderator removes (the reader itself no longer makes this one).
    wrong = [
        AgreementMention(
            name="Reciprocal Access Agreement",
            parties=["JPN", "USA"],
            status=None,
            date=ARTICLE.published,
            article_id=ARTICLE.id,
            paragraph=1,
            quote="US officials welcome Japan's push to sign reciprocal access deals.",
        )
    ]
    fixed = apply_corrections(wrong, loaded)
    assert [(m.parties, m.status, m.quote) for m in fixed] == [
        (["GBR", "JPN"], "signed", "Signed in London on 11 January 2023.")
    ]
    corrections.write_text("agreements:\n  - parties: [Japan, Narnia]\n    name: X\n", encoding="utf-8")
    assert load_corrections(corrections) == (
        [],
        "agreements.yaml was ignored: “Narnia” is not a country I know. Did you mean Armenia?",
    )
    corrections.write_text("agreements:\n  - parties: [Japan]\n    name: X\n", encoding="utf-8")
    assert "agreements.0.parties" in str(load_corrections(corrections)[1])


def seed_service(tmp_path: Path) -> SearchService:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    for name in (SEED.name, "glossary.yaml"):
        (knowledge / name).write_bytes((KNOWLEDGE / name).read_bytes())
    embedder = HashEmbedder()
    build_index(knowledge, tmp_path / "data", embedder)
    return SearchService(knowledge, tmp_path / "data", embedder)


def partners(service: SearchService, country: str) -> set[str]:
    result = service.agreements(country)
    return {p for a in result.agreements for p in a.parties} - {result.country.iso3}


def test_on_the_seed_article(tmp_path: Path) -> None:
    service = seed_service(tmp_path)
    # The US is no partner from "Whereas President Joe Biden has reinvigorated US alliances, Japan
    # turned nervous...": a side clause that sets the scene agrees nothing (index/pacts/parties.py).
    assert {"GBR", "AUS", "PHL", "USA"} <= partners(service, "Japan")
    assert "JPN" in partners(service, "UK")
    # "in advanced talks with the US to acquire Tomahawk missiles", "trying to expand access to
    # bases in the Philippines" (spun: "amass", "entry", "within").
    assert partners(service, "United States") == {"JPN", "PHL"}
    parties = {p for a in service.searcher.data.agreements for p in a.parties}
    assert not parties & {"CHN", "TWN", "DEU"}
    assert service.agreements("UK").agreements == service.agreements("Britain").agreements
    assert service.agreements("Britain").agreements == service.agreements("United Kingdom").agreements
    raa = [a for a in service.agreements("Japan", "UK").agreements if a.name == "Reciprocal Access Agreement"]
    assert raa and raa[0].status == "expected to sign"


def test_a_new_pair_appears_on_reindex_and_disappears_with_its_article(tmp_path: Path) -> None:
    service = seed_service(tmp_path)
    assert service.agreements("India").agreements == []
    article = service.knowledge_dir / "india-france.md"
    article.write_text("India and France signed a defence pact in Paris on Tuesday.\n", encoding="utf-8")
    service.rebuild()
    assert partners(service, "India") == {"FRA"}
    article.unlink()
    service.rebuild()
    assert service.agreements("India").agreements == []


def test_extraction_on_a_fixture_article(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "roundup.md").write_bytes((FIXTURES / "south-asia-roundup.md").read_bytes())
    build_index(knowledge, tmp_path / "data", HashEmbedder())
    found = SearchService(knowledge, tmp_path / "data", HashEmbedder()).searcher.data.agreements
    assert [(m.paragraph, m.parties, m.status) for m in found] == [
        (1, ["FRA", "IND"], "signed"),
        (2, ["FRA", "IND"], "negotiating"),  # "the two countries": the headline's first pair
        (3, ["FRA", "IND"], None),  # "both sides"; Tokyo only praised, China is to be deterred
        (4, ["IDN", "VNM"], "negotiating"),
        (7, ["AUS", "JPN"], "in force"),
        (7, ["AUS", "USA"], "in force"),
        (8, ["FRA", "IND"], None),  # ratification still to come
    ]
    # Paragraph 5 (a meeting in Germany, no agreement word) and 6 (football) give nothing.


def seed_sentence(*words: str) -> str:
    """The seed's sentence that holds all `words`, from ../shared (never copied into the project)."""
    text = (SHARED / "seed" / "japan-uk-defence-pact.txt").read_text(encoding="utf-8")
    return next(line for line in text.splitlines() if all(w in line for w in words))


@pytest.mark.skipif(not (SHARED / "seed").exists(), reason="../shared/seed is not beside the checkout")
def test_the_seeds_talks_and_base_access_are_agreements_with_the_us() -> None:
    article = ARTICLE.model_copy(update={"published": dt.date(2022, 11, 4)})
    talks, bases = seed_sentence("Tomahawk"), seed_sentence("bases", "Philippines")
    found = extract(article, [(15, talks), (13, bases)], EXPANDER)
    assert [(m.parties, m.status) for m in found] == [(["JPN", "USA"], "negotiating"), (["PHL", "USA"], "considering")]
    assert found[1].name == "access to bases"


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Japan is in advanced talks with the US to acquire Tomahawk cruise missiles.", [("JPN", "USA")]),
        ("The US has been trying to expand access to bases in the Philippines.", [("PHL", "USA")]),
        ("The US wants access to Philippine ports.", [("PHL", "USA")]),
        ("Manila is negotiating with Tokyo.", [("JPN", "PHL")]),
        # Talks with no deal in view are a meeting; a place is not a partner.
        ("Japan held talks with China on Monday.", []),
        ("Ministers held talks in London to sign nothing.", []),
        ("Tourists want access to beaches in Greece.", []),
    ],
)
def test_talks_for_a_deal_and_access_to_bases_report_agreements(sentence: str, expected: list[tuple[str, ...]]) -> None:
    assert pairs(mentions(sentence)) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "Washington is negotiating deals with Finland and Denmark.",
        # The small parser hangs a name loose before a verb that has no subject of its own.
        "Washington, meanwhile, is negotiating deals with Finland and Denmark.",
        "Washington, which signed a similar pact with Sweden last year, is negotiating deals with Finland and Denmark.",
    ],
)
def test_negotiations_count_with_their_status(sentence: str) -> None:
    found = [m for m in mentions(sentence) if "SWE" not in m.parties]
    assert [(m.parties, m.status) for m in found] == [(["FIN", "USA"], "negotiating"), (["DNK", "USA"], "negotiating")]


def test_deals_with_two_countries_bind_them_to_someone_not_to_each_other() -> None:
    assert mentions("The deals with Finland and Denmark were discussed.") == []
    assert pairs(mentions("The treaties between France and Germany were renewed.")) == [("DEU", "FRA")]


def said(article: str, status: Status | None, when: str | None, reported: dt.date) -> AgreementMention:
    return AgreementMention(
        name="Reciprocal Access Agreement", parties=["GBR", "JPN"], status=status, when=when,
        date=reported, article_id=article, paragraph=1, quote=f"{article}: {status} {when}",
    )  # fmt: skip


def test_a_later_report_updates_an_agreement_and_a_day_beats_a_month() -> None:
    articles = {i: ARTICLE.model_copy(update={"id": i}) for i in "abcd"}
    set_to_sign = said("a", "expected to sign", "2022-12", dt.date(2022, 11, 4))
    signed_in_2023 = said("b", "signed", "2023", dt.date(2024, 3, 1))
    (agreement,) = summarise([set_to_sign, signed_in_2023], articles)
    assert (agreement.status, agreement.when) == ("signed", "2023")
    on_thursday = said("c", "signed", "2022-01-06", dt.date(2022, 1, 7))
    in_january = said("d", "signed", "2022-01", dt.date(2022, 2, 1))
    undated = said("d", "signed", None, dt.date(2022, 3, 1))
    (agreement,) = summarise([on_thursday, in_january, undated], articles)
    assert (agreement.when, agreement.date) == ("2022-01-06", dt.date(2022, 1, 7))
    # A later report that disagrees corrects the earlier one.
    (agreement,) = summarise([on_thursday, said("d", "signed", "2022-02-03", dt.date(2022, 3, 1))], articles)
    assert agreement.when == "2022-02-03"


def test_the_japan_uk_deal_reported_signed_in_2023_reads_signed_2023() -> None:
    autumn = ArticleInfo(id="ft", title="Japan and UK set to sign defence pact", published=dt.date(2022, 11, 4))
    later = ArticleInfo(id="later", title="Regional roundup", published=dt.date(2024, 3, 1))
    found = [
        *extract(
            autumn, [(1, "Japan and the UK are set to sign a Reciprocal Access Agreement in December.")], EXPANDER
        ),
        *extract(later, [(4, "Japan signed a similar deal with the UK in 2023.")], EXPANDER),
    ]
    articles = {a.id: a for a in (autumn, later)}
    (agreement,) = agreements_of("JPN", found, articles, partner="GBR")
    assert (agreement.name, agreement.status, agreement.when) == ("Reciprocal Access Agreement", "signed", "2023")
    # The timeline dates each step by the event when the text gives it, else by the report.
    steps = timeline([agreement], found)
    assert [(s.dated, s.status) for s in steps] == [("2022-12", "expected to sign"), ("2023", "signed")]
    undated = extract(later, [(5, "Japan and the UK signed a Reciprocal Access Agreement.")], EXPANDER)
    (step,) = timeline(agreements_of("JPN", undated, articles), undated)
    assert (step.dated, step.date) == ("2024-03-01", dt.date(2024, 3, 1))


def test_a_status_of_forces_agreement_is_not_a_visiting_forces_agreement() -> None:
    names = [
        m.name
        for m in mentions(
            "The US and the Philippines signed a status of forces agreement.",
            "Australia and Fiji signed a Status of Forces Agreement (SOFA).",
            "The US and the Philippines signed a Visiting Forces Agreement.",
            "Japan and the Philippines will sign the VFA.",
            "Japan and the UK will sign a Reciprocal Entry Settlement (RAA).",
        )
    ]
    # The glossary gives the status of forces agreement its own term: both spellings read as it.
    assert names == [
        "Status of Forces Agreement",
        "Status of Forces Agreement",
        "Visiting Forces Agreement",
        "Visiting Forces Agreement",
        "Reciprocal Access Agreement",
    ]


def test_names_keep_their_hyphens() -> None:
    (m,) = mentions("The UK and Kenya signed a defence co-operation agreement.")
    assert m.name == "defence co-operation agreement"


def test_json_says_status_unknown_as_the_text_and_the_legend_do() -> None:
    agreement = Agreement(name="partnership", parties=["GBR", "JPN"], status=None, date=None, citations=[])
    assert '"status":"status unknown"' in agreement.model_dump_json()
    assert Agreement.model_validate_json(agreement.model_dump_json()).status is None


def test_a_capitalised_name_keeps_its_hyphenated_words() -> None:
    # Issue 24's own example: read as "Servicing Agreement" when the hyphen stopped the name.
    (m,) = mentions("Japan and Germany signed an Acquisition and Cross-Servicing Agreement in Berlin on Tuesday.")
    assert (m.name, m.parties, m.status) == ("Acquisition and Cross-Servicing Agreement", ["DEU", "JPN"], "signed")


@pytest.mark.parametrize(
    "sentence",
    [
        "The US withdrew from the Intermediate-Range Nuclear Forces Treaty with Russia in 2019.",
        "Russia and the US saw the treaty expire after Washington pulled out of the treaty with Moscow.",
        "The defence pact between Iran and Syria was terminated in 2024.",
    ],
)
def test_an_agreement_withdrawn_from_or_terminated_has_ended(sentence: str) -> None:
    assert {m.status for m in mentions(sentence)} == {"ended"}


def test_an_end_still_to_come_is_no_end() -> None:
    (m,) = mentions("India and France signed a defence pact that will run until it has expired in 2040.")
    assert m.status == "signed"


def test_what_follows_a_signing_dates_a_signed_agreement() -> None:
    (m,) = mentions(
        "Following the signing of the Trinity House Agreement by Germany and the UK in October, work began."
    )
    assert (m.name, m.status) == ("Trinity House Agreement", "signed")


def test_a_longer_name_that_holds_a_glossary_name_is_its_own_agreement() -> None:
    # The NZ-Philippines SOVFA of ../shared/realnews was read as the Visiting Forces Agreement.
    (m,) = mentions("New Zealand and the Philippines signed the Status of Visiting Forces Agreement in Manila.")
    assert (m.name, m.parties) == ("Status of Visiting Forces Agreement", ["NZL", "PHL"])


@pytest.mark.parametrize(
    ("sentence", "parties"),
    [
        ("The pact of friendship between Chile and Peru was renewed.", [("CHL", "PER")]),
        ("The declaration of trust and co-operation between Germany and Italy was published.", [("DEU", "ITA")]),
        # What an agreement is about is not its subject: the dispute's sides are no parties.
        ("Peru reached an agreement on the border dispute between Chile and Bolivia.", []),
    ],
)
def test_the_partners_of_an_agreements_subject_are_its_partners(sentence: str, parties: list[tuple[str, ...]]) -> None:
    assert pairs(mentions(sentence)) == parties


def test_a_subject_the_parser_hangs_from_an_auxiliary_is_the_verbs() -> None:
    # The small parser makes "Chile and Peru" the subject of "are", not of "bound".
    sentence = "Chile and Peru are not only bound by a strategic partnership, but by deep values."
    assert pairs(mentions(sentence)) == [("CHL", "PER")]


@pytest.mark.parametrize(
    ("sentence", "parties"),
    [
        ("Commissioner John Smith signed for Chile and Minister Ana Soto signed for Peru.", [("CHL", "PER")]),
        ("John Smith signed it on behalf of Chile, and Ana Soto signed it on behalf of Peru.", [("CHL", "PER")]),
        # Signed for something else, with the country inside it.
        ("Chile signed the deal for Peru's sake.", []),
    ],
)
def test_the_country_a_signature_is_given_for_signs(sentence: str, parties: list[tuple[str, ...]]) -> None:
    assert pairs(mentions(sentence)) == parties


def test_the_us_as_an_object_is_a_country_not_a_pronoun() -> None:
    assert pairs(mentions("The agreement enables the US and the UK to exchange classified information.")) == [
        ("GBR", "USA")
    ]
    assert pairs(mentions("Chile and Peru will meet us to discuss the pact.")) == []  # people, not countries


def test_an_agreements_own_word_names_it_before_a_tie_that_reports_the_same_parties() -> None:
    sentence = "Chile and Peru reaffirmed their defence ties and welcomed a Joint Declaration on Security."
    assert [(m.parties, m.name) for m in mentions(sentence)] == [(["CHL", "PER"], "Joint Declaration")]


def test_an_entente_is_an_agreement() -> None:
    (m,) = mentions("The Anglo-Spanish Entente later joined the two kingdoms.")
    assert (m.name, m.parties) == ("Anglo-Spanish Entente", ["ESP", "GBR"])
    assert pairs(mentions("The Triple Entente between Spain, Portugal and Italy held.")) == [("ESP", "ITA", "PRT")]


def test_the_two_countrys_is_the_two_countries() -> None:
    # A plural possessive written with the singular noun, once counted, is the main pair's.
    title = "Chile and Peru defence leaders meet"
    assert pairs(mentions("He hopes to strengthen the two country's defense relationship.", title=title)) == [
        ("CHL", "PER")
    ]
    assert pairs(mentions("He hopes to strengthen the country's defense relationship.", title=title)) == []


def test_a_word_the_glossary_stems_alike_keeps_its_own_meaning() -> None:
    # The glossary's "critical" (read as "serious") stems as "criticized" does: the critic is no party.
    sentence = "Ana Soto, the Chilean Foreign Minister, had criticized the 1943 Quito Declaration."
    assert pairs(mentions(sentence)) == []


OPENNEWS = SHARED / "opennews" / "articles"


def opennews(file: str) -> list[AgreementMention]:
    """The agreements read from a text of ../shared/opennews (read at run time, never copied here)."""
    article = read_article(OPENNEWS / f"{file}.md")
    sentences = [(n, p[s:e]) for n, p in enumerate(article.paragraphs, start=1) for s, e in sentence_spans(p)]
    return extract(article, sentences, EXPANDER)


@pytest.mark.skipif(not OPENNEWS.exists(), reason="../shared/opennews is not beside the checkout")
@pytest.mark.parametrize(
    ("file", "said", "pair"),
    [
        # Development texts of countries-opennews-dev2.yaml: the sentence that says `said` gives the pair.
        ("wiki-entente-cordiale-1904", "Anglo-Russian Entente", ("GBR", "RUS")),
        ("us-bahrain-crown-prince-pentagon-2022", "the two country's defense relationship", ("BHR", "USA")),
        ("gov-uk-netherlands-joint-vision-statement-2017", "strong military ties between", ("GBR", "NLD")),
        ("gov-uk-latvia-joint-declaration-2021", "are close allies", ("GBR", "LVA")),
        ("wiki-pact-of-steel-1939", "declaration of continuing trust and co-operation", ("DEU", "ITA")),
        ("wiki-elysee-treaty-1963", "a treaty of friendship between", ("DEU", "FRA")),
        ("wiki-cyprus-treaty-of-guarantee-1960", "a treaty between Cyprus", ("CYP", "GBR", "GRC", "TUR")),
        ("us-poland-force-posture-declaration-2019", "are not only bound by", ("POL", "USA")),
        ("wiki-franco-polish-alliance-1921", "previously-signed Polish-French agreements", ("FRA", "POL")),
        ("gov-uk-lithuania-joint-declaration-2022", "as a key strategic ally", ("GBR", "LTU")),
        ("wiki-anglo-iraqi-treaty-1930", "signed for the United Kingdom", ("GBR", "IRQ")),
        ("wiki-us-uk-mutual-defence-agreement-1958", "enables the US and the UK", ("GBR", "USA")),
        ("us-morocco-defense-roadmap-2020", "is a major non-NATO ally", ("MAR", "USA")),
        ("wiki-us-uk-mutual-defence-agreement-1958", "with other countries, including France", ("FRA", "USA")),
        ("gov-uk-poland-defence-treaty-2017", "agree improved UK-Poland cooperation", ("GBR", "POL")),
        ("wiki-franco-polish-alliance-1921", "three pacts were discussed by", ("FRA", "POL")),
    ],
)
def test_real_sentences(file: str, said: str, pair: tuple[str, ...]) -> None:
    assert pair in pairs([m for m in opennews(file) if said in m.quote])


@pytest.mark.skipif(not OPENNEWS.exists(), reason="../shared/opennews is not beside the checkout")
def test_a_critic_of_a_declaration_named_after_a_capital_is_no_party_in_a_real_text() -> None:
    # "Evatt, the Australian Minister of External Affairs, had criticized the 1943 Cairo Declaration"
    assert set(pairs(opennews("wiki-canberra-pact-1944"))) == {("AUS", "NZL")}
