"""Pact events: the changes between two index versions' agreements, and only those an update brought."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from index.ingest.articles import ArticleEntry
from index.pacts.agreements import AGREEMENTS_FILE, AgreementMention, Status
from index.pacts.pact_events import PactEvent, detect, load_events, newest_first, select
from index.service import SearchService
from tests.conftest import KNOWLEDGE
from tests.fakes import HashEmbedder

RAA = "Reciprocal Access Agreement"
GCAP = "Global Combat Air Programme"


def mention(
    article: str,
    parties: list[str],
    status: Status | None,
    name: str = RAA,
    day: str = "2024-01-10",
    when: str | None = None,
    paragraph: int = 1,
    quote: str | None = None,
) -> AgreementMention:
    return AgreementMention(
        name=name,
        parties=sorted(parties),
        status=status,
        date=dt.date.fromisoformat(day),
        when=when,
        article_id=article,
        paragraph=paragraph,
        quote=quote or f"{article} says {name} is {status}.",
    )


def entry(article: str, sha: str = "a") -> ArticleEntry:
    return ArticleEntry(
        id=article, title=f"Title of {article}", file=f"{article}.md", sha256=sha, text_sha256=sha, passages=1
    )


def checksums(*entries: ArticleEntry) -> dict[str, tuple[str, str]]:
    return {e.id: (e.sha256, e.text_sha256) for e in entries}


def run(
    before: list[AgreementMention],
    after: list[AgreementMention],
    old: list[ArticleEntry],
    new: list[ArticleEntry],
) -> list[PactEvent]:
    return detect(before, after, checksums(*old), new, "v2")


def test_a_new_agreement_then_its_signing() -> None:
    first = [mention("a1", ["JPN", "DEU"], "negotiating", when="2024-01-10")]
    [new] = run([], first, [], [entry("a1")])
    assert (new.kind, new.agreement, new.parties, new.status, new.weak) == (
        "new_agreement",
        RAA,
        ["DEU", "JPN"],
        "negotiating",
        True,
    )
    assert new.citation.title == "Title of a1" and new.citation.quote == first[0].quote
    assert new.public()["old_status"] is None and new.public()["reported"] == "2024-01-10"

    second = [*first, mention("a2", ["JPN", "DEU"], "signed", day="2024-03-05", when="2024-03-05")]
    [signed] = run(first, second, [entry("a1")], [entry("a1"), entry("a2")])
    assert (signed.kind, signed.old_status, signed.status, signed.when) == (
        "status_change",
        "negotiating",
        "signed",
        "2024-03-05",
    )
    assert signed.citation.article_id == "a2" and signed.reported == dt.date(2024, 3, 5)
    assert signed.public()["old_status"] == "negotiating" and "negotiating → signed" in signed.line()


def test_unchanged_articles_make_no_event_even_read_anew() -> None:
    before = [mention("a1", ["JPN", "DEU"], "negotiating")]
    # The same article read again by a better reader, which now finds it signed: not news.
    after = [mention("a1", ["JPN", "DEU"], "signed", quote="read anew")]
    assert run(before, after, [entry("a1")], [entry("a1")]) == []
    # The same article changed on disk: news.
    [changed] = run(before, after, [entry("a1")], [entry("a1", sha="b")])
    assert changed.kind == "status_change"


def test_a_look_back_does_not_move_a_status_back() -> None:
    before = [mention("a1", ["JPN", "DEU"], "signed")]
    after = [*before, mention("a2", ["JPN", "DEU"], "negotiating", day="2024-05-01")]
    assert run(before, after, [entry("a1")], [entry("a1"), entry("a2")]) == []


def test_a_new_member_and_a_date_given_for_the_first_time() -> None:
    before = [mention("a1", ["GBR", "JPN"], "signed", name=GCAP)]
    after = [*before, mention("a2", ["ITA"], None, name=GCAP, day="2024-02-01", quote="Italy joined the GCAP.")]
    [joined] = run(before, after, [entry("a1")], [entry("a1"), entry("a2")])
    assert (joined.kind, joined.parties, joined.joined) == ("new_party", ["GBR", "ITA", "JPN"], ["ITA"])
    assert joined.citation.quote == "Italy joined the GCAP." and "Italy joined" in joined.change()

    dated = [*before, mention("a3", ["GBR", "JPN"], "signed", name=GCAP, when="2023-12", day="2024-02-01")]
    [event] = run(before, dated, [entry("a1")], [entry("a1"), entry("a3")])
    assert (event.kind, event.when, event.weak) == ("date_given", "2023-12", True)


def test_a_moderators_correction_makes_one_either_way() -> None:
    before = [mention("a1", ["JPN", "PHL"], "signed"), mention("a2", ["JPN", "PHL"], "signed")]
    fixed = mention(AGREEMENTS_FILE, ["JPN", "PHL"], "in force", paragraph=1, quote="In force since 2024-09-11.")
    [event] = run(before, [*before, fixed], [entry("a1"), entry("a2")], [entry("a1"), entry("a2")])
    assert (event.kind, event.status, event.correction, event.weak) == ("status_change", "in force", True, False)
    assert event.citation.title.startswith("Moderator entry")
    # The same correction, moved down the file by another entry above it: not new.
    moved = mention(AGREEMENTS_FILE, ["JPN", "PHL"], "in force", paragraph=2, quote="In force since 2024-09-11.")
    other = mention(AGREEMENTS_FILE, ["AUS", "JPN"], None, paragraph=1, quote="Moderator's note.")
    events = run([*before, fixed], [*before, other, moved], [entry("a1"), entry("a2")], [entry("a1"), entry("a2")])
    assert [(e.kind, e.parties) for e in events] == [("new_agreement", ["AUS", "JPN"])]


def test_a_generic_deal_that_gets_its_name_is_not_a_new_agreement() -> None:
    before = [mention("a1", ["JPN", "PHL"], "negotiating", name="defence agreement")]
    after = [*before, mention("a2", ["JPN", "PHL"], "negotiating", day="2024-02-01")]
    assert run(before, after, [entry("a1")], [entry("a1"), entry("a2")]) == []


def test_vague_names_beside_a_named_agreement_make_no_event_of_their_own() -> None:
    after = [
        mention("a1", ["GBR", "UKR"], None, name="100 Year Partnership", quote="The 100 Year Partnership turns one."),
        mention("a1", ["GBR", "UKR"], None, name="partnership", paragraph=2, quote="The landmark partnership."),
        mention("a2", ["KEN", "USA"], None, name="defence agreement", quote="Signing the framework."),
        mention("a2", ["KEN", "USA"], None, name="defence agreement", paragraph=3, quote="The framework holds."),
        mention("a2", ["KEN", "USA"], None, name="partnership", paragraph=2, quote="Kenya's partnership."),
    ]
    events = run([], after, [], [entry("a1"), entry("a2")])
    assert [(e.parties, e.agreement) for e in events] == [
        (["GBR", "UKR"], "100 Year Partnership"),
        (["KEN", "USA"], "defence agreement"),  # two sentences: better supported than "partnership"
    ]
    # A pair already known for an agreement: "the alliance" is most likely that one.
    later = [mention("a3", ["GBR", "UKR"], None, name="alliance", day="2024-06-01")]
    assert run(after, [*after, *later], [entry("a1"), entry("a2")], [entry("a1"), entry("a2"), entry("a3")]) == []


def test_a_new_agreement_is_quoted_where_it_is_named() -> None:
    csp = "Comprehensive Strategic Partnership"
    after = [
        mention("a1", ["USA", "VNM"], None, name=csp, paragraph=4, quote="We expand our economic partnership."),
        mention("a1", ["USA", "VNM"], None, name=csp, paragraph=3, quote=f"We move to a {csp}."),
    ]
    [new] = run([], after, [], [entry("a1")])
    assert new.citation.quote == f"We move to a {csp}." and not new.weak


def event(day: str, parties: list[str], n: int) -> PactEvent:
    [made] = detect([], [mention(f"x{n}", parties, "signed", day=day)], {}, [entry(f"x{n}")], "v")
    return made


def test_listing_filters_and_orders() -> None:
    events = [event("2024-03-01", ["JPN", "DEU"], 1), event("2024-01-01", ["FRA", "IND"], 2)]
    assert [e.day.isoformat() for e in newest_first(events)] == ["2024-03-01", "2024-01-01"]
    assert [e.day.isoformat() for e in select(events)] == ["2024-01-01", "2024-03-01"]
    assert select(events, since=dt.date(2024, 2, 1)) == [events[0]]
    assert select(events, country="IND") == [events[1]]


ARTICLE_1 = """---
title: "Japan and Germany open talks on an access pact"
publisher: "Test Wire"
published: 2024-01-10
source: "https://example.org/jp-de-1"
---
Japan and Germany began negotiating a Reciprocal Access Agreement on Wednesday, officials in Tokyo said.
"""
ARTICLE_2 = """---
title: "Japan and Germany sign access pact"
publisher: "Test Wire"
published: 2024-03-05
source: "https://example.org/jp-de-2"
---
Japan and Germany signed a Reciprocal Access Agreement in Berlin on Tuesday, officials said.
"""


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    shutil.copyfile(KNOWLEDGE / "glossary.yaml", knowledge / "glossary.yaml")
    return knowledge, tmp_path / "data"


def test_index_updates_record_events_once(folders: tuple[Path, Path]) -> None:
    knowledge, data = folders
    service = SearchService(knowledge, data, HashEmbedder())
    (knowledge / "jp-de-1.md").write_text(ARTICLE_1, encoding="utf-8")
    service.rebuild(show_progress=False)
    [first] = load_events(data)
    assert (first.kind, first.status, first.agreement) == ("new_agreement", "negotiating", RAA)

    (knowledge / "jp-de-2.md").write_text(ARTICLE_2, encoding="utf-8")
    service.rebuild(show_progress=False)
    kinds = [(e.kind, e.old_status, e.status) for e in load_events(data)]
    assert kinds == [("new_agreement", None, "negotiating"), ("status_change", "negotiating", "signed")]

    # Unchanged, glossary changed (every article read again), removed, then added back: nothing new.
    assert not service.rebuild(show_progress=False).modified
    with (knowledge / "glossary.yaml").open("a", encoding="utf-8") as glossary:
        glossary.write("  - term: access pact\n    aliases: [entry pact]\n")
    service.rebuild(show_progress=False)
    (knowledge / "jp-de-2.md").unlink()
    assert service.rebuild(show_progress=False).removed == ["jp-de-2"]
    (knowledge / "jp-de-2.md").write_text(ARTICLE_2, encoding="utf-8")
    assert service.rebuild(show_progress=False).added == ["jp-de-2"]
    assert [(e.kind, e.status) for e in load_events(data)] == [k[::2] for k in kinds]
