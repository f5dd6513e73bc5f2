"""The update profile runs, and names steps that `update_index` still has."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.update_profile import STEPS, app
from index.storage import vector_index

pytestmark = pytest.mark.model


def test_every_step_of_adding_an_article_is_found_in_the_profile(
    export_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Past 30 passages the graph is built, so that every named step runs.
    monkeypatch.setattr(vector_index, "EXACT_UP_TO", 30)
    result = CliRunner().invoke(app, ["60", "--rounds", "1", "--models", str(export_dir)])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["passages"] >= 60 and figures["update_s"] > 0
    missing = [name for name in STEPS if figures["steps"][name]["calls"] < 1]
    assert not missing, f"steps no longer in update_index: {missing}"
    assert sum(step["share"] for step in figures["steps"].values()) <= 1.0
