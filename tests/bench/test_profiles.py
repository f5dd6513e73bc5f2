"""The profiles run, and name steps that the update and the answer still have."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.profiles import app
from index.storage import vector_index

pytestmark = pytest.mark.model


@pytest.mark.parametrize("command", ["update", "ask"])
def test_every_step_named_is_found_in_the_profile(
    command: str, export_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Past 30 passages the graph is built, so that every named step of an update runs.
    monkeypatch.setattr(vector_index, "EXACT_UP_TO", 30)
    options = ["--rounds", "1"] if command == "update" else ["--questions", "4"]
    result = CliRunner().invoke(app, [command, "60", *options, "--models", str(export_dir)])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    missing = [name for name, step in figures["steps"].items() if step["calls"] < 1]
    assert not missing, f"steps the code no longer has: {missing}"
    assert all(step["s"] <= figures["profiled_s"] for step in figures["steps"].values())
    assert (figures["update_s"] if command == "update" else figures["answer"]["p50_ms"]) > 0
