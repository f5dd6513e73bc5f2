from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from index.models.embedder import Embedder
from tests.fakes import HashEmbedder

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
FIXTURE_ARTICLES = ROOT / "tests" / "fixtures" / "articles"
EVAL = ROOT / "tests" / "eval"  # the labelled question files
SHARED = ROOT.parent / "shared"  # the real texts, beside the checkout and never in it
SEED = KNOWLEDGE / "japan-uk-defence-pact.txt"
# What the tests take from knowledge/: the seed and the engine's own vocabulary files. Never the
# whole folder: moderators add articles there, and no test may depend on which.
SHIPPED = (SEED, KNOWLEDGE / "glossary.yaml", KNOWLEDGE / "agreements.yaml")


def fill_knowledge(folder: Path) -> Path:
    """`folder` made a knowledge folder with the seed, the glossary and the fixture articles."""
    folder.mkdir()
    for path in [*SHIPPED, *FIXTURE_ARTICLES.iterdir()]:
        shutil.copyfile(path, folder / path.name)
    return folder


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    """A knowledge folder with the seed, the glossary and the fixture articles."""
    return fill_knowledge(tmp_path / "knowledge")


def build_template(root: Path, embedder: Embedder) -> Path:
    """`root` with a knowledge folder (as the `knowledge` fixture's) and its index built by
    `embedder` in `root / "data"`. Building parses every article (a second or more); a copy of the
    folders takes milliseconds, and an index holds no paths, so tests that start from a built index
    copy one template (`copy_index`) instead of each building their own."""
    from index.service import SearchService

    SearchService(fill_knowledge(root / "knowledge"), root / "data", embedder).rebuild(show_progress=False)
    return root


def copy_index(template: Path, data_dir: Path) -> Path:
    """The template's index copied to `data_dir`, for a copy of the template's knowledge folder."""
    shutil.copytree(template / "data", data_dir, symlinks=True)
    return data_dir


@pytest.fixture(scope="session")
def fake_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture articles indexed with the fake embedder, once per worker (`build_template`)."""
    return build_template(tmp_path_factory.mktemp("fake-template"), HashEmbedder())


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def fake_embedder() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture(scope="session")
def export_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the models are exported to ONNX: pytest's cache folder, so that a run exports only
    what changed since the last (an export is named by its model and adapter, and checked by
    checksum when loaded); the run's temporary folder when the cache is off. The pytest-xdist
    workers share it; the exporters' file lock lets one of them export while the others wait."""
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir("onnx-models"))
    run = tmp_path_factory.getbasetemp()
    folder = (run.parent if os.environ.get("PYTEST_XDIST_WORKER") else run) / "onnx-models"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def real_embedder(export_dir: Path) -> Embedder:
    """Pactbot's encoder (the bundled all-MiniLM-L6-v2 with the shipped adapter) as the bot
    serves it, through ONNX Runtime."""
    from index.models.adapters import artefact_path, read_adapter
    from index.models.onnx_embedder import OnnxEmbedder

    return OnnxEmbedder(export_dir, adapter=read_adapter(artefact_path("encoder")))


@pytest.fixture(scope="session")
def reference_embedder() -> Embedder:
    """The same model through PyTorch and sentence-transformers: the reference."""
    from index.models.adapters import artefact_path, read_adapter
    from index.models.torch_embedder import MiniLMEmbedder

    return MiniLMEmbedder(read_adapter(artefact_path("encoder")))


@pytest.fixture(scope="session")
def served_exports(real_embedder: Embedder, export_dir: Path) -> Path:
    """The run's exports of the encoder and of the reranker the bot serves by default, made by
    now (once per worker): a pactbot process that a test starts links them into its data folder
    (`link_exports`) rather than export its own, about 10 s each."""
    from index.models.adapters import artefact_path, read_adapter
    from index.models.reranker import OnnxReranker

    real_embedder.encode(["warm-up"])
    OnnxReranker(export_dir, read_adapter(artefact_path("reranker"))).load()
    return export_dir


FIGURES = os.environ.get("PACTBOT_FIGURES")  # where `make reliability` collects its figures


def record_figure(name: str, value: object) -> None:
    """Keep a figure from a reliability run (kills survived, p95, ...) for docs/reliability.md."""
    if FIGURES:
        path = Path(FIGURES)
        figures = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        figures[name] = value
        path.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def scale(ci: int, full: int) -> int:
    """A count for this run: the full one under `make reliability`, a smaller one otherwise."""
    return full if os.environ.get("PACTBOT_FULL_RELIABILITY") else ci


# What the fast tier (`make test-fast`) leaves out, read from what each test uses: the real model
# (its fixtures, and the benchmark, which loads it in a subprocess), the fake Discord server, and
# the local web server standing in for news sites.
MODEL_FIXTURES = frozenset({"real_embedder", "reference_embedder", "export_dir", "built"})
DISCORD_MODULES = frozenset(
    {"test_alerts_e2e", "test_discord_e2e", "test_discord_faults", "test_fake_discord", "test_load"}
)
NETWORK_FIXTURES = frozenset({"site"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        module = item.nodeid.split("::")[0]
        if used & MODEL_FIXTURES or module.startswith("tests/bench/"):
            item.add_marker(pytest.mark.model)
        if Path(module).stem in DISCORD_MODULES:
            item.add_marker(pytest.mark.discord)
        if used & NETWORK_FIXTURES:
            item.add_marker(pytest.mark.network)
