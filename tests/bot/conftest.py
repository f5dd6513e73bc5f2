from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.models.embedder import Embedder
from index.models.onnx_embedder import link_exports
from tests.conftest import build_template, copy_index


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, real_embedder: Embedder) -> Path:
    """An index of the seed and the fixture articles, built once and copied into each test."""
    return build_template(tmp_path_factory.mktemp("template"), real_embedder)


@pytest.fixture
def folders(built: Path, tmp_path: Path, served_exports: Path) -> tuple[Path, Path]:
    shutil.copytree(built / "knowledge", tmp_path / "knowledge")
    copy_index(built, tmp_path / "data")
    link_exports(served_exports, tmp_path / "data")
    return tmp_path / "knowledge", tmp_path / "data"
