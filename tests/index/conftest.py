"""Fixtures for the tests of adding articles from the web: the test web server on 127.0.0.1, and
a service over an index of the fixture articles, with the fast fake embedder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from index.service import SearchService
from tests.conftest import copy_index
from tests.fakes import HashEmbedder, transparent_ranker
from tests.web_server import serve


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """The base URL of the test web server (tests/web_server.py), one per test module."""
    yield from serve()


@pytest.fixture
def indexed_service(knowledge: Path, data_dir: Path, fake_embedder: HashEmbedder, fake_built: Path) -> SearchService:
    return SearchService(knowledge, copy_index(fake_built, data_dir), fake_embedder, ranker=transparent_ranker())
