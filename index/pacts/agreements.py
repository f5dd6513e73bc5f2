"""Agreements between countries, as the articles report them, with the sentences that say so:
what a mention and an agreement are, mentions summarised into agreements, a pair's timeline.

Reading mentions from sentences is `index.pacts.agreement_reader` (with `index.pacts.agreement_names`);
moderators' corrections are `index.pacts.agreement_corrections`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, PlainSerializer, TypeAdapter
from pydantic.dataclasses import dataclass

from index.citation import Citation
from index.ingest.articles import ArticleInfo
from index.pacts.countries import Country, name_of
from index.text import counted

if TYPE_CHECKING:
    pass


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


# A slotted dataclass, as passages are (index/ingest/passages.py): an index holds one per sentence
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


GENERIC = "defence agreement"
BASE_ACCESS = "access to bases"  # what the arrangement "access to bases in X" stands for
# The names `agreement_name` (index/pacts/agreement_names.py) gives an agreement the text does not
# name: "the pact", "our partnership".
_GENERIC_WORDS = frozenset({GENERIC, "partnership", "alliance", "programme", "initiative"})


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
        citations = [mention_citation(n, m, articles.get(m.article_id)) for n, m in enumerate(group, start=1)]
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


def mention_citation(n: int, m: AgreementMention, article: ArticleInfo | None) -> Citation:
    """The citation of the sentence a mention was read from (a moderator's entry when no article)."""
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
