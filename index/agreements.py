"""Agreements between countries, as the articles report them, with the sentences that say so."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, TypeAdapter, ValidationError
from pydantic.dataclasses import dataclass

from index.annotate import dated_spans
from index.articles import ArticleInfo
from index.citation import Citation
from index.countries import Country, Mention, UnknownCountryError, find_countries, name_of, resolve
from index.glossary import Expander
from index.parties import (
    ACCESS,
    AGREEMENT_NOUNS,
    AGREEMENT_WORDS,
    DEALING,
    Party,
    Reported,
    agreements_in,
    anchors,
    joined_runs,
    joins,
    mark_synonyms,
    names_agreement,
    parse,
    parties_in,
    phrase,
    reads_as,
    same_clause,
)
from index.people import people_in, people_of
from index.text import counted, stems
from index.yamlfile import load_yaml, yaml_problem

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

Status = Literal["considering", "negotiating", "expected to sign", "signed", "ratified", "in force", "ended"]
# In order of progress: a later mention of an agreement may move it along, never back.
STATUSES: tuple[Status, ...] = (
    "considering",
    "negotiating",
    "expected to sign",
    "signed",
    "ratified",
    "in force",
    "ended",  # withdrawn from, terminated, expired: the furthest an agreement goes
)
# Bumped when the way agreements are read from text changes: indexes read them again (without
# embedding anything) rather than keep what an older reader found.
READER_VERSION = 7
UNKNOWN_STATUS = "status unknown"  # a mention that does not say how far the agreement has got


def status_label(status: Status | None) -> str:
    """One vocabulary for text, embeds, JSON and the map's legend."""
    return UNKNOWN_STATUS if status is None else status


def _read_status(value: object) -> object:
    return None if value == UNKNOWN_STATUS else value


# A status as people are shown it: None in Python, where the map and the summaries compare
# statuses, and in JSON the words the text, the embeds and the legend use ("status unknown").
ShownStatus = Annotated[
    Status | None, BeforeValidator(_read_status), PlainSerializer(status_label, return_type=str, when_used="json")
]


# A slotted dataclass, as passages are (index/passages.py): an index holds one per sentence
# that reports an agreement.
@dataclass(slots=True, kw_only=True)
class AgreementMention:
    """One sentence reporting an agreement between two or more countries."""

    name: str  # canonical where the glossary knows it ("Reciprocal Access Agreement"), else generic
    parties: list[str]  # ISO 3166-1 alpha-3 codes, sorted
    status: Status | None  # None when the sentence does not say how far it has got
    date: dt.date | None  # the article's date: when it was reported
    # The date the sentence gives for it, resolved against the article's and as precise as the
    # text allows ("2022-01" for "in January"); None when it gives none.
    when: str | None = None
    article_id: str
    paragraph: int
    quote: str  # the sentence, verbatim


MENTION_JSON: TypeAdapter[AgreementMention] = TypeAdapter(AgreementMention)  # agreements.jsonl lines


class Agreement(BaseModel):
    """An agreement between a set of parties, summarised over all the sentences that mention it."""

    name: str
    parties: list[str]
    status: ShownStatus  # the status of the latest mention that shows one
    date: dt.date | None  # when that mention was reported (its article's date)
    when: str | None = None  # the date the text gives for that status, as precise as it allows
    sentences: int = 0  # how many sentences report it ...
    articles: int = 0  # ... in how many articles
    weak: bool = False  # one sentence of one article: a possible misreading, shown as such
    correction: bool = False  # added or changed by a moderator in knowledge/agreements.yaml
    citations: list[Citation]

    @property
    def evidence(self) -> str:
        """How it was found, in words: "3 sentences in 2 articles", "one mention only"."""
        if self.correction:
            return "moderator's correction"
        if self.weak:
            return "one mention only"
        return f"{counted(self.sentences, 'sentence')} in {counted(self.articles, 'article')}"

    @property
    def dated(self) -> str:
        """The date the text gives, with the date it was reported beside it."""
        reported = f"reported {self.date.isoformat()}" if self.date else "undated"
        return f"{self.when}, {reported}" if self.when else reported


_NAMED = re.compile(r"\b(?:Agreement|Treaty|Pact|Accord|Alliance|Partnership|Programme|Program)\b")
_ACRONYM_NEAR = re.compile(r"\b([A-Z]{3,})\b(?=(?:\s+\w+){0,2}\s+(?:pact|partnership|alliance|deal|agreement|treaty))")
# Whether a country is only a place ("talks in London") or the one deterred ("the threat from
# China") is read from the sentence's parse (index/parties.py).
# "US allies" are other countries; the "South China Sea" and the "Taiwan Strait" are places;
# the "American Enterprise Institute" is a think-tank.
_NOT_A_PARTY_AFTER = re.compile(
    r"[’']?s?\s+(?:allies|partners|Sea|Strait|Ocean|"
    r"(?:[A-Z][\w-]*\s+){0,3}(?:Institute|University|Centre|Center|Foundation|Forum|School|College))\b"
)
# "The two countries", "the nations" and the like refer to the parties named before.
_COUNTS = {"two": 2, "2": 2, "three": 3, "3": 3, "four": 4, "4": 4}
_COUNTED = "|".join(_COUNTS)
_THE_PARTIES = re.compile(
    rf"\b(?:the|both)\s+(?:({_COUNTED})\s+)?(?:countries|nations|sides|governments|allies|international locations)\b",
    re.IGNORECASE,
)
# A speaker's "our alliance", "our partnership", "between our two nations": the speaker's country
# and the one it speaks to, the article's main pair (unless the sentence names another party).
_OURS = re.compile(
    rf"\bour\s+(?:(?:(?:{_COUNTED})\s+)?(?:countries|nations)|(?:\w+\s+){{0,2}}(?:{AGREEMENT_NOUNS}))\b", re.I
)
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


def _headline_pair(title: str, people: dict[str, str]) -> list[str]:
    """The first countries the headline joins ("India and France sign ... as Vietnam and
    Indonesia talk"), else the two it names ("Greece to buy French frigates", "Sunak and Kishida
    sign ...")."""
    for group in _joined_groups(title):
        codes = list(dict.fromkeys(m.iso3 for m in group))
        if len(codes) >= 2:
            return codes
    named = list(dict.fromkeys(m.iso3 for m in _named_in(title, people)))
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
    return any(c.dep_ == "prep" and c.lower_ in ("between", "among", "amongst") for c in word.children)


GENERIC = "defence agreement"
BASE_ACCESS = "access to bases"  # `_access`: the arrangement "access to bases in X" stands for
# The names `_name` gives an agreement the text does not name: "the pact", "our partnership".
_GENERIC_WORDS = frozenset({GENERIC, "partnership", "alliance", "programme", "initiative"})


def _accession(read: tuple[list[Party], list[Reported]], doc: Doc) -> list[tuple[set[str], Token | None]]:
    """One country that joins an agreement ("Italy joined the Global Combat Air Programme"), as a
    one-party group: it adds a member to the named agreement (`complete_memberships`)."""
    found, readings = read
    joining = {p.iso3 for p in found if joins(p, doc)}
    groups: list[tuple[set[str], Token | None]] = [
        ({r.parties[0]}, r.word) for r in readings if len(r.parties) == 1 and r.parties[0] in joining
    ]
    return groups[:1]


def _is_proper(name: str) -> bool:
    """Whether the agreement has a name of its own, not one of its kind ("defence agreement")."""
    return name[0].isupper()


# Kinds of agreement that are one only with a name: "the programme" alone is any programme,
# unless the article names one ("the Global Combat Air Programme ... the programme").
_NAMED_KINDS = frozenset({"programme", "program", "initiative"})
_KIND_NAMED = re.compile(r"\b[A-Z][\w-]*\s+(Programmes?|Programs?|Initiatives?)\b")
# "Denmark and Sweden joined in February": a join with no object joins the article's agreement.
_JOINS = re.compile(r"\bjoin(?:s|ed)?\b", re.IGNORECASE)


def _kind_of(keyword: str) -> str:
    return keyword.lower().removesuffix("s")


def _named_kinds(sentences: Sequence[tuple[int, str]]) -> set[str]:
    """The kinds of `_NAMED_KINDS` the article names one of."""
    return {_kind_of(m.group(1)) for _, sentence in sentences for m in _KIND_NAMED.finditer(sentence)}


def _has_name(sentence: str, expander: Expander) -> bool:
    return any(_NAMED.search(t) and t[0].isupper() for t in expander.canonical_terms(sentence))


# Adjectives that say what kind of agreement an unnamed one is ("a maritime security agreement");
# others ("new", "landmark", "bilateral") say nothing that tells two agreements apart.
_KIND_ADJECTIVES = frozenset("maritime military naval nuclear strategic economic intelligence cyber".split())
_KIND_NOUNS = {
    word: base
    for base, forms in (
        ("agreement", "agreement agreements pact pacts deal deals accord accords"),
        ("treaty", "treaty treaties"),
    )
    for word in forms.split()
}


def _kind(doc: Doc, start: int) -> str | None:
    """An unnamed agreement's kind from the words before its noun in its phrase: "maritime
    security agreement", "logistics agreement"; None when only "defence" or nothing modifies it."""
    span = doc.char_span(start, start + 1, alignment_mode="expand")
    if span is None:
        return None
    noun = span.root
    tokens = [
        t
        for t in doc[noun.left_edge.i : noun.i]
        if (t.dep_ == "compound" and t.pos_ == "NOUN") or t.lower_ in _KIND_ADJECTIVES
    ]
    tokens = [t for n, t in enumerate(tokens) if t.lower_ not in {u.lower_ for u in tokens[:n]}]  # each once
    if len(tokens) == 1 and tokens[0].lower_ in ("defence", "defense", "security"):
        return None
    return f"{_as_written(tokens)} {_KIND_NOUNS.get(noun.lower_, noun.lower_)}" if tokens else None


def _as_written(tokens: Sequence[Token]) -> str:
    """Words in lower case, spaced as the text spaces them: the parser splits "co-operation" into
    "co", "-", "operation", and a name keeps its hyphen ("defence co-operation agreement")."""
    text = ""
    for n, token in enumerate(tokens):
        before = tokens[n - 1] if n else None
        joined = before is not None and before.i + 1 == token.i and not before.whitespace_
        text += ("" if joined or not text else " ") + token.lower_
    return text


def _proper_name(doc: Doc, start: int) -> str | None:
    """The name a capitalised agreement word ends ("signed the Pukpuk Treaty", "a Comprehensive
    Strategic Partnership", "the UK-Ukraine 100 Year Partnership" without the countries, which
    say who and not what); None for a lower-case word, a lone "Agreement", or a headline written
    in title case, where every word is capitalised."""
    span = doc.char_span(start, start + 1, alignment_mode="expand")
    if span is None or not span[0].text[0].isupper():
        return None
    if all(t.text[0].isupper() for t in doc if t.is_alpha and len(t) >= 4):
        return None  # "Japan and Australia Sign New Security Agreement"
    first = end = span[0].i
    while first > 0 and (doc[first - 1].text[0].isupper() or doc[first - 1].like_num or _joins_name(doc, first - 1)):
        first -= 1
    if first == 0 and doc[0].pos_ != "PROPN":
        first += 1  # capitalised only because it opens the sentence
    # Not the countries ("the UK-Ukraine 100 Year Partnership"), but "the Washington Declaration".
    while first < end - 1 and (find_countries(doc[first].text) or doc[first].text in ("-", "–")):
        first += 1
    return doc[first : end + 1].text if first < end else None


def _joins_name(doc: Doc, i: int) -> bool:
    """Whether the word joins two capitalised words of a name: "Comprehensive and Progressive",
    the hyphen of "Cross-Servicing"."""
    if doc[i].text in ("-", "–") and 0 < i < len(doc) - 1:  # "Cross-Servicing", "Intermediate-Range"
        return not doc[i - 1].whitespace_ and not doc[i].whitespace_ and doc[i - 1].text[0].isupper()
    return doc[i].lower_ in ("and", "of") and i > 0 and doc[i - 1].text[0].isupper()


def _name(sentence: str, keyword: str, starts: Sequence[int], expander: Expander, doc: Doc) -> str:
    """The agreement's name: the glossary's, one its capitalised words give, an acronym near it,
    else its kind. `starts`: where the agreement words it is read from start in `doc`."""
    named = [t for t in expander.canonical_terms(sentence) if _NAMED.search(t) and t[0].isupper()]
    own = [t for t in named if _names_it(sentence, t, expander)]
    if own:
        return own[0]
    if proper := next(filter(None, (_proper_name(doc, start) for start in starts)), None):
        return proper
    if named and (written := _written_name(sentence, named[0], expander, doc)):
        return written  # "a status of forces agreement": the glossary's group, but another agreement
    acronym = _ACRONYM_NEAR.search(sentence)
    if acronym and not find_countries(acronym.group(1)):
        return acronym.group(1)
    word = keyword.lower()
    span = doc.char_span(starts[0], starts[0] + len(keyword), alignment_mode="expand")
    if span is not None and reads_as(span[0]) == ACCESS:
        return BASE_ACCESS
    if word.startswith(("allian", "partnership", "programme", "initiative")):
        return word.rstrip("s")  # "alliances" -> "alliance"
    # An unnamed agreement of a particular kind stays its own: a "maritime security agreement"
    # is never merged into the pair's named one, as a bare "the pact" is.
    return _kind(doc, starts[0]) or GENERIC


# Words that say what kind of thing a name is, not which one: "the Reciprocal Entry Settlement" and
# the "Reciprocal Access Agreement" differ only in them (and in what the glossary says "entry" means).
_KIND_STEMS = frozenset(
    stems("agreement settlement deal pact accord treaty offers arrangement of the and for on", True)
)


def _names_it(sentence: str, name: str, expander: Expander) -> bool:
    """Whether the words by which the glossary finds `name` in the sentence name that agreement:
    the name itself, its initials ("RAA"), or its own words in other terms ("Reciprocal Entry
    Settlement"); not another agreement that the glossary groups with it ("status of forces
    agreement" or "SOFA" for the Visiting Forces Agreement)."""
    own = {_meaning(s, expander) for s in stems(name, True)} - _KIND_STEMS
    if own <= set(stems(sentence, True)):
        return True
    initials = "".join(w[0] for w in name.split() if w[0].isupper()).lower()
    for expansion in expander.expand(sentence):
        if name in expansion.phrases:
            used = expansion.used - _KIND_STEMS
            return bool(used) and all(s == initials or _meaning(s, expander) in own for s in used)
    return False


def _meaning(stem: str, expander: Expander) -> str:
    """A word's stem as the glossary reads it: "entri" (the seed's "entry") is "access"."""
    terms = [t for t in expander.canonical_terms(stem) if " " not in t]
    return next(iter(stems(terms[0])), stem) if terms else stem


def _written_name(sentence: str, name: str, expander: Expander, doc: Doc) -> str | None:
    """The words the sentence names an agreement by, as written, when the glossary groups them under
    another's name (`_names_it`): "status of forces agreement"."""
    used = next((e.used for e in expander.expand(sentence) if name in e.phrases), frozenset())
    at = [t.i for t in doc if next(iter(stems(t.text, True)), None) in used]
    if not at or at[-1] - at[0] > 6:
        return None
    return doc[at[0] : at[-1] + 1].text


def _reports(
    sentence: str, before: str, people: dict[str, str], expander: Expander, named_kinds: set[str]
) -> tuple[tuple[str, int], list[Mention]] | None:
    """The word that makes the sentence report an agreement ("pact", or a verb such as "signed"
    when it names two countries, or "joined" when it names one) and where it starts, with the
    countries the sentence names; None when it reports none (the countries are then not looked
    for). `before`: the sentence before it in its paragraph, which an opening "It" may stand for;
    `named_kinds`: the article's `_named_kinds`."""
    word = AGREEMENT_WORDS.search(sentence)
    if word is not None:
        # "the Global Combat Air Programme": capitalised inside the sentence, it is a name.
        capitalised = word.group(1)[0].isupper() and word.start(1) > 0
        kind = _kind_of(word.group(1))
        has_name = kind not in _NAMED_KINDS or capitalised or kind in named_kinds or _has_name(sentence, expander)
        return ((word.group(1), word.start(1)), _named_in(sentence, people, before)) if has_name else None
    acronym = next(
        (m for m in _CAPITALS.finditer(sentence) if names_agreement(m.group(), expander.canonical_terms)), None
    )
    if acronym is not None:
        return (acronym.group(), acronym.start()), _named_in(sentence, people, before)
    verb = DEALING.search(sentence) or _JOINS.search(sentence) or _TALKS.search(sentence) or _access(sentence, expander)
    if verb is None:
        return None
    named = _named_in(sentence, people, before)
    needed = 1 if _JOINS.fullmatch(verb.group()) else 2
    return ((verb.group(), verb.start()), named) if len({m.iso3 for m in named}) >= needed else None


# Talks, and access to bases, report an agreement in the making without an agreement word (the
# parse decides: index/parties.py `anchors`).
_CAPITALS = re.compile(r"\b[A-Z]{3,}\b")
_TALKS = re.compile(r"\b(?:talks|negotiations)\b", re.IGNORECASE)


def _access(sentence: str, expander: Expander) -> re.Match[str] | None:
    """The first word the glossary reads as "access" ("access", the seed's "entry")."""
    if ACCESS not in expander.canonical_terms(sentence):
        return None
    return next((m for m in re.finditer(r"\w+", sentence) if ACCESS in expander.canonical_terms(m.group())), None)


def _named_in(sentence: str, people: dict[str, str], before: str = "") -> list[Mention]:
    """The countries a sentence names, itself, through the people the article tied to them, or
    by an opening pronoun (`_OPENING_PRONOUN`)."""
    countries = [m for m in find_countries(sentence) if not _NOT_A_PARTY_AFTER.match(sentence[m.end :])]
    found = countries + people_in(sentence, people, countries) + _pronoun_subjects(sentence, before)
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

    A mention needs an agreement word and two or more parties (index/parties.py), or one country
    that joins a named agreement (`complete_memberships`); a person the article introduced with a
    country's title stands for that country (index/people.py), and an opening "It" for the
    country that opens the sentence before. "The two countries", and a speaker's "our alliance",
    stand for the article's main pair: the countries its headline joins, else the first
    sentence's that names two parties, else the two the article names most.
    """
    people = people_of(sentence for _, sentence in sentences)
    named_kinds = _named_kinds(sentences)
    reporting = []
    for n, (paragraph, sentence) in enumerate(sentences):
        before = sentences[n - 1][1] if n and sentences[n - 1][0] == paragraph else ""
        if reports := _reports(sentence, before, people, expander, named_kinds):
            reporting.append((paragraph, sentence, *reports))
    # Only the sentences that report an agreement are parsed, and each parse is read once.
    docs = parse([sentence for _, sentence, _, _ in reporting])
    for doc in docs:
        mark_synonyms(doc, expander.canonical_terms)
    read = [_read(doc, named) for (_, _, _, named), doc in zip(reporting, docs, strict=True)]
    main_pair = (
        _headline_pair(article.title, people)
        or next((sorted(group) for r in read for group, _ in _groups(r, [])), [])
        or (_most_named(sentences, people) if any(_OURS.search(s) for _, s, _, _ in reporting) else [])
    )
    mentions = []
    joining: list[tuple[int, str, str]] = []  # (paragraph, sentence, country) of each objectless join
    for (paragraph, sentence, keyword, _), doc, r in zip(reporting, docs, read, strict=True):
        the_parties = main_pair if _speaks_of_the_parties(sentence, {p.iso3 for p in r[0]}, main_pair) else []
        groups = _groups(r, the_parties) or _accession(r, doc)
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
            name = _name(text, said, starts or [start], expander, doc)
            if len(group) == 1 and not _is_proper(name):
                continue  # a country joining "the programme" adds to no agreement it names
            mentions.append(
                AgreementMention(
                    name=name,
                    parties=sorted(group),
                    status=status_of(text),
                    date=article.published,
                    when=_date_given(doc, article.published, {t.i for t in words}),
                    article_id=article.id,
                    paragraph=paragraph,
                    quote=sentence,
                )
            )
    mentions = _the_named(mentions)
    named = {m.name for m in mentions if _is_proper(m.name) and len(m.parties) >= 2}
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


def _the_named(mentions: list[AgreementMention]) -> list[AgreementMention]:
    """ "The initiative" or "the programme" in an article that names one of that kind: that one
    ("the European Sky Shield Initiative ... Germany launched the initiative")."""
    proper: dict[str, set[str]] = {}
    for m in mentions:
        if _is_proper(m.name) and _kind_of(m.name.split()[-1]) in _NAMED_KINDS:
            proper.setdefault(_kind_of(m.name.split()[-1]), set()).add(m.name)
    return [replace(m, name=next(iter(proper[m.name]))) if len(proper.get(m.name, ())) == 1 else m for m in mentions]


def _memberships(sets: set[frozenset[str]]) -> list[frozenset[str]]:
    """The agreements a name's party sets stand for: the largest sets, none inside another; or
    one, their union, when every one has three members or more and they link up through shared
    members: one multilateral agreement that sentences name part of ("Austria and Switzerland
    signed up to the European Sky Shield Initiative", "Germany launched the initiative with
    Britain, the Netherlands ..."). Bilateral ones of one name (each Reciprocal Access
    Agreement) stay apart."""
    largest = [s for s in sets if not any(s < other for other in sets)]
    if len(largest) < 2 or any(len(s) < 3 for s in largest):
        return largest
    union, rest = set(largest[0]), largest[1:]
    while linked := [s for s in rest if union & s]:
        union.update(*linked)
        rest = [s for s in rest if s not in linked]
    return largest if rest else [frozenset(union)]


def complete_memberships(mentions: Sequence[AgreementMention]) -> list[AgreementMention]:
    """Each named agreement with all its members. Mentions that name some of its members ("Britain
    and Japan's Global Combat Air Programme", "Italy joined the Global Combat Air Programme") are
    mentions of the one agreement of that name whose mentions name the others. A name that
    several agreements share (Japan's Reciprocal Access Agreements with Australia and with the
    UK) gives each subset the one agreement it fits, if only one; a one-country mention that
    fits none is left out, as it names no agreement between countries."""
    found: dict[str, set[frozenset[str]]] = {}
    for m in mentions:
        if _is_proper(m.name) and len(m.parties) >= 2:
            found.setdefault(m.name, set()).add(frozenset(m.parties))
    joined: dict[str, set[str]] = {}
    for m in mentions:
        if len(m.parties) == 1 and m.name in found:
            joined.setdefault(m.name, set()).update(m.parties)
    memberships = {name: _memberships(sets) for name, sets in found.items()}
    completed = []
    for m in mentions:
        largest = memberships.get(m.name, [])
        if len(largest) == 1:
            members = largest[0] | joined.get(m.name, set())
        else:
            fitting = [s for s in largest if set(m.parties) < s]
            members = fitting[0] if len(fitting) == 1 else frozenset(m.parties)
        if len(members) >= 2:
            completed.append(m if members == set(m.parties) else replace(m, parties=sorted(members)))
    return completed


def _speaks_of_the_parties(sentence: str, named: set[str], main_pair: Sequence[str]) -> bool:
    """Whether "the two countries" or a speaker's "our alliance" in the sentence means the article's
    main pair: not when the sentence names two parties of its own ("Croatia, Albania and Kosovo
    ... the three countries"), nor when it counts another number of them."""
    if len(named) >= 2 and not named <= set(main_pair):
        return False
    if _OURS.search(sentence) is not None:
        return named <= set(main_pair)  # "our partnership with Japan" is not about the main pair
    the = _THE_PARTIES.search(sentence)
    return the is not None and (the.group(1) is None or _COUNTS[the.group(1).lower()] == len(main_pair))


def _date_given(doc: Doc, published: dt.date | None, words: set[int]) -> str | None:
    """The first date among `words` of the sentence, resolved against the article's date with
    the tense of its own clause (index/annotate.py), as the quotes' dates are."""
    for ent, dated in dated_spans(doc, published):
        if ent.start in words:
            return dated.value
    return None


def _progress(status: Status | None) -> int:
    return -1 if status is None else STATUSES.index(status)


def _merge_generic(mentions: list[AgreementMention]) -> list[AgreementMention]:
    """Generic words for parties that have exactly one named agreement the words fit mean that
    agreement: "the pact" or "the deal" any named one, "the partnership" a named "... Partnership"."""
    named: dict[tuple[str, ...], set[str]] = {}
    for m in mentions:
        if m.name != GENERIC and m.name[0].isupper():
            named.setdefault(tuple(m.parties), set()).add(m.name)

    def meant(m: AgreementMention) -> str:
        fitting = [n for n in named.get(tuple(m.parties), ()) if m.name == GENERIC or n.lower().endswith(m.name)]
        return fitting[0] if len(fitting) == 1 and m.name in _GENERIC_WORDS else m.name

    return [replace(m, name=meant(m)) for m in mentions]


def summarise(mentions: Sequence[AgreementMention], articles: Mapping[str, ArticleInfo]) -> list[Agreement]:
    """One Agreement per (parties, name), its status and date from the latest of the mentions
    that show its most advanced status, its citations in date order."""
    groups: dict[tuple[tuple[str, ...], str], list[AgreementMention]] = {}
    for m in _merge_generic(list(mentions)):
        groups.setdefault((tuple(m.parties), m.name), []).append(m)
    agreements = []
    for (parties, name), group in groups.items():
        group.sort(key=lambda m: (m.date or dt.date.min, m.article_id, m.paragraph))
        # Statuses move forward: the furthest one any mention reports, and of the mentions that
        # report it the latest, so a later article corrects an earlier one's date ("set to sign
        # in December", then "signed on 11 January") while a later look back ("the two began
        # negotiating in 2019") does not move it back.
        latest = _latest_report(group)
        citations = [_citation(n, m, articles.get(m.article_id)) for n, m in enumerate(group, start=1)]
        shown = latest or group[-1]
        sources = {m.article_id for m in group}
        agreements.append(
            Agreement(
                name=name,
                parties=list(parties),
                status=shown.status,
                date=shown.date,
                when=shown.when,
                sentences=len(group),
                articles=len(sources),
                weak=len(group) == 1 and AGREEMENTS_FILE not in sources,
                correction=AGREEMENTS_FILE in sources,
                citations=citations,
            )
        )
    return agreements


def _latest_report(group: Sequence[AgreementMention]) -> AgreementMention | None:
    """The mention an agreement's status and date come from: of those that report its furthest
    status, the latest report, unless it dates that step less precisely than an earlier one and
    agrees with it ("in January" after "on Thursday" = 2022-01-06 keeps the day); a report that
    gives a date beats one that gives none. `group` is in report order."""
    furthest = max((_progress(m.status) for m in group if m.status), default=None)
    shown: AgreementMention | None = None
    for m in group:
        if m.status is None or _progress(m.status) != furthest:
            continue
        if shown is None or shown.when is None or (m.when is not None and not _vaguer(m.when, shown.when)):
            shown = m
    return shown


def _vaguer(when: str, than: str) -> bool:
    """Whether a date says less than another and agrees with it: "2022-01" than "2022-01-06"."""
    return len(when) < len(than) and than.startswith(when)


def _citation(n: int, m: AgreementMention, article: ArticleInfo | None) -> Citation:
    return Citation(
        n=n,
        article_id=m.article_id,
        title=article.title if article else MODERATOR_ENTRY,
        publisher=article.publisher if article else None,
        published=m.date,
        source=article.source if article else None,
        paragraph=m.paragraph,
        quote=m.quote,
        score=1.0,
    )


def agreements_of(
    iso3: str,
    mentions: Sequence[AgreementMention],
    articles: Mapping[str, ArticleInfo],
    partner: str | None = None,
) -> list[Agreement]:
    """The agreements `iso3` is a party to (with `partner`, when given), by partner then date."""
    chosen = [m for m in mentions if iso3 in m.parties and (partner is None or partner in m.parties)]
    agreements = summarise(chosen, articles)

    return sorted(agreements, key=lambda a: (partner_names(a, iso3), a.date or dt.date.min, a.name))


def partner_names(agreement: Agreement, iso3: str) -> str:
    """The other parties of `agreement`, by name: how a country's agreements are grouped."""
    return ", ".join(sorted(name_of(p) for p in agreement.parties if p != iso3))


def countries_in(mentions: Sequence[AgreementMention]) -> list[str]:
    """Every country that is a party to some agreement, for autocomplete."""
    return sorted({p for m in mentions for p in m.parties}, key=name_of)


AGREEMENTS_FILE = "agreements.yaml"  # moderators' corrections, in the knowledge folder
MODERATOR_ENTRY = "Moderator entry (knowledge/agreements.yaml)"


class AgreementCorrection(BaseModel):
    """A moderator's fix: add an agreement the articles imply, or remove one read wrongly."""

    model_config = ConfigDict(extra="forbid")

    parties: list[str] = Field(min_length=2)  # country names or codes, as people write them
    name: str = Field(min_length=1)
    status: Status | None = None
    date: dt.date | None = None
    note: str | None = None  # shown in place of a quote
    remove: bool = False


class AgreementCorrections(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agreements: list[AgreementCorrection] = Field(default_factory=list)


def load_corrections(path: Path) -> tuple[list[AgreementCorrection], str | None]:
    """The corrections in `path`, or none and the reason when the file is unusable: a bad file
    is reported, never fatal."""
    if not path.exists():
        return [], None
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
        corrections = AgreementCorrections.model_validate(data).agreements
        for c in corrections:
            c.parties = sorted({resolve(p).iso3 for p in c.parties})
    except yaml.YAMLError as exc:
        return [], f"{path.name} was ignored: not valid YAML ({yaml_problem(exc)})"
    except UnicodeDecodeError:
        return [], f"{path.name} was ignored: not UTF-8"
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return [], f"{path.name} was ignored: {where}: {first['msg']}"
    except UnknownCountryError as exc:
        return [], f"{path.name} was ignored: {exc}"
    return corrections, None


def apply_corrections(
    mentions: list[AgreementMention], corrections: Sequence[AgreementCorrection]
) -> list[AgreementMention]:
    removed = {(tuple(c.parties), c.name) for c in corrections if c.remove}
    kept = [m for m in mentions if (tuple(m.parties), m.name) not in removed]
    added = [
        AgreementMention(
            name=c.name,
            parties=c.parties,
            status=c.status,
            date=c.date,
            when=c.date.isoformat() if c.date else None,
            article_id=AGREEMENTS_FILE,
            paragraph=n,
            quote=c.note or f"{c.name}: {c.status or 'status not given'}.",
        )
        for n, c in enumerate(corrections, start=1)
        if not c.remove
    ]
    return kept + added


class TimelineEntry(BaseModel):
    """One step in a pair's history: what one sentence said, and when."""

    date: dt.date | None  # the day of the step when the text gives one, else the day it was reported
    when: str | None = None  # the step's date as precise as the text gives it ("2023", "2022-12")
    name: str
    status: ShownStatus
    citation: Citation

    @property
    def dated(self) -> str:
        """The step's date: the event's when the text gives it, else the report's."""
        if self.when:
            return self.when
        return self.date.isoformat() if self.date else "undated"


class AgreementsAnswer(BaseModel):
    """`pactbot agreements` and /agreements: a country's agreements, with their evidence.
    With a partner, also the pair's timeline."""

    query: str
    country: Country
    partner: Country | None = None
    agreements: list[Agreement]
    timeline: list[TimelineEntry] = Field(default_factory=list)


def timeline(agreements: Sequence[Agreement], mentions: Sequence[AgreementMention]) -> list[TimelineEntry]:
    """Every sentence behind `agreements`, in the order of the steps they report: each dated by
    the event's date when the text gives one ("signed in 2023", said in 2024), else by the report's."""
    said = {(m.article_id, m.paragraph, m.quote): m for m in mentions}
    entries = []
    for a in agreements:
        for c in a.citations:
            m = said.get((c.article_id, c.paragraph, c.quote))
            when = m.when if m is not None else None
            entries.append(
                TimelineEntry(
                    date=_day(when) or c.published,
                    when=when,
                    name=a.name,
                    status=m.status if m is not None else None,
                    citation=c,
                )
            )
    return sorted(entries, key=lambda e: (_step_key(e), e.citation.published or dt.date.min, e.citation.paragraph))


def _day(when: str | None) -> dt.date | None:
    """The day a date names, when it names one ("2022-01-06"; not "2022-01")."""
    try:
        return dt.date.fromisoformat(when) if when and len(when) == 10 else None
    except ValueError:
        return None


def _step_key(entry: TimelineEntry) -> str:
    """ISO dates as precise as known sort as text: "2022-12" before "2022-12-05" before "2023"."""
    return entry.when or (entry.date.isoformat() if entry.date else "")
