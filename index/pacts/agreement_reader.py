"""Agreement mentions read from an article's sentences: the parties (from the parse, index/pacts/parties.py),
the agreement's name (index/pacts/agreement_names.py), its status and the date the text gives; then
the members of named agreements completed across articles."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise
from typing import TYPE_CHECKING

from index.glossary import Expander
from index.ingest.articles import ArticleInfo
from index.models.annotate import dated_spans
from index.pacts.agreement_names import (
    NAMED_KINDS,
    agreement_name,
    is_proper_name,
    kind_of,
    kinds_named_in,
    mentions_a_name,
)
from index.pacts.agreement_words import (
    ACCESS,
    AGREEMENT_NOUNS,
    AGREEMENT_WORDS,
    ALLIES,
    DEALING,
    JOINTLY,
    TIE,
    TIE_NOUNS,
    TIES,
    anchors,
    is_tie,
    mark_synonyms,
    names_agreement,
    parse,
    phrase,
    same_clause,
)
from index.pacts.agreements import AgreementMention, Status
from index.pacts.countries import Mention, find_countries, publisher_country
from index.pacts.parties import Party, Reported, agreements_in, joined_runs, joins, parties_in
from index.pacts.people import FIRST_PERSON, Voice, people_in, people_of, speaker_in

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# Bumped when the way agreements are read from text changes: indexes read them again (without
# embedding anything) rather than keep what an older reader found.
READER_VERSION = 36
# Whether a country is only a place ("talks in London") or the one deterred ("the threat from
# China") is read from the sentence's parse (index/pacts/parties.py).
# "US allies" are other countries; the "South China Sea" and the "Taiwan Strait" are places;
# the "American Enterprise Institute" is a think-tank.
_NOT_A_PARTY_AFTER = re.compile(
    r"[’']?s?\s+(?:allies|partners|Sea|Strait|Ocean|"
    r"(?:[A-Z][\w-]*\s+){0,3}(?:Institute|University|Centre|Center|Foundation|Forum|School|College))\b"
)
# "The two countries", "the nations", "the leaders", "the Prime Ministers" and the like refer to the
# parties named before.
_COUNTS = {"two": 2, "2": 2, "three": 3, "3": 3, "four": 4, "4": 4}
_COUNTED = "|".join(_COUNTS)


# A plural possessive is often written with a singular noun when it is counted: "the two
# country's defense relationship" is the two countries'.
_THE_PARTIES = re.compile(
    rf"\b(?:the|both)\s+(?:({_COUNTED})\s+)?"
    r"(?:countries|nations|sides|governments|allies|international locations|"
    r"leaders|(?:prime\s+)?ministers|presidents)\b|"
    rf"\b(?:the\s+({_COUNTED})|both)\s+(?:country|nation)[’']s\b",
    re.IGNORECASE,
)
# A speaker's "our alliance", "our partnership", "between our two nations": the speaker's country
# and the one it speaks to, the article's main pair (unless the sentence names another party).
_OURS = re.compile(
    rf"\bour\s+(?:(?:(?:{_COUNTED})\s+)?(?:countries|nations)|(?:\w+\s+){{0,2}}(?:{AGREEMENT_NOUNS})|"
    rf"(?:\w+\s+)?(?:defen[cs]e|military|security)\s+(?:{TIE_NOUNS}))\b",
    re.I,
)
# A joint statement or declaration speaks for both signatories: its "we" is the article's main pair.
_JOINT = re.compile(r"\bjoint\s+(?:press\s+)?(?:statement|declaration|communiqu[eé])", re.I)
# "A similar agreement", "such a pact": one like the article's, with the same publishing government.
_SIMILAR = re.compile(rf"\b(?:similar|such\s+an?|same\s+kind\s+of)\s+(?:\w+\s+){{0,2}}(?:{AGREEMENT_NOUNS})\b", re.I)
# A sentence that opens with "It" or "They" speaks of the country or countries that open the
# sentence before it: "Port Moresby has widened its circle of partners. It signed an agreement
# with the United States in 2023."
_OPENING_PRONOUN = re.compile(r"(?:It|They)\b")
_OPENING = re.compile(r"(?:The\s+)?")


# Status cues, most advanced first. Ratification or entry into force still to come
# ("until it has been ratified", "once it is in force") counts as neither.
_PENDING = re.compile(
    r"\b(?:until|before|once|must|needs?|requires?|await\w*|pending|yet to|not yet|subject to)\b", re.I
)


_STATUS_CUES: tuple[tuple[Status, re.Pattern[str]], ...] = (
    (
        "ended",
        re.compile(
            r"\b(?:withdr[ae]wn? from|withdrawal from|pulled out of|terminated|expired|scrapped|abrogated|"
            r"annulled|revoked|tore up|torn up)\b",
            re.I,
        ),
    ),
    ("in force", re.compile(r"\b(?:in force|into force|took effect|came into effect|entered into effect)\b", re.I)),
    ("ratified", re.compile(r"\bratified\b|\bratification was\b", re.I)),
    (
        "expected to sign",
        re.compile(
            r"\b(?:set|expected|anticipated|due|poised|plan(?:s|ning)?|aim(?:s|ing)?|going|ready)\s+to\s+"
            r"(?:\w+\s+)?(?:sign|signal|conclude|seal|finalise|finalize)\b|\bwill\s+(?:\w+\s+)?(?:sign|signal)\b",
            re.I,
        ),
    ),
    ("signed", re.compile(r"\b(?:signed|inked|concluded|sealed|(?:after|following|since) the signing)\b", re.I)),
    ("negotiating", re.compile(r"\b(?:talks|negotiat\w*|barter\w*|discussions)\b", re.I)),
    (
        "considering",
        re.compile(
            r"\b(?:consider\w*|contemplat\w*|explor\w*|preliminary|proposed|mulling|"
            r"seek(?:s|ing)?|sought|trying|attempt\w*)\b",
            re.I,
        ),
    ),
)


def status_of(sentence: str) -> Status | None:
    pending = _PENDING.search(sentence) is not None
    for status, cue in _STATUS_CUES:
        if cue.search(sentence) and not (pending and status in ("ended", "in force", "ratified")):
            return status
    return None


def _joined_groups(text: str) -> list[list[Mention]]:
    """Runs of countries joined by commas and "and" ("A, B and C"), in order."""
    return joined_runs(text, find_countries(text))


def _headline_pair(title: str, people: dict[str, str], speaker: str | None) -> list[str]:
    """The first countries the headline joins ("India and France sign ... as Vietnam and
    Indonesia talk"), else the two it names ("Greece to buy French frigates", "Sunak and Kishida
    sign ..."), else the publishing government's country and the one other it names ("Readout of
    the Secretary's Meeting With Romanian Minister ...")."""
    for group in _joined_groups(title):
        codes = list(dict.fromkeys(m.iso3 for m in group))
        if len(codes) >= 2:
            return codes
    named = list(dict.fromkeys(m.iso3 for m in _named_in(title, people)))
    if len(named) == 1 and speaker is not None and named[0] != speaker:
        return sorted([speaker, *named])
    return named if len(named) == 2 else []


def _groups(
    read: tuple[list[Party], list[Reported]], the_parties: Sequence[str]
) -> list[tuple[set[str], Token | None]]:
    """The agreements a sentence reports, from its parties and its agreement words' readings
    (`_read`), as (parties, agreement word): one per set of parties, with the word whose phrase
    tells it apart; word None when one word reports them all."""
    found, readings = read
    if not readings:
        return []  # no agreement word nor dealing verb: "Denmark and Sweden joined in February"
    groups: list[tuple[set[str], Token | None]] = []
    unheld: set[str] = set()  # partners of deals whose other party the sentence does not name
    for reported in readings:
        parties, partners, word = set(reported.parties) | set(the_parties), list(reported.partners), reported.word
        if reported.each and len(partners) >= 2:
            # "Tokyo has similar pacts with Australia and the UK": one pact with each, held by the
            # clause's parties, else by the sentence's subjects ("Germany agreed ..., although
            # those arrangements, made separately with Prague and Bucharest, ...").
            subjects = {p.iso3 for p in found if p.subject} - set(partners)
            holders = parties - set(partners) or subjects
            if not holders:
                # "the treaties between A and B" bind them to each other; "deals with A and B"
                # bind them to someone the sentence does not name, not to each other.
                if _between(word):
                    groups.append((parties, word))
                else:
                    unheld |= set(partners)
                continue
            groups += [(holders | {other}, word) for other in partners]
        else:
            groups.append((parties, word))
    # Of the words that report one set of parties, an agreement's own word names it before a tie or
    # an ally does ("reaffirmed the strong security and defence ties between India and Australia
    # and welcomed a Joint Declaration on Security Cooperation").
    groups.sort(key=lambda group: group[1] is not None and is_tie(group[1]))
    distinct = [
        (parties, word)
        for n, (parties, word) in enumerate(groups)
        if len(parties) >= 2 and parties not in [g for g, _ in groups[:n]]
    ]
    if not distinct:
        # No clause holds two parties, but the sentence ties two to its agreement in different
        # clauses: "New Zealand has similar agreements, the most recent one signed with Fiji".
        # Not the objects of a sale that names neither seller nor buyer (`agreements_in`).
        unsold = {r.word.i for r in readings if r.word.pos_ in ("VERB", "AUX") and not r.parties}
        everyone = {p.iso3 for p in found if p.verb not in unsold} | set(the_parties)
        return [(everyone, None)] if len(everyone - unheld) >= 1 and len(everyone) >= 2 else []
    words = [word for _, word in distinct if word is not None]
    one_word = len({w.i for w in words}) <= 1
    if one_word and (not words or all(same_clause(r.word, words[0]) for r in readings)):
        # One agreement word, and no other in another clause: the whole sentence speaks of it.
        return [(parties, None) for parties, _ in distinct]
    return distinct


def _between(word: Token) -> bool:
    """ "the treaties between A and B", "agreements signed between A and B", "Polish-French
    agreements" (two countries joined by a hyphen before the word, or before a verb's object:
    "agree improved UK-Poland cooperation")."""
    clauses = [c for c in word.children if c.dep_ in ("acl", "relcl")]
    if any(
        c.dep_ == "prep" and c.lower_ in ("between", "among", "amongst") for t in (word, *clauses) for c in t.children
    ):
        return True
    # A verb's object: "agree improved UK-Poland cooperation".
    nouns = [word] if word.pos_ not in ("VERB", "AUX") else [c for c in word.children if c.dep_ == "dobj"]
    for noun in nouns:
        before = word.doc.text[noun.left_edge.idx : noun.idx]
        named = find_countries(before)
        if any(before[a.end : b.start] in ("-", "–") for a, b in pairwise(named)):
            return True
    return False


def _accession(read: tuple[list[Party], list[Reported]], doc: Doc) -> list[tuple[set[str], Token | None]]:
    """One country that joins an agreement ("Italy joined the Global Combat Air Programme"), as a
    one-party group: it adds a member to the named agreement (`complete_memberships`)."""
    found, readings = read
    joining = {p.iso3 for p in found if joins(p, doc)}
    groups: list[tuple[set[str], Token | None]] = [
        ({r.parties[0]}, r.word) for r in readings if len(r.parties) == 1 and r.parties[0] in joining
    ]
    return groups[:1]


# "Denmark and Sweden joined in February": a join with no object joins the article's agreement.
_JOINS = re.compile(r"\bjoin(?:s|ed)?\b", re.IGNORECASE)


def _reports(
    sentence: str, before: str, people: dict[str, str], expander: Expander, named_kinds: set[str], voice: Voice
) -> tuple[tuple[str, int], list[Mention]] | None:
    """The word that makes the sentence report an agreement ("pact", or a verb such as "signed"
    when it names two countries, or "joined" when it names one) and where it starts, with the
    countries the sentence names; None when it reports none (the countries are then not looked
    for). `before`: the sentence before it in its paragraph, which an opening "It" may stand for;
    `named_kinds`: the article's `kinds_named_in`; `voice`: who a government's text speaks as and to."""
    word = AGREEMENT_WORDS.search(sentence)
    if word is not None:
        # "the Global Combat Air Programme": capitalised inside the sentence, it is a name.
        capitalised = word.group(1)[0].isupper() and word.start(1) > 0
        kind = kind_of(word.group(1))
        has_name = kind not in NAMED_KINDS or capitalised or kind in named_kinds or mentions_a_name(sentence, expander)
        return ((word.group(1), word.start(1)), _named_in(sentence, people, before, voice)) if has_name else None
    acronym = next(
        (m for m in _CAPITALS.finditer(sentence) if names_agreement(m.group(), expander.canonical_terms)), None
    )
    if acronym is not None:
        return (acronym.group(), acronym.start()), _named_in(sentence, people, before, voice)
    if tie := TIES.search(sentence) or ALLIES.search(sentence):
        group = tie.lastindex or 0  # the tie's noun; an ally is the whole match
        return (tie.group(group), tie.start(group)), _named_in(sentence, people, before, voice)
    verb = (
        DEALING.search(sentence)
        or _JOINS.search(sentence)
        or _TALKS.search(sentence)
        or JOINTLY.search(sentence)
        or _access(sentence, expander)
    )
    if verb is None:
        return None
    named = _named_in(sentence, people, before, voice)
    needed = 1 if _JOINS.fullmatch(verb.group()) else 2
    return ((verb.group(), verb.start()), named) if len({m.iso3 for m in named}) >= needed else None


# Talks, and access to bases, report an agreement in the making without an agreement word (the
# parse decides: index/pacts/parties.py `anchors`).
_CAPITALS = re.compile(r"\b[A-Z]{3,}\b")
_TALKS = re.compile(r"\b(?:talks|negotiations)\b", re.IGNORECASE)


def _access(sentence: str, expander: Expander) -> re.Match[str] | None:
    """The first word the glossary reads as "access" ("access", the seed's "entry")."""
    if ACCESS not in expander.canonical_terms(sentence):
        return None
    return next((m for m in re.finditer(r"\w+", sentence) if ACCESS in expander.canonical_terms(m.group())), None)


_NO_VOICE = Voice()  # not a government's text


def _named_in(sentence: str, people: dict[str, str], before: str = "", voice: Voice = _NO_VOICE) -> list[Mention]:
    """The countries a sentence names, itself, through the people the article tied to them, by
    an opening pronoun (`_OPENING_PRONOUN`), or as the government that published it speaking of
    itself or of the country it addresses (`speaker_in`)."""
    countries = [m for m in find_countries(sentence) if not _NOT_A_PARTY_AFTER.match(sentence[m.end :])]
    found = countries + people_in(sentence, people, countries) + _pronoun_subjects(sentence, before)
    found += [m for m in speaker_in(sentence, voice) if not any(m.start < c.end and c.start < m.end for c in found)]
    return sorted(found, key=lambda m: m.start)


def _pronoun_subjects(sentence: str, before: str) -> list[Mention]:
    """An opening "It" (one country) or "They" (several) as the countries that open `before`,
    at the pronoun's place; none when `before` opens with no country."""
    pronoun = _OPENING_PRONOUN.match(sentence)
    groups = _joined_groups(before) if pronoun else []
    if pronoun is None or not groups or not _OPENING.fullmatch(before[: groups[0][0].start]):
        return []
    codes = list(dict.fromkeys(m.iso3 for m in groups[0]))
    if (len(codes) == 1) != (pronoun.group() == "It"):
        return []
    return [Mention(code, pronoun.start(), pronoun.end()) for code in codes]


def _most_named(sentences: Sequence[tuple[int, str]], people: dict[str, str]) -> list[str]:
    """The two countries an article names most, when two stand out: the pair a speech's "our
    partnership" is about when no sentence names the pair together."""
    counts = Counter(m.iso3 for _, sentence in sentences for m in _named_in(sentence, people))
    top = counts.most_common(3)
    if len(top) < 2 or top[1][1] < 2 or (len(top) == 3 and top[2][1] == top[1][1]):
        return []
    return sorted(code for code, _ in top[:2])


def _read(doc: Doc, named: Sequence[Mention]) -> tuple[list[Party], list[Reported]]:
    """A parsed sentence's parties, and what each of its agreement words makes of them."""
    anchored = anchors(doc)
    found = parties_in(doc, named, anchored)
    return found, agreements_in(anchored, found)


def extract(article: ArticleInfo, sentences: Sequence[tuple[int, str]], expander: Expander) -> list[AgreementMention]:
    """Agreement mentions in an article's sentences, given as (paragraph, sentence) in order.

    A mention needs an agreement word and two or more parties (index/pacts/parties.py), or one country
    that joins a named agreement (`complete_memberships`); a person the article introduced with a
    country's title stands for that country (index/pacts/people.py), and an opening "It" for the
    country that opens the sentence before; in a text a government published, "we" and that
    government's offices stand for its country (index/pacts/people.py `speaker_in`). "The two
    countries", and a speaker's "our alliance", stand for the article's main pair: the countries
    its headline joins (or the publishing government's and the one other its headline names),
    else the first sentence's that names two parties, else the two the article names most.
    """
    speaker = publisher_country(article.publisher)
    people = people_of((sentence for _, sentence in sentences), speaker)
    headline = _headline_pair(article.title, people, speaker)
    addressed = [c for c in headline if c != speaker] if speaker in headline else []
    voice = Voice(speaker, addressed[0] if len(addressed) == 1 else None)
    joint = _JOINT.search(article.title) is not None
    named_kinds = kinds_named_in(sentences)
    reporting = []
    for n, (paragraph, sentence) in enumerate(sentences):
        before = sentences[n - 1][1] if n and sentences[n - 1][0] == paragraph else ""
        if reports := _reports(sentence, before, people, expander, named_kinds, voice):
            reporting.append((paragraph, sentence, *reports))
    # Only the sentences that report an agreement are parsed, and each parse is read once.
    docs = parse([sentence for _, sentence, _, _ in reporting])
    for doc in docs:
        mark_synonyms(doc, expander.written_terms)
    read = [_read(doc, named) for (_, _, _, named), doc in zip(reporting, docs, strict=True)]
    main_pair = (
        headline
        or next((sorted(group) for r in read for group, _ in _groups(r, [])), [])
        or (_most_named(sentences, people) if any(_OURS.search(s) for _, s, _, _ in reporting) else [])
    )
    mentions = []
    joining: list[tuple[int, str, str]] = []  # (paragraph, sentence, country) of each objectless join
    for (paragraph, sentence, keyword, countries), doc, r in zip(reporting, docs, read, strict=True):
        parties = {p.iso3 for p in r[0]}
        # A joint statement's "we" is not the parties of an agreement whose own phrase names them
        # ("our cooperation is consistent with the agreement between the UK and the EU").
        ours = joint and not any(reported.partners for reported in r[1])
        the_parties = main_pair if _speaks_of_the_parties(sentence, parties, main_pair, ours) else []
        # "Lithuania signed a similar agreement", "Latvia is the second nation to sign such an
        # agreement", in the publisher's text about its own: with the publisher.
        similar = speaker if speaker in main_pair and _SIMILAR.search(sentence) else None
        if similar is not None and not the_parties and len(parties - {similar}) == 1:
            the_parties = [similar]
        if speaker is not None:
            r = (r[0], [_allied_to(reported, speaker) for reported in r[1]])
        groups = _groups(r, the_parties) or _accession(r, doc)
        others = {m.iso3 for m in countries} - {speaker}
        if similar is not None and not groups and not parties and len(others) == 1:
            groups = [({similar, *others}, None)]
        if not groups and _JOINS.fullmatch(keyword[0]):
            joining += [(paragraph, sentence, p.iso3) for p in r[0] if joins(p, doc, alone=True)]
        for group, word in groups:
            # A sentence reporting several agreements gives each its own words for its status,
            # date and name; one reporting a single agreement speaks of it throughout.
            words = list(doc) if word is None else phrase(word)
            text = sentence if word is None else " ".join(t.text for t in words)
            said, start = keyword if word is None else (word.text, word.idx)
            # One agreement in the sentence: the agreement words of the first one's clause may give
            # its name ("our partnership ... to a Comprehensive Strategic Partnership").
            words_of = [reported.word for reported in r[1]]
            starts = [w.idx for w in words_of if same_clause(w, words_of[0])] if word is None and words_of else []
            name = agreement_name(text, said, starts or [start], expander, doc)
            if len(group) == 1 and not is_proper_name(name):
                continue  # a country joining "the programme" adds to no agreement it names
            mentions.append(
                AgreementMention(
                    name=name,
                    parties=sorted(group),
                    status=None if name == TIE else status_of(text),  # a standing tie has no status
                    date=article.published,
                    when=_date_given(doc, article.published, {t.i for t in words}),
                    article_id=article.id,
                    paragraph=paragraph,
                    quote=sentence,
                )
            )
    mentions = _the_named(mentions)
    named = {m.name for m in mentions if is_proper_name(m.name) and len(m.parties) >= 2}
    if len(named) == 1:  # "Denmark and Sweden joined in February": the article's one named agreement
        (name,) = named
        mentions += [
            AgreementMention(
                name=name, parties=[iso3], status=None, date=article.published,
                article_id=article.id, paragraph=paragraph, quote=sentence,
            )
            for paragraph, sentence, iso3 in dict.fromkeys(joining)
        ]  # fmt: skip
    return mentions


def _allied_to(reported: Reported, speaker: str) -> Reported:
    """In a government's text, an ally that the sentence names no partner for is the government's:
    "Morocco is a major non-NATO ally" in the U.S. Department of Defense's."""
    lone = len(reported.parties) == 1 and reported.parties[0] != speaker
    if ALLIES.fullmatch(reported.word.text) and lone and not reported.partners:
        return replace(reported, parties=[*reported.parties, speaker], partners=[speaker])
    return reported


def _the_named(mentions: list[AgreementMention]) -> list[AgreementMention]:
    """ "The initiative" or "the programme" in an article that names one of that kind: that one
    ("the European Sky Shield Initiative ... Germany launched the initiative")."""
    proper: dict[str, set[str]] = {}
    for m in mentions:
        if is_proper_name(m.name) and kind_of(m.name.split()[-1]) in NAMED_KINDS:
            proper.setdefault(kind_of(m.name.split()[-1]), set()).add(m.name)
    return [replace(m, name=next(iter(proper[m.name]))) if len(proper.get(m.name, ())) == 1 else m for m in mentions]


def _speaks_of_the_parties(sentence: str, named: set[str], main_pair: Sequence[str], joint: bool) -> bool:
    """Whether "the two countries" or a speaker's "our alliance" in the sentence means the article's
    main pair (in a joint statement, any "we": `joint`): not when the sentence names two parties of
    its own ("Croatia, Albania and Kosovo ... the three countries"), nor when it counts another
    number of them."""
    if len(named) >= 2 and not named <= set(main_pair):
        return False
    if _OURS.search(sentence) is not None or (joint and FIRST_PERSON.search(sentence)):
        return named <= set(main_pair)  # "our partnership with Japan" is not about the main pair
    the = _THE_PARTIES.search(sentence)
    counted = the and (the.group(1) or the.group(2))
    return the is not None and (not counted or _COUNTS[counted.lower()] == len(main_pair))


def _date_given(doc: Doc, published: dt.date | None, words: set[int]) -> str | None:
    """The first date among `words` of the sentence, resolved against the article's date with
    the tense of its own clause (index/models/annotate.py), as the quotes' dates are."""
    for ent, dated in dated_spans(doc, published):
        if ent.start in words:
            return dated.value
    return None
