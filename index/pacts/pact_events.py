"""Pact events: what an index update changed in the agreements the articles report.

After every update (index/storage/build.py calls `record_update` of index/storage/updates.py), the
agreements of the version before and of the new version are summarised as people see them
(index/pacts/agreements.py) and compared:

* new_agreement: an agreement between parties that none reported before;
* new_party: a named agreement with a member it did not have (an accession), one event per member;
* status_change: its status moved on (negotiating → signed → ratified → in force → ended), or a
  moderator's correction (knowledge/agreements.yaml) changed it either way;
* date_given: the text gives a date for its status for the first time.

Only what the update brought counts: a change must rest on a sentence of an article that is new
or changed, or on a moderator's correction that is new or changed. So re-indexing unchanged
articles, or reading them again with a better reader, makes no event. Each event has a stable id
made of what it says (kind, agreement, parties, status), and an id already recorded is never
recorded again: an article removed and added back makes none.

Events live in `events.json` in the data folder (index/statefile.py); the bot posts them to the
channels that subscribed (index/pacts/pact_alerts.py, bot/alerts.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from index.citation import Citation
from index.ingest.articles import ArticleEntry, ArticleInfo
from index.pacts.agreements import (
    AGREEMENTS_FILE,
    STATUSES,
    Agreement,
    AgreementMention,
    Status,
    mention_citation,
    status_label,
    summarise,
)
from index.pacts.countries import name_of
from index.pacts.memberships import complete_memberships
from index.statefile import StateFile

log = logging.getLogger(__name__)

EVENTS_FILE = "events.json"
EventKind = Literal["new_agreement", "new_party", "status_change", "date_given"]
KIND_WORDS: dict[EventKind, str] = {
    "new_agreement": "new agreement",
    "new_party": "new member",
    "status_change": "status change",
    "date_given": "date given",
}
# Generic names the reader gives an agreement it cannot name ("the deal"); when a named agreement
# of the same parties takes their place, the agreement has been named, not made.
_GENERIC_NAMES = frozenset({"defence agreement", "partnership", "alliance", "programme", "initiative"})


class PactEvent(BaseModel):
    """One change in what the news reports about an agreement, with the sentence that says so."""

    id: str  # a hash of what the event says: the same change always has the same id
    kind: EventKind
    agreement: str
    parties: list[str]  # ISO 3166-1 alpha-3, sorted: all members after the change
    joined: list[str] = Field(default_factory=list)  # new_party: the member that joined
    old_status: Status | None = None  # status_change: the status before
    status: Status | None
    when: str | None = None  # the date the text gives for the status, as precise as it allows
    reported: dt.date | None = None  # the date of the article that reports it
    weak: bool  # a single sentence supports it: a possible misreading
    correction: bool = False  # a moderator's correction made it
    citation: Citation
    recorded: dt.datetime  # when this data folder learnt of it
    version: str  # the index version that brought it

    @property
    def day(self) -> dt.date:
        """The day the event is filed under: its report's, else the day it was recorded."""
        return self.reported or self.recorded.date()

    def party_names(self) -> str:
        """'Japan and Germany', 'Italy, Japan and United Kingdom'."""
        names = [name_of(p) for p in self.parties]
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"

    def change(self) -> str:
        """What happened, in a few words: 'negotiating → signed', 'Italy joined', 'new: signed'."""
        dated = f" ({self.when})" if self.when else ""
        if self.kind == "status_change":
            return f"{status_label(self.old_status)} → {status_label(self.status)}{dated}"
        if self.kind == "new_party":
            return f"{' and '.join(name_of(p) for p in self.joined)} joined; {status_label(self.status)}{dated}"
        if self.kind == "date_given":
            return f"{status_label(self.status)} dated {self.when}"
        return f"new agreement, {status_label(self.status)}{dated}"

    def line(self) -> str:
        """One line for lists: '2024-01-12 Japan and Germany: Reciprocal Access Agreement: negotiating → signed'."""
        weak = " (one sentence only)" if self.weak else ""
        return f"{self.day.isoformat()} {self.party_names()}: {self.agreement}: {self.change()}{weak}"

    def public(self) -> dict[str, object]:
        """The documented JSON shape of `pactbot events --json`."""
        return {
            "id": self.id,
            "kind": self.kind,
            "agreement": self.agreement,
            "parties": self.parties,
            "old_status": status_label(self.old_status) if self.kind == "status_change" else None,
            "status": status_label(self.status),
            "when": self.when,
            "reported": self.reported.isoformat() if self.reported else None,
            "weak": self.weak,
            "citation": self.citation.model_dump(mode="json", exclude={"n", "score", "dates"}),
        }


class EventState(BaseModel):
    version: str | None = None  # the index version the last comparison ended at
    events: list[PactEvent] = Field(default_factory=list)  # in the order they were recorded


def events_book(data_dir: Path) -> StateFile[EventState]:
    return StateFile(data_dir, EVENTS_FILE, EventState)


def event_id(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


def _progress(status: Status | None) -> int:
    return -1 if status is None else STATUSES.index(status)


Said = tuple[str, int, str]  # (article id, paragraph, quote): a sentence, as citations point to it


def _said(m: AgreementMention) -> Said:
    return m.article_id, m.paragraph, m.quote


def _fingerprint(m: AgreementMention) -> tuple[object, ...]:
    """What a moderator's correction says, without its position in the file (editing one entry
    shifts the others' paragraph numbers; they are not new for that)."""
    return m.name, tuple(m.parties), m.status, m.when, m.quote


def _fresh_sentences(
    before: Sequence[AgreementMention],
    after: Sequence[AgreementMention],
    old_articles: Mapping[str, tuple[str, str]],
    new_articles: Sequence[ArticleEntry],
) -> set[Said]:
    """The sentences this update brought: those of articles new or changed, and the corrections
    that were not there before."""
    changed = {a.id for a in new_articles if old_articles.get(a.id) != (a.sha256, a.text_sha256)}
    corrections = {_fingerprint(m) for m in before if m.article_id == AGREEMENTS_FILE}
    return {
        _said(m)
        for m in after
        if m.article_id in changed or (m.article_id == AGREEMENTS_FILE and _fingerprint(m) not in corrections)
    }


def _latest(mentions: Sequence[AgreementMention]) -> AgreementMention:
    return max(mentions, key=lambda m: (m.date or dt.date.min, m.article_id, m.paragraph))


def _telling(mentions: Sequence[AgreementMention], name: str) -> AgreementMention:
    """The sentence to quote for an agreement first reported: one that names it ("the
    Comprehensive Strategic Partnership"), rather than one that only says "our partnership";
    of those, the latest report's first."""
    written = name.casefold()
    return max(mentions, key=lambda m: (written in m.quote.casefold(), m.date or dt.date.min, -m.paragraph))


class _Detector:
    """Compares two versions' agreements; `events()` lists the changes the update brought."""

    def __init__(
        self,
        before: Sequence[AgreementMention],
        after: Sequence[AgreementMention],
        old_articles: Mapping[str, tuple[str, str]],
        new_articles: Sequence[ArticleEntry],
        version: str,
        now: dt.datetime,
    ) -> None:
        self.articles: dict[str, ArticleInfo] = {a.id: a for a in new_articles}
        self.version, self.now = version, now
        self.fresh = _fresh_sentences(before, after, old_articles, new_articles)
        completed = complete_memberships(after)
        # Summaries group sentences as people see them; citations lead back to the sentences.
        self.sentences: dict[Said, list[AgreementMention]] = {}
        for m in completed:
            self.sentences.setdefault(_said(m), []).append(m)
        self.raw = list(after)
        self.old = {(tuple(a.parties), a.name): a for a in summarise(complete_memberships(before), {})}
        self.new = summarise(completed, self.articles)
        self.new_keys = {(tuple(a.parties), a.name) for a in self.new}

    def _support(self, agreement: Agreement) -> list[AgreementMention]:
        """The sentences behind `agreement`, one mention each."""
        found = []
        for c in agreement.citations:
            candidates = self.sentences.get((c.article_id, c.paragraph, c.quote), [])
            same = [m for m in candidates if m.parties == agreement.parties] or candidates
            found += same[:1]
        return found

    def _event(
        self,
        kind: EventKind,
        a: Agreement,
        evidence: AgreementMention,
        weak: bool,
        key: tuple[object, ...],
        joined: list[str] | None = None,
        old_status: Status | None = None,
    ) -> PactEvent:
        return PactEvent(
            id=event_id(kind, a.name, ",".join(a.parties), *key),
            kind=kind,
            agreement=a.name,
            parties=a.parties,
            status=a.status,
            when=a.when,
            reported=evidence.date,
            weak=weak and evidence.article_id != AGREEMENTS_FILE,
            correction=evidence.article_id == AGREEMENTS_FILE,
            citation=mention_citation(1, evidence, self.articles.get(evidence.article_id)),
            recorded=self.now,
            version=self.version,
            joined=joined or [],
            old_status=old_status,
        )

    def events(self) -> list[PactEvent]:
        found: list[PactEvent] = []
        for a in self.new:
            support = self._support(a)
            fresh = [m for m in support if _said(m) in self.fresh]
            if fresh:
                found += self._changes(a, support, fresh)
        return self._without_vague_duplicates(found)

    def _without_vague_duplicates(self, events: list[PactEvent]) -> list[PactEvent]:
        """A new agreement the reader could only call "the partnership" or "the alliance" is, most
        likely, one the same parties are known for: a named one this update brings, or any they had
        before ("the 100 Year Partnership ... the landmark partnership between the 2 countries").
        Of several such vague ones for the same parties in one update, the best supported stays."""
        known = {tuple(a.parties) for a in self.old.values()}
        known |= {tuple(e.parties) for e in events if e.kind == "new_agreement" and e.agreement not in _GENERIC_NAMES}

        def vague(e: PactEvent) -> bool:
            return e.kind == "new_agreement" and e.agreement in _GENERIC_NAMES

        best: dict[tuple[str, ...], PactEvent] = {}
        for e in filter(vague, events):
            kept = best.get(tuple(e.parties))
            if tuple(e.parties) not in known and (
                kept is None or (_progress(e.status), not e.weak) > (_progress(kept.status), not kept.weak)
            ):
                best[tuple(e.parties)] = e
        return [e for e in events if not vague(e) or best.get(tuple(e.parties)) is e]

    def _changes(self, a: Agreement, support: list[AgreementMention], fresh: list[AgreementMention]) -> list[PactEvent]:
        old = self.old.get((tuple(a.parties), a.name))
        if old is not None:
            return self._progress(a, old, support, fresh)
        smaller = [
            b for b in self.old.values() if b.name == a.name and set(b.parties) < set(a.parties) and len(b.parties) > 1
        ]
        if smaller:
            members = max(smaller, key=lambda b: len(b.parties))
            return self._joined(a, members, fresh) + self._progress(a, members, support, fresh)
        renamed = [
            b
            for key, b in self.old.items()
            if b.parties == a.parties and key not in self.new_keys and b.name in _GENERIC_NAMES
        ]
        if renamed:  # "the deal" is now named: news only if its status moved on
            return self._progress(a, renamed[0], support, fresh)
        shown = [m for m in fresh if m.status == a.status] or fresh
        return [self._event("new_agreement", a, _telling(shown, a.name), weak=a.weak, key=())]

    def _progress(
        self, a: Agreement, old: Agreement, support: list[AgreementMention], fresh: list[AgreementMention]
    ) -> list[PactEvent]:
        if a.status != old.status:
            evidence = [m for m in fresh if m.status == a.status]
            corrected = any(m.article_id == AGREEMENTS_FILE for m in evidence)
            if evidence and (_progress(a.status) > _progress(old.status) or corrected):
                weak = sum(m.status == a.status for m in support) == 1
                key = (status_label(old.status), status_label(a.status))
                return [self._event("status_change", a, _latest(evidence), weak, key, old_status=old.status)]
            return []
        if old.when is None and a.when is not None:
            evidence = [m for m in fresh if m.when == a.when]
            if evidence:
                weak = sum(m.when == a.when for m in support) == 1
                return [self._event("date_given", a, _latest(evidence), weak, key=(a.when,))]
        return []

    def _joined(self, a: Agreement, old: Agreement, fresh: list[AgreementMention]) -> list[PactEvent]:
        """One event per new member, quoting a new sentence that names it (the raw mention's own
        parties, before memberships were completed), else the latest new sentence."""
        events = []
        for party in sorted(set(a.parties) - set(old.parties)):
            naming = [m for m in self.raw if m.name == a.name and party in m.parties and _said(m) in self.fresh]
            evidence = _latest(naming or fresh)
            weak = len(naming) <= 1
            events.append(self._event("new_party", a, evidence, weak, key=(party,), joined=[party]))
        return events


def detect(
    before: Sequence[AgreementMention],
    after: Sequence[AgreementMention],
    old_articles: Mapping[str, tuple[str, str]],
    new_articles: Sequence[ArticleEntry],
    version: str,
    now: dt.datetime | None = None,
) -> list[PactEvent]:
    """The events between two versions' agreements. `old_articles`: the earlier version's article
    ids with their (file, text) checksums; `new_articles`: the later version's entries."""
    detector = _Detector(before, after, old_articles, new_articles, version, now or dt.datetime.now(dt.UTC))
    return detector.events()


def record(data_dir: Path, events: Sequence[PactEvent], version: str) -> list[PactEvent]:
    """Add the events whose ids are not recorded yet; returns those added."""
    with events_book(data_dir).edit() as state:
        known = {e.id for e in state.events}
        added = []
        for event in events:
            if event.id not in known:
                known.add(event.id)
                added.append(event)
        state.events += added
        state.version = version
    return added


def load_events(data_dir: Path) -> list[PactEvent]:
    return events_book(data_dir).load().events


def newest_first(events: Sequence[PactEvent]) -> list[PactEvent]:
    order = {e.id: n for n, e in enumerate(events)}
    return sorted(events, key=lambda e: (e.day, e.recorded, order[e.id]), reverse=True)


def select(events: Sequence[PactEvent], since: dt.date | None = None, country: str | None = None) -> list[PactEvent]:
    """The events filed on or after `since` that `country` (ISO3) is a party to, in date order."""
    order = {e.id: n for n, e in enumerate(events)}
    chosen = [e for e in events if (since is None or e.day >= since) and (country is None or country in e.parties)]
    return sorted(chosen, key=lambda e: (e.day, e.recorded, order[e.id]))
