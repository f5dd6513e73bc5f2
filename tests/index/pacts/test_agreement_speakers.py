"""Parties that the publishing government implies: "we", "the Defence Secretary", "the
Department"; the pair of a readout whose headline names one other country; and the partner a
copula names for an agreeing relative clause."""

from __future__ import annotations

import pytest

from index.ingest.articles import read_article
from index.ingest.sentences import sentence_spans
from index.pacts.agreement_reader import extract
from index.pacts.countries import publisher_country
from index.pacts.people import Voice, speaker_in
from tests.conftest import SHARED
from tests.index.pacts.test_agreements import ARTICLE, EXPANDER, pairs

UK = "Ministry of Defence (GOV.UK)"
NUMBER_10 = "Prime Minister's Office, 10 Downing Street (GOV.UK)"
US = "U.S. Department of Defense (DOD News)"
NEWS = "Allied Press Wire"


@pytest.mark.parametrize(
    ("publisher", "iso3"),
    [
        (US, "USA"),
        ("The White House", "USA"),
        ("U.S. Embassy in Latvia", "USA"),  # the embassy's country, not its host's
        (NUMBER_10, "GBR"),
        ("Australian High Commission, New Delhi (Australian Government)", "AUS"),
        ("New Zealand Government (Minister of Defence), reprinted by a news site", "NZL"),
        # A newspaper that names a country, and bodies that are no country's government.
        ("The Japan Times", None),
        ("European External Action Service (EEAS), EU Delegation to Moldova", None),
        ("Wikipedia", None),
        (None, None),
    ],
)
def test_the_country_of_a_government_publisher(publisher: str | None, iso3: str | None) -> None:
    assert publisher_country(publisher) == iso3


def said(publisher: str | None, *sentences: str, title: str | None = None) -> list[tuple[str, ...]]:
    update = {"publisher": publisher} | ({"title": title} if title else {})
    article = ARTICLE.model_copy(update=update)
    return pairs(extract(article, list(enumerate(sentences, start=1)), EXPANDER))


@pytest.mark.parametrize(
    ("publisher", "sentence", "parties"),
    [
        # The government's own office, named with no country.
        (UK, "It follows the Defence Secretary signing the Harbour Agreement with Denmark in May.", ("DNK", "GBR")),
        (NUMBER_10, "The Prime Minister signed a pact with Latvia.", ("GBR", "LVA")),
        (US, "The Secretary signed a roadmap with Latvia.", ("LVA", "USA")),
        (US, "The Department concluded an agreement with Latvia.", ("LVA", "USA")),
        # Speaking in the first person; the partner named by the copula of an agreeing relative clause.
        (NUMBER_10, "The only other country we have such a treaty with is Italy.", ("GBR", "ITA")),
        (NUMBER_10, "Italy is the one country with which we have signed such a treaty.", ("GBR", "ITA")),
        (None, "France is the only other country with which Britain has such a treaty.", ("FRA", "GBR")),
        # "Near the border with Russia, the Defence Secretary" is no list: Russia is only the place.
        (UK, "Near the border with Russia, the Defence Secretary signed a pact with Finland.", ("FIN", "GBR")),
    ],
)
def test_the_publishing_government_is_a_party_where_it_speaks_of_itself(
    publisher: str | None, sentence: str, parties: tuple[str, ...]
) -> None:
    assert said(publisher, sentence) == [parties]


@pytest.mark.parametrize(
    "sentence",
    [
        # Another government's office; a quoted "we" is whoever is quoted.
        "The Prime Minister of Sweden signed a pact with Latvia.",
        '"We signed a treaty with Italy," the Finnish minister said.',
        # The Secretary-General is no country's.
        "The Secretary-General signed a pact with Latvia.",
    ],
)
def test_other_offices_and_quoted_speakers_are_not_the_publisher(sentence: str) -> None:
    assert all("GBR" not in p for p in said(UK, sentence))


def test_a_newspaper_implies_no_party() -> None:
    assert said(NEWS, "The Defence Secretary signed a pact with Latvia.", "We have such a treaty with Italy.") == []


def test_the_office_that_only_us_has_is_the_us_one() -> None:
    # The United States has no prime minister; the others' "Secretary" alone is not theirs.
    assert said(US, "The Prime Minister signed a pact with Latvia.") == []
    assert said(UK, "The Secretary signed a pact with Latvia.") == []


def test_a_readout_headline_naming_one_country_pairs_it_with_the_publisher() -> None:
    title = "Readout of the Secretary's Meeting With Latvian Minister"
    sentence = "The Secretary noted that the two countries have built a strategic partnership."
    assert said(US, sentence, title=title) == [("LVA", "USA")]
    assert said(NEWS, sentence, title=title) == []


def test_the_leaders_of_a_call_are_the_pair() -> None:
    title = "PM call with Prime Minister Store of Norway"
    sentence = "The leaders discussed the defence pact they will sign next week."
    assert said(NUMBER_10, sentence, title=title) == [("GBR", "NOR")]


def test_speaker_mentions_cover_the_office_or_the_pronoun() -> None:
    sentence = "The Defence Secretary said we would sign it."
    assert [sentence[m.start : m.end] for m in speaker_in(sentence, Voice("GBR"))] == ["The Defence Secretary", "we"]
    assert speaker_in(sentence, Voice()) == []


OPENNEWS = SHARED / "opennews" / "articles"


@pytest.mark.skipif(not OPENNEWS.exists(), reason="../shared/opennews is not beside the checkout")
@pytest.mark.parametrize(
    ("file", "pair"),
    [
        ("us-romania-defense-roadmap-2020", ("ROU", "USA")),  # "the two countries", "our two countries"
        ("gov-uk-norway-defence-agreement-talks-2025", ("DEU", "GBR")),  # "the Defence Secretary signing"
        ("gov-uk-poland-defence-treaty-2017", ("FRA", "GBR")),  # "the only other ... country we have"
        ("gov-uk-sweden-strategic-partnership-2023", ("GBR", "SWE")),  # "The leaders discussed"
    ],
)
def test_real_government_texts(file: str, pair: tuple[str, ...]) -> None:
    """Development texts of countries-opennews-dev.yaml, read from ../shared at run time."""
    article = read_article(OPENNEWS / f"{file}.md")
    sentences = [(n, p[s:e]) for n, p in enumerate(article.paragraphs, start=1) for s, e in sentence_spans(p)]
    assert pair in pairs(extract(article, sentences, EXPANDER))


@pytest.mark.parametrize(
    ("sentence", "parties"),
    [
        ("The ministers reaffirmed the defense relationship between Chile and Peru.", [("CHL", "PER")]),
        ("Esper discussed expanding military cooperation between the U.S. and Tunisia.", [("TUN", "USA")]),
        ("The U.S. military-to-military relationship with Latvia is strong.", [("LVA", "USA")]),
        ("They held talks on the military-to-military relations between Chile and Peru.", [("CHL", "PER")]),
        ("Chile and Peru have deepened their security ties.", [("CHL", "PER")]),
        ("Peru is one of Chile's closest defense partners.", [("CHL", "PER")]),
        # Without a defence word a relationship is any; a word of a name is the name's.
        ("The trade relationship between Chile and Peru is strong.", []),
        ("The trade ties between Chile and Peru are strong.", []),
        ("Chile and Peru signed a Roadmap for Defense Cooperation.", [("CHL", "PER")]),
    ],
)
def test_a_standing_defence_tie_is_reported_like_an_agreement(sentence: str, parties: list[tuple[str, ...]]) -> None:
    found = extract(ARTICLE, [(1, sentence)], EXPANDER)
    assert pairs(found) == parties
    assert all(m.status is None for m in found if m.name == "defence cooperation")


@pytest.mark.parametrize(
    ("sentence", "parties"),
    [
        ("Chile is a major non-NATO ally of the United States.", [("CHL", "USA")]),
        ("The UK and Latvia are close allies.", [("GBR", "LVA")]),
        ("The United States designated Colombia a major non-NATO ally.", [("COL", "USA")]),
        ("Lithuania views the United Kingdom as a key strategic ally.", [("GBR", "LTU")]),
        ("Lithuania views the United Kingdom as a threat.", []),
        ("Japan, a close ally of the US, signed a pact with the Philippines.", [("JPN", "USA"), ("JPN", "PHL")]),
        # Allies a clause only passes by, and the Allies of a war.
        ("Bismarck managed to estrange France from potential allies.", []),
        ("The United States is working with NATO allies such as Poland.", []),
        ("The Allies defeated Germany in 1945.", []),
    ],
)
def test_allies_are_bound_by_an_alliance(sentence: str, parties: list[tuple[str, ...]]) -> None:
    found = extract(ARTICLE, [(1, sentence)], EXPANDER)
    assert sorted(pairs(found)) == sorted(parties)
    assert {m.name for m in found if "ally" in m.quote and "pact" not in m.quote} <= {"alliance"}


def test_a_speakers_ally_is_the_speakers() -> None:
    assert said(US, "Chile is one of our closest allies.") == [("CHL", "USA")]
    # An ally the sentence names no partner for, in a government's text: the government's.
    assert said(US, "Chile is a major non-NATO ally.") == [("CHL", "USA")]
    assert said(NEWS, "Chile is a major non-NATO ally.") == []
    assert said(US, "Chile and Peru are close allies.") == [("CHL", "PER")]
    # "Our allies" alone are nobody in particular: the joint statement's "we" still reads as the pair.
    title = "Joint statement by Chile and Peru"
    assert said(NEWS, "Building on the 2017 Treaty, we will work with our allies.", title=title) == [("CHL", "PER")]


def test_agreements_signed_between_two_countries_bind_them() -> None:
    sentence = "The entente was a series of agreements signed in 1904 between Spain and Portugal."
    assert said(None, sentence) == [("ESP", "PRT")]


def test_a_similar_agreement_in_a_government_text_is_with_that_government() -> None:
    title = "U.S., Latvia Sign Defense Roadmap"
    sentence = "Estonia signed a similar agreement in April."
    assert said(US, sentence, title=title) == [("EST", "USA")]
    assert said(NEWS, sentence, title=title) == []  # a newspaper's "similar" is with either
    # The parse ties no country to it, and the sentence names one.
    assert said(US, "Estonia is the second Baltic nation to sign such an agreement.", title=title) == [("EST", "USA")]


def test_a_speakers_our_defence_cooperation_is_the_main_pairs() -> None:
    sentence = "“Today’s meeting underscores our defense cooperation,” he said."
    assert said(NEWS, sentence, title="U.S., Mongolia Discuss Military Relations") == [("MNG", "USA")]


def test_the_publishers_own_people_need_no_country_before_their_title() -> None:
    introduced = "Secretary of Defense Dr. Lloyd Carter met Romanian Minister of National Defense Ion Popescu."
    assert said(US, introduced, "Carter and Popescu signed a pact.") == [("ROU", "USA")]
    assert said(NEWS, introduced, "Carter and Popescu signed a pact.") == []  # Carter is no one's
    # Another country's secretary is that country's.
    assert said(UK, "Ukrainian Defence Secretary Ivan Petrenko visited.", "Petrenko signed a pact with Spain.") == [
        ("ESP", "UKR")
    ]


def test_the_subject_of_a_reaction_is_no_party() -> None:
    sentence = "Tokyo applauded efforts by Spain and Portugal to implement the agreement."
    assert said(None, sentence) == [("ESP", "PRT")]


def test_the_country_a_government_text_addresses_is_the_one_its_headline_names() -> None:
    title = "Readout of the Secretary's Meeting With Latvian Minister"
    sentence = "The Department signed a roadmap with the country."
    assert said(US, sentence, title=title) == [("LVA", "USA")]
    assert said(NEWS, sentence, title=title) == []
    assert said(US, sentence) == []  # a headline that names no other country addresses none


def test_a_joint_statements_we_and_the_prime_ministers_are_the_pair() -> None:
    title = "Joint Statement between the Prime Minister of Chile and the Prime Minister of Peru"
    assert said(NEWS, "We have agreed to raise our ties to a strategic partnership.", title=title) == [("CHL", "PER")]
    assert said(NEWS, "The Prime Ministers agreed to build a partnership.", title=title) == [("CHL", "PER")]
    # Not an agreement whose own phrase names its parties, nor "we" outside a joint statement.
    assert said(NEWS, "We value the agreement between Peru and the EU.", title=title) == []
    assert said(NEWS, "We have agreed to build a strategic partnership.", title="Chile and Peru meet") == []
