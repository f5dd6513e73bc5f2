"""Alert subscriptions and the posted log: who hears of what, and nothing claimed twice."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from pathlib import Path

import pytest

from index.glossary import Glossary, GlossaryEntry
from index.pacts.pact_alerts import AgreementNames, AlertBook, AlertError
from index.pacts.pact_events import PactEvent, event_id
from tests.index.pacts.test_pact_events import GCAP, RAA, event

EARLY = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
NAMES = AgreementNames(
    Glossary(terms=[GlossaryEntry(term=RAA, aliases=["RAA", "access deal"])]), {"GCAP": GCAP, "AUKUS": "AUKUS"}
)


def named(name: str, parties: list[str], n: int) -> PactEvent:
    return event("2024-01-01", parties, n).model_copy(update={"agreement": name, "id": event_id(name, *parties)})


def test_agreement_names_match_aliases_acronyms_and_whole_words() -> None:
    assert NAMES.matches("RAA", RAA) and NAMES.matches("reciprocal access agreement", RAA)
    assert NAMES.matches("GCAP", GCAP) and NAMES.matches("Access Agreement", RAA)
    assert not NAMES.matches("AUKUS", RAA) and not NAMES.matches("Access Agree", RAA)


def test_subscriptions_hear_what_they_asked_for_from_when_they_were_added(tmp_path: Path) -> None:
    book = AlertBook(tmp_path)
    book.add(1, "JPN", None, now=EARLY)
    book.add(2, None, "RAA", now=EARLY)
    book.add(3, "DEU", "RAA", now=EARLY)
    with pytest.raises(AlertError, match="already posted"):
        book.add(1, "JPN", None)
    with pytest.raises(AlertError, match="give a country"):
        book.add(1, None, "  ")
    events = [named(RAA, ["JPN", "PHL"], 1), named(GCAP, ["GBR", "JPN"], 2), named(RAA, ["DEU", "JPN"], 3)]
    batches = book.claim(events, NAMES)
    assert {c: [e.id for e in b] for c, b in batches.items()} == {
        1: [e.id for e in events],
        2: [events[0].id, events[2].id],
        3: [events[2].id],
    }
    assert book.claim(events, NAMES) == {}  # claimed: never again
    book.unclaim(2, [events[0].id])  # its send failed: it is claimed again, and only it
    assert book.claim(events, NAMES) == {2: [events[0]]}
    book.add(4, "JPN", None)  # added now: the events recorded before are not posted to it
    assert book.claim(events, NAMES) == {}


def test_a_lost_channel_is_paused_once_and_resumed_by_adding_again(tmp_path: Path) -> None:
    book = AlertBook(tmp_path)
    book.add(1, "JPN", None, now=EARLY)
    book.add(1, None, "RAA", now=EARLY)
    assert book.pause(1, "403 Forbidden") is True
    assert book.pause(1, "403 Forbidden") is False  # reported once, by whoever saw it first
    assert all(s.paused for s in book.subscriptions()) and "PAUSED" in book.subscriptions()[0].line()
    assert book.claim([named(RAA, ["JPN", "PHL"], 1)], NAMES) == {}
    sub, resumed = book.add(1, "JPN", None)
    assert resumed and sub.paused is None and sub.added_at > EARLY
    removed = book.remove(1, None, "raa")
    assert removed.agreement == "RAA"
    with pytest.raises(AlertError, match="no such alerts"):
        book.remove(1, "FRA", None)


def _claim_in_process(data_dir: str, events: list[str], out: multiprocessing.Queue[list[str]]) -> None:
    book = AlertBook(Path(data_dir))
    claimed: list[str] = []
    for _ in range(20):
        batches = book.claim([PactEvent.model_validate_json(e) for e in events], NAMES)
        claimed += [e.id for batch in batches.values() for e in batch]
    out.put(claimed)


def test_processes_claiming_at_once_claim_each_event_once(tmp_path: Path) -> None:
    book = AlertBook(tmp_path)
    book.add(1, "JPN", None, now=EARLY)
    events = [named(f"Accord {n}", ["JPN", "KOR"], n).model_dump_json() for n in range(40)]
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[list[str]] = context.Queue()
    workers = [context.Process(target=_claim_in_process, args=(str(tmp_path), events, queue)) for _ in range(3)]
    for worker in workers:
        worker.start()
    claimed = [queue.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    every = [i for ids in claimed for i in ids]
    assert sorted(every) == sorted(PactEvent.model_validate_json(e).id for e in events)


def test_a_pass_that_claims_nothing_leaves_the_file_alone(tmp_path: Path) -> None:
    """The bot looks every few seconds and re-reads on a change: a claim of nothing must not
    change the file, or every look would make the next one read it again."""
    book = AlertBook(tmp_path)
    book.add(1, "JPN", None, now=EARLY)
    events = [named(RAA, ["JPN", "PHL"], 1)]
    assert book.claim(events, NAMES)
    signature = book.signature()
    assert book.claim(events, NAMES) == {} and book.signature() == signature
