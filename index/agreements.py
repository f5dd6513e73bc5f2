"""Agreements between countries, as the articles report them, with the sentences that say so."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from index.articles import ArticleInfo
from index.citation import Citation
from index.countries import Country, Mention, UnknownCountryError, find_countries, name_of, resolve
from index.dates import looks_ahead
from index.dates import resolve as resolve_date
from index.glossary import Expander
from index.parties import is_party, parse
from index.text import counted
from index.yamlfile import load_yaml, yaml_problem

if TYPE_CHECKING:
    from spacy.tokens import Doc

Status = Literal["considering", "negotiating", "expected to sign", "signed", "ratified", "in force"]
# In order of progress: a later mention of an agreement may move it along, never back.
STATUSES: tuple[Status, ...] = ("considering", "negotiating", "expected to sign", "signed", "ratified", "in force")
# Bumped when the way agreements are read from text changes: indexes read them again (without
# embedding anything) rather than keep what an older reader found.
READER_VERSION = 2
UNKNOWN_STATUS = "status unknown"  # a mention that does not say how far the agreement has got


def status_label(status: Status | None) -> str:
    """One vocabulary for text, embeds, JSON readers and the map's legend."""
    return UNKNOWN_STATUS if status is None else status


class AgreementMention(BaseModel):
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


class Agreement(BaseModel):
    """An agreement between a set of parties, summarised over all the sentences that mention it."""

    name: str
    parties: list[str]
    status: Status | None  # the status of the latest mention that shows one
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


# Words that make a sentence about an agreement ("settlement" and "offers" are the seed's
# paraphrases of "agreement" and "deals").
_AGREEMENT = re.compile(
    r"\b(pacts?|agreements?|deals?|treat(?:y|ies)|accords?|alliances?|partnerships?|settlements?|"
    r"programmes?|contracts?|frameworks?|RAA|VFA)\b",
    re.IGNORECASE,
)
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
_THE_PARTIES = re.compile(
    r"\b(?:the|both)\s+(?:two\s+|2\s+|three\s+)?"
    r"(?:countries|nations|sides|governments|allies|international locations)\b",
    re.IGNORECASE,
)
# Countries the agreement is to help, beside its parties ("to boost co-operation with the US").
_BENEFICIARY_BEFORE = re.compile(
    r"\b(?:co-?operation|interoperability|ties|relations|coordination)\s+with\s+(?:the\s+)?$", re.IGNORECASE
)
# Status cues, most advanced first. Ratification or entry into force still to come
# ("until it has been ratified", "once it is in force") counts as neither.
_PENDING = re.compile(
    r"\b(?:until|before|once|must|needs?|requires?|await\w*|pending|yet to|not yet|subject to)\b", re.I
)
_STATUS_CUES: tuple[tuple[Status, re.Pattern[str]], ...] = (
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
    ("signed", re.compile(r"\b(?:signed|inked|concluded|sealed)\b", re.I)),
    ("negotiating", re.compile(r"\b(?:talks|negotiat\w*|barter\w*|discussions)\b", re.I)),
    ("considering", re.compile(r"\b(?:consider\w*|contemplat\w*|explor\w*|preliminary|proposed|mulling)\b", re.I)),
)


def status_of(sentence: str) -> Status | None:
    pending = _PENDING.search(sentence) is not None
    for status, cue in _STATUS_CUES:
        if cue.search(sentence) and not (pending and status in ("in force", "ratified")):
            return status
    return None


_BETWEEN = re.compile(r"\bbetween\s+(?:the\s+)?$", re.IGNORECASE)
_JOINED = re.compile(r"^(?:\s*,)?\s*(?:and\s+)?(?:the\s+)?$")


Keep = Callable[[Mention], bool]  # whether a country named in a sentence can be a party to it


def _anyone(mention: Mention) -> bool:
    return True


def _joined_groups(text: str, keep: Keep = _anyone) -> list[list[Mention]]:
    """Runs of countries joined by commas and "and" ("A, B and C"), in order."""
    groups: list[list[Mention]] = []
    for mention in filter(keep, find_countries(text)):
        if groups and _JOINED.match(text[groups[-1][-1].end : mention.start]):
            groups[-1].append(mention)
        else:
            groups.append([mention])
    return groups


def _between(sentence: str, keep: Keep = _anyone) -> list[str]:
    """The countries of "between A and B" (or "A, B and C"), when the sentence has it: they
    are the parties, whoever else welcomed or watched."""
    for group in _joined_groups(sentence, keep):
        if len(group) >= 2 and _BETWEEN.search(sentence[: group[0].start]):
            return list(dict.fromkeys(m.iso3 for m in group))
    return []


def _main_pair(title: str, sentences: Sequence[tuple[int, str]]) -> list[str]:
    """Who "the two countries" are: the first countries the headline joins ("India and France
    sign ... as Vietnam and Indonesia talk"), else the first sentence naming two parties."""
    for group in _joined_groups(title):
        codes = list(dict.fromkeys(m.iso3 for m in group))
        if len(codes) >= 2:
            return codes
    return next((p for p in (_parties(s) for _, s in sentences) if len(p) >= 2), [])


def _parties(sentence: str, keep: Keep = _anyone) -> list[str]:
    between = _between(sentence, keep)
    if between:
        return between
    parties: list[str] = []
    beneficiaries: list[str] = []
    for mention in filter(keep, find_countries(sentence)):
        before, after = sentence[: mention.start], sentence[mention.end :]
        if _NOT_A_PARTY_AFTER.match(after):
            continue
        (beneficiaries if _BENEFICIARY_BEFORE.search(before) else parties).append(mention.iso3)
    parties = list(dict.fromkeys(parties))
    # "Japan and the UK ... co-operation with the US": the US is no party when two others are.
    return parties if len(parties) >= 2 else list(dict.fromkeys(parties + beneficiaries))


GENERIC = "defence agreement"


def _needs_a_name(keyword: str) -> bool:
    """ "The programme" alone is any programme; only a named one is an agreement."""
    return keyword.lower().startswith("programme")


def _has_name(sentence: str, expander: Expander) -> bool:
    return any(_NAMED.search(t) and t[0].isupper() for t in expander.canonical_terms(sentence))


_PLURALS = {"pacts", "agreements", "deals", "treaties", "accords", "settlements"}


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
    words = [
        t.lower_
        for t in doc[noun.left_edge.i : noun.i]
        if (t.dep_ == "compound" and t.pos_ == "NOUN") or t.lower_ in _KIND_ADJECTIVES
    ]
    words = [w for w in dict.fromkeys(words) if w not in ("defence", "defense", "security") or len(words) > 1]
    if not words:
        return None
    return f"{' '.join(words)} {_KIND_NOUNS.get(noun.lower_, noun.lower_)}"


def _name(sentence: str, keyword: str, expander: Expander, doc: Doc, start: int) -> str:
    named = [t for t in expander.canonical_terms(sentence) if _NAMED.search(t) and t[0].isupper()]
    if named:
        return named[0]
    acronym = _ACRONYM_NEAR.search(sentence)
    if acronym and not find_countries(acronym.group(1)):
        return acronym.group(1)
    word = keyword.lower()
    if word.startswith(("allian", "partnership", "programme")):
        return word.rstrip("s")  # "alliances" -> "alliance"
    # An unnamed agreement of a particular kind stays its own: a "maritime security agreement"
    # is never merged into the pair's named one, as a bare "the pact" is.
    return _kind(doc, start) or GENERIC


def extract(article: ArticleInfo, sentences: Sequence[tuple[int, str]], expander: Expander) -> list[AgreementMention]:
    """Agreement mentions in an article's sentences, given as (paragraph, sentence) in order.

    A mention needs an agreement word and two or more parties. "The two countries" and the like
    stand for the article's main pair: the countries its headline names, or else the first
    sentence that names two.
    """
    main_pair = _main_pair(article.title, sentences)
    reporting = [
        (paragraph, sentence, keyword)
        for paragraph, sentence in sentences
        if (keyword := _AGREEMENT.search(sentence)) is not None
        and not (_needs_a_name(keyword.group(1)) and not _has_name(sentence, expander))
    ]
    # Only the sentences that report an agreement are parsed (index/parties.py).
    docs = parse([sentence for _, sentence, _ in reporting])
    mentions = []
    for (paragraph, sentence, keyword), doc in zip(reporting, docs, strict=True):

        def keep(mention: Mention, doc: Doc = doc) -> bool:
            return is_party(doc, mention.start, mention.end)

        named = _parties(sentence, keep)
        parties = set(named)
        if _THE_PARTIES.search(sentence):
            parties |= set(main_pair)
        if len(parties) < 2:
            continue
        if keyword.group(1).lower() in _PLURALS and len(named) >= 3:
            # "Tokyo has similar pacts with Australia and the UK": one pact with each.
            groups = [{named[0], other} for other in named[1:]]
        else:
            groups = [parties]
        name = _name(sentence, keyword.group(1), expander, doc, keyword.start(1))
        status = status_of(sentence)
        when = _date_given(doc, sentence, article.published)
        for group in groups:
            mentions.append(
                AgreementMention(
                    name=name,
                    parties=sorted(group),
                    status=status,
                    date=article.published,
                    when=when,
                    article_id=article.id,
                    paragraph=paragraph,
                    quote=sentence,
                )
            )
    return mentions


def _date_given(doc: Doc, sentence: str, published: dt.date | None) -> str | None:
    """The first date the sentence gives, resolved against the article's (index/dates.py)."""
    future = looks_ahead(sentence)
    for ent in doc.ents:
        if ent.label_ == "DATE":
            dated = resolve_date(ent.text, published, future)
            if dated is not None:
                return dated.value
    return None


def _progress(status: Status | None) -> int:
    return -1 if status is None else STATUSES.index(status)


def _merge_generic(mentions: list[AgreementMention]) -> list[AgreementMention]:
    """Generic words ("the pact", "the deal") for parties that have exactly one named agreement
    mean that agreement."""
    named: dict[tuple[str, ...], set[str]] = {}
    for m in mentions:
        if m.name != GENERIC and m.name[0].isupper():
            named.setdefault(tuple(m.parties), set()).add(m.name)
    return [
        m.model_copy(update={"name": next(iter(named[tuple(m.parties)]))})
        if m.name == GENERIC and len(named.get(tuple(m.parties), ())) == 1
        else m
        for m in mentions
    ]


def summarise(mentions: Sequence[AgreementMention], articles: Mapping[str, ArticleInfo]) -> list[Agreement]:
    """One Agreement per (parties, name), its status and date from its latest mention that shows
    a status (on one date, the most advanced), its citations in date order."""
    groups: dict[tuple[tuple[str, ...], str], list[AgreementMention]] = {}
    for m in _merge_generic(list(mentions)):
        groups.setdefault((tuple(m.parties), m.name), []).append(m)
    agreements = []
    for (parties, name), group in groups.items():
        group.sort(key=lambda m: (m.date or dt.date.min, m.article_id, m.paragraph))
        latest = max(
            (m for m in group if m.status), key=lambda m: (m.date or dt.date.min, _progress(m.status)), default=None
        )
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

    date: dt.date | None
    name: str
    status: Status | None
    citation: Citation


class AgreementsAnswer(BaseModel):
    """`pactbot agreements` and /agreements: a country's agreements, with their evidence.
    With a partner, also the pair's timeline."""

    query: str
    country: Country
    partner: Country | None = None
    agreements: list[Agreement]
    timeline: list[TimelineEntry] = Field(default_factory=list)


def timeline(agreements: Sequence[Agreement], mentions: Sequence[AgreementMention]) -> list[TimelineEntry]:
    """Every sentence behind `agreements`, in date order, with the status it reports."""
    status = {(m.article_id, m.paragraph, m.quote): m.status for m in mentions}
    entries = [
        TimelineEntry(
            date=c.published, name=a.name, status=status.get((c.article_id, c.paragraph, c.quote)), citation=c
        )
        for a in agreements
        for c in a.citations
    ]
    return sorted(entries, key=lambda e: (e.date or dt.date.min, e.citation.article_id, e.citation.paragraph))
