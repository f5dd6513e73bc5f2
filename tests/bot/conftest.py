from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.models.embedder import Embedder
from index.service import SearchService
from tests.conftest import FIXTURE_ARTICLES, SHIPPED, share_export


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, real_embedder: Embedder) -> Path:
    """An index of the seed and the fixture articles, built once and copied into each test."""
    root = tmp_path_factory.mktemp("template")
    knowledge = root / "knowledge"
    knowledge.mkdir()
    for path in [*SHIPPED, *FIXTURE_ARTICLES.iterdir()]:
        shutil.copyfile(path, knowledge / path.name)
    SearchService(knowledge, root / "data", real_embedder).rebuild(show_progress=False)
    return root


@pytest.fixture
def folders(built: Path, tmp_path: Path, real_embedder: Embedder, export_dir: Path) -> tuple[Path, Path]:
    shutil.copytree(built / "knowledge", tmp_path / "knowledge")
    shutil.copytree(built / "data", tmp_path / "data")
    share_export(real_embedder, export_dir, tmp_path / "data")
    return tmp_path / "knowledge", tmp_path / "data"
