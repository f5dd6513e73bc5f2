"""`pactbot events` and `pactbot alerts`: in-process, with the fake embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.bot.alert_support import GERMANY_SIGNED, GERMANY_TALKS, article_file
from tests.bot.test_cli import cli
from tests.fakes import HashEmbedder

KEYS = {"id", "kind", "agreement", "parties", "old_status", "status", "when", "reported", "weak", "citation"}


@pytest.fixture
def env(knowledge: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PACTBOT_KNOWLEDGE_DIR", str(knowledge))
    monkeypatch.setenv("PACTBOT_DATA_DIR", str(data_dir))
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.delenv("PACTBOT_LOG_CHANNEL_ID", raising=False)
    monkeypatch.setattr("index.models.encoders.embedder_for", lambda encoder, data_dir, trained=True: HashEmbedder())
    monkeypatch.setattr("index.models.reranker.reranker_for", lambda *args, **kwargs: None)
    return knowledge


def test_events_lists_what_each_index_update_brought(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli(capsys, monkeypatch, "index")[0] == 0
    for name, story in (("jp-de-talks", GERMANY_TALKS), ("jp-de-signed", GERMANY_SIGNED)):
        (env / f"{name}.md").write_text(article_file(story, f"https://example.org/{name}"), encoding="utf-8")
        assert cli(capsys, monkeypatch, "index")[0] == 0
    code, out, _ = cli(capsys, monkeypatch, "events", "--country", "Germany", "--json")
    events = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and all(set(e) == KEYS for e in events)
    assert [(e["kind"], e["old_status"], e["status"], e["reported"]) for e in events] == [
        ("status_change", "negotiating", "signed", "2024-03-05"),  # newest first
        ("new_agreement", None, "negotiating", "2024-01-10"),
    ]
    assert events[0]["citation"]["source"] == "https://example.org/jp-de-signed"
    assert events[0]["citation"]["quote"].startswith("Japan and Germany signed a Reciprocal Access Agreement")
    code, out, _ = cli(capsys, monkeypatch, "events", "--since", "2024-03-01", "--country", "DEU")
    assert "Germany and Japan: Reciprocal Access Agreement: negotiating → signed (2024-03-05)" in out
    assert "new agreement" not in out and "“Japan and Germany signed" in out
    assert cli(capsys, monkeypatch, "events", "--since", "March")[0] == 1
    assert cli(capsys, monkeypatch, "events", "--country", "Atlantis")[0] == 2


def test_alerts_are_added_listed_and_removed_from_the_shell(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = cli(capsys, monkeypatch, "alerts", "add", "--country", "Japan")
    assert code == 1 and "give --channel" in err
    code, out, _ = cli(capsys, monkeypatch, "alerts", "add", "--country", "Japan", "--channel", "42")
    assert code == 0 and out.startswith("added: Japan in <#42>")
    monkeypatch.setenv("PACTBOT_LOG_CHANNEL_ID", "7")
    assert cli(capsys, monkeypatch, "alerts", "add", "--agreement", "RAA")[0] == 0
    code, _, err = cli(capsys, monkeypatch, "alerts", "add", "--country", "Japan", "--channel", "42")
    assert code == 1 and "already posted" in err
    code, out, _ = cli(capsys, monkeypatch, "alerts", "list", "--json")
    listed = [json.loads(line) for line in out.splitlines()]
    assert [(s["channel_id"], s["country"], s["agreement"]) for s in listed] == [(42, "JPN", None), (7, None, "RAA")]
    code, out, _ = cli(capsys, monkeypatch, "alerts", "remove", "--country", "Japan", "--channel", "42")
    assert code == 0 and out.startswith("removed: Japan")
    code, out, _ = cli(capsys, monkeypatch, "alerts", "list")
    assert out.strip().startswith("“RAA” in <#7>")
