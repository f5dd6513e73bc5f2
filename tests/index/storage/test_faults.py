"""Faults in the index, made many times: random kills, damaged files, hostile YAML, odd questions.

`make reliability` runs the full counts and records the figures; CI runs smaller counts.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.glossary import GlossaryError, load_glossary
from index.service import SearchService
from index.storage.build import build_index
from index.storage.store import CorruptIndexError, current_name, load_current, load_version, versions_dir
from tests.conftest import ROOT, copy_index, record_figure, scale
from tests.fakes import HashEmbedder

# A build in another process whose embedder is slowed down, so that a kill can land anywhere:
# scanning, embedding, writing files, renaming, switching CURRENT.
SLOW_BUILD = """
    import sys, time
    from pathlib import Path
    from index.storage.build import build_index
    from tests.fakes import HashEmbedder

    class Slow(HashEmbedder):
        def encode(self, texts, progress=None):
            time.sleep(0.002 * len(texts))
            return super().encode(texts, progress)

    build_index(Path(sys.argv[1]), Path(sys.argv[2]), Slow())
"""


def start_build(knowledge: Path, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(SLOW_BUILD), str(knowledge), str(data_dir)],
        env=env,
        stderr=subprocess.DEVNULL,
    )


def article_ids(knowledge: Path) -> set[str]:
    return {p.stem for p in knowledge.iterdir() if p.suffix in {".md", ".txt"}}


def test_builds_killed_at_random_points_always_leave_a_whole_index(knowledge: Path, data_dir: Path) -> None:
    embedder = HashEmbedder()
    build_index(knowledge, data_dir, embedder)
    # How long an undisturbed build takes, so kills can be spread over all of it.
    extra = knowledge / "extra-0.md"
    extra.write_text("Extra article about a pact between Canada and Japan.\n" * 3, encoding="utf-8")
    started = time.monotonic()
    assert start_build(knowledge, data_dir).wait(timeout=120) == 0
    duration = time.monotonic() - started
    rng = random.Random(20261130)
    kills = scale(ci=8, full=100)
    survived = completed = 0
    for n in range(1, kills + 1):
        before = {a.id for a in load_current(data_dir).manifest.articles}
        # Every round changes the collection, so every build has work to do.
        (knowledge / f"extra-{n}.md").write_text(f"Round {n}: Canada and Japan sign a pact.\n", encoding="utf-8")
        (knowledge / f"extra-{n - 1}.md").unlink()
        after = article_ids(knowledge)
        process = start_build(knowledge, data_dir)
        time.sleep(rng.uniform(0, duration))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        data = load_current(data_dir)  # verifies every checksum
        ids = {a.id for a in data.manifest.articles}
        assert ids in (before, after), "a mix of two versions"
        assert {p.article_id for p in data.passages} == ids
        completed += ids == after
        answer = SearchService(knowledge, data_dir, embedder).ask("Japan UK defence pact December")
        assert answer.citations
        survived += 1
    record_figure("kills_survived", f"{survived}/{kills} ({completed} after the build had finished)")
    assert survived == kills


def damage(path: Path, how: str) -> None:
    if how == "missing":
        path.unlink()
    elif how == "truncated":
        path.write_bytes(path.read_bytes()[: max(path.stat().st_size // 2, 0)])
    else:  # one flipped bit in the middle
        raw = bytearray(path.read_bytes())
        raw[len(raw) // 2] ^= 0x10
        path.write_bytes(bytes(raw))


def test_every_damaged_file_is_detected_and_the_previous_version_served(knowledge: Path, data_dir: Path) -> None:
    embedder = HashEmbedder()
    first = build_index(knowledge, data_dir, embedder)
    (knowledge / "extra.md").write_text("Canada and Japan sign a pact.\n", encoding="utf-8")
    second = build_index(knowledge, data_dir, embedder)
    latest = versions_dir(data_dir) / str(second.version)
    files = sorted(p.relative_to(latest) for p in latest.rglob("*") if p.is_file())
    assert len(files) >= 9  # manifest and its checksum, passages, vectors, agreements, bm25 files, ...
    made = detected = 0
    for name in files:
        for how in ("missing", "truncated", "bit flipped"):
            target = latest / name
            original = target.read_bytes()
            damage(target, how)
            made += 1
            with pytest.raises(CorruptIndexError):
                load_version(latest)
            assert load_current(data_dir).manifest.version == first.version  # the previous one serves
            detected += 1
            target.write_bytes(original)
    # A manifest that disagrees with its files, edited by hand with its checksum made to match.
    manifest, checksum = latest / "manifest.json", latest / "manifest.json.sha256"
    text, text_sum = manifest.read_text(encoding="utf-8"), checksum.read_text(encoding="utf-8")
    manifest.write_text(text.replace(f'"passage_count": {second.passages}', '"passage_count": 1'), encoding="utf-8")
    checksum.write_text(hashlib.sha256(manifest.read_bytes()).hexdigest(), encoding="utf-8")
    made += 1
    with pytest.raises(CorruptIndexError, match="disagree"):
        load_version(latest)
    detected += 1
    manifest.write_text(text, encoding="utf-8")
    checksum.write_text(text_sum, encoding="utf-8")
    # With no good version left, the error says how to rebuild.
    damage(versions_dir(data_dir) / str(first.version) / "passages.jsonl", "bit flipped")
    damage(latest / "vectors.npy", "truncated")
    made += 1
    with pytest.raises(CorruptIndexError, match="rebuild it with `pactbot index`"):
        load_current(data_dir)
    detected += 1
    record_figure("corruptions_detected", f"{detected}/{made}")
    assert current_name(data_dir) == second.version


ALIAS_BOMB = """
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
terms: [*d, *d, *d, *d, *d, *d, *d, *d, *d]
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (ALIAS_BOMB, "line 3: aliases (*name) are not allowed"),
        ("terms:\n  - term: x\n   aliases: [y]\n", "not valid YAML (line 3"),
        ("terms: 7\n", "terms: Input should be a valid list"),
        ("terms:\n  - term: [not, text]\n", "terms.0.term"),
    ],
)
def test_a_bad_glossary_is_rejected_with_file_and_line_and_the_index_kept(
    knowledge: Path, data_dir: Path, text: str, message: str
) -> None:
    embedder = HashEmbedder()
    first = build_index(knowledge, data_dir, embedder)
    glossary = knowledge / "glossary.yaml"
    glossary.write_text(text, encoding="utf-8")
    with pytest.raises(GlossaryError) as error:
        load_glossary(glossary)
    assert str(glossary) in str(error.value) and message in str(error.value)
    (knowledge / "extra.md").write_text("Canada and Japan sign a pact.\n", encoding="utf-8")
    with pytest.raises(GlossaryError):
        build_index(knowledge, data_dir, embedder)
    assert current_name(data_dir) == first.version


def test_a_bad_agreements_file_is_reported_not_fatal(knowledge: Path, data_dir: Path) -> None:
    (knowledge / "agreements.yaml").write_text(ALIAS_BOMB.replace("terms", "agreements"), encoding="utf-8")
    report = build_index(knowledge, data_dir, HashEmbedder())
    assert report.warnings == ["agreements.yaml was ignored: not valid YAML (line 3: aliases (*name) are not allowed)"]
    assert load_current(data_dir).agreements  # the agreements read from the articles are there


QUESTIONS = [
    "",
    "?!.,;:",
    "x" * 10_000,
    "What\x00 about\x07 control\x1b[31m characters?",
    "```python\nprint('RAA')\n```",
    "<@123> @everyone @here who signed?",
    "מה ההסכם בין יפן לבריטניה?",  # right-to-left
    "🇯🇵🤝🇬🇧 pact?",
    "   \n\t  ",
]


@pytest.fixture
def service(knowledge: Path, data_dir: Path, fake_built: Path) -> SearchService:
    return SearchService(knowledge, copy_index(fake_built, data_dir), HashEmbedder())


@pytest.mark.parametrize("question", QUESTIONS)
def test_odd_questions_get_a_bounded_sensible_reply(service: SearchService, question: str) -> None:
    answer = service.ask(question, k=3)
    assert len(answer.citations) <= 3
    assert answer.abstained == (not answer.citations)
    assert len(answer.answer) < 5 * 2000  # never more than the quotes themselves


@settings(
    max_examples=scale(ci=200, full=2000), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(question=st.text(max_size=500))
def test_any_question_gets_an_answer_or_an_abstention(service: SearchService, question: str) -> None:
    answer = service.ask(question, k=3)
    assert answer.abstained == (not answer.citations) and len(answer.citations) <= 3
    for citation in answer.citations:
        assert citation.quote and citation.paragraph >= 1
