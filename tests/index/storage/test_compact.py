"""What a served index holds per passage stays small: slotted records, freed pages handed back."""

from __future__ import annotations

import platform
from pathlib import Path

from index.storage.build import build_index
from index.storage.memory import _libc, return_freed_memory
from index.storage.store import load_current
from tests.conftest import FIXTURE_ARTICLES
from tests.fakes import HashEmbedder


def test_a_loaded_version_holds_slotted_records_that_round_trip(tmp_path: Path) -> None:
    build_index(FIXTURE_ARTICLES, tmp_path / "data", HashEmbedder())
    data = load_current(tmp_path / "data")
    records = [data.passages[0], data.passages[0].facts[0], data.agreements[0]]
    dated = next(d for p in data.passages for f in p.facts for d in f.dates)
    # No per-instance dict: a model instance took 2.9 kB per passage, these 1.0 kB.
    assert not any(hasattr(r, "__dict__") for r in [*records, dated])
    # What was written is what is read back.
    build_index(FIXTURE_ARTICLES, tmp_path / "again", HashEmbedder())
    assert load_current(tmp_path / "again").passages == data.passages
    assert load_current(tmp_path / "again").agreements == data.agreements


def test_freed_memory_is_handed_back_on_glibc() -> None:
    if platform.libc_ver()[0] == "glibc":
        assert _libc() is not None
    return_freed_memory()  # never fails, whatever the C library
