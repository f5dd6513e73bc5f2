"""The `pactbot` command line: in-process with the fake embedder, and end to end with the real model."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.cli import main
from index.answering.ranker import load_ranker
from index.models.onnx_embedder import link_exports
from tests.conftest import ROOT, SEED, copy_index
from tests.fakes import HashEmbedder
from tests.web_server import FEEDS, serve, story


@pytest.fixture
def env(knowledge: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Settings pointing at temporary folders, the fake embedder (and no reranker), and no stray
    .env file."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PACTBOT_KNOWLEDGE_DIR", str(knowledge))
    monkeypatch.setenv("PACTBOT_DATA_DIR", str(data_dir))
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.setattr("index.models.encoders.embedder_for", lambda encoder, data_dir, trained=True: HashEmbedder())
    monkeypatch.setattr("index.models.reranker.reranker_for", lambda *args, **kwargs: None)
    return knowledge


@pytest.fixture
def indexed(env: Path, data_dir: Path, fake_built: Path) -> Path:
    """`env` with the fixture articles indexed, as after `pactbot index` (a copy of the template)."""
    copy_index(fake_built, data_dir)
    return env


def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str = ""
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["pactbot", *args])
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    with pytest.raises(SystemExit) as exit_info:
        main()
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0), out, err


def test_index_reports_what_it_did(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = cli(capsys, monkeypatch, "index")
    assert code == 0
    assert "added: japan-uk-defence-pact" in out
    assert "index updated:" in out and "from 4 articles" in out
    code, out, _ = cli(capsys, monkeypatch, "index")
    assert code == 0 and "index up to date" in out and "0 texts embedded" in out


def test_index_exits_non_zero_on_a_rejected_file_and_indexes_the_rest(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (env / "scan.txt").write_bytes(b"%PDF-1.7\x00\x00binary")
    code, out, err = cli(capsys, monkeypatch, "index")
    assert code == 1
    assert f"rejected: {env / 'scan.txt'}: binary file (contains NUL bytes)" in err
    assert "from 4 articles" in out


@pytest.mark.usefixtures("indexed")
def test_ask_json_prints_one_object_per_question(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = cli(capsys, monkeypatch, "ask", "--json", "-k", "1", "Japan UK defence pact December", "Peru?")
    assert code == 0
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["question"] == "Japan UK defence pact December" and len(first["citations"]) == 1
    assert first["citations"][0]["n"] == 1 and first["abstained"] is False
    assert second["abstained"] is True and second["citations"] == []


@pytest.mark.usefixtures("indexed")
def test_ask_reads_questions_from_standard_input_with_a_dash(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = cli(capsys, monkeypatch, "ask", "--json", "-", stdin="Japan UK pact\n\nAUKUS submarines\n")
    assert code == 0
    assert [json.loads(line)["question"] for line in out.splitlines()] == ["Japan UK pact", "AUKUS submarines"]


@pytest.mark.usefixtures("indexed")
def test_plain_answer_has_markers_then_numbered_sources(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, out, _ = cli(capsys, monkeypatch, "ask", "Japan UK defence pact December signal")
    quotes, sources = out.split("\n\nSources:\n")
    assert quotes.startswith("“") and "[1]" in quotes
    assert sources.startswith("[1] ")
    assert "paragraph " in sources


@pytest.mark.usefixtures("indexed")
def test_sources_lists_the_indexed_articles(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, out, _ = cli(capsys, monkeypatch, "sources")
    assert (
        "japan-uk-defence-pact: Japan and UK set to sign defence pact in December — Financial Times, 2022-11-04" in out
    )
    assert out.rstrip().splitlines()[-1].startswith("4 articles")
    _, out, _ = cli(capsys, monkeypatch, "sources", "--json")
    assert {json.loads(line)["id"] for line in out.splitlines()} >= {"japan-uk-defence-pact", "gcap-fighter"}


def test_console_chat_answers_each_line_until_end_of_input(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = cli(capsys, monkeypatch, stdin="Japan UK defence pact December\nWhat did Narnia sign?\n")
    assert code == 0
    assert "added: japan-uk-defence-pact" in err  # the index was built first, reported off standard output
    assert out.count("Sources:") == 1
    assert "never mention “Narnia”" in out
    # Piped in, each question is printed before its answer.
    assert out.index("> Japan UK defence pact December") < out.index("Sources:") < out.index("> What did Narnia sign?")


def test_eval_scores_a_question_file_on_its_own_corpus(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    questions = tmp_path / "q.yaml"
    questions.write_text(
        f"corpus: [{env}]\nquestions:\n"
        "  - question: Reciprocal Entry Settlement RAA international locations signal\n"
        "    article: japan-uk-defence-pact\n"
        "    gold: The international locations will signal a Reciprocal Entry Settlement (RAA)\n"
        "  - question: Who is the king of Narnia?\n    answerable: false\n",
        encoding="utf-8",
    )
    code, out, _ = cli(capsys, monkeypatch, "eval", str(questions), "--json")
    assert code == 0
    report = json.loads(out)[str(questions)]
    assert (report["answerable"], report["unanswerable"]) == (1, 1)
    assert report["top1"] == 1.0 and report["abstention_recall"] == 1.0
    code, out, _ = cli(capsys, monkeypatch, "eval", str(questions))
    header, row = out.splitlines()[-2:]
    assert "top-1" in header and "in-domain abstained" in header and "answerable abstained" in header
    assert row.startswith(str(questions)) and "100.0%" in row


def test_add_fetches_links_into_the_knowledge_folder_and_reports_refusals(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PACTBOT_ALLOW_PRIVATE_URLS", "true")
    for site in serve():
        code, out, err = cli(capsys, monkeypatch, "add", f"{site}/news/japan-uk-pact", f"{site}/paywall")
        assert code == 1
        assert out.startswith("added japan-and-uk-sign-defence-pact.md: Japan and UK sign defence pact")
        assert "Pacific Security Review, 2023-01-11 (4 paragraphs)" in out
        assert err.count("pactbot: ") == 1 and "has no article text" in err and "Traceback" not in err
        assert (env / "japan-and-uk-sign-defence-pact.md").exists()
        monkeypatch.setenv("PACTBOT_ALLOW_PRIVATE_URLS", "false")
        code, _, err = cli(capsys, monkeypatch, "add", f"{site}/news/gzipped")
        assert code == 1 and "non-public address (127.0.0.1)" in err


def test_feeds_add_then_poll_twice_ingests_new_items_once(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PACTBOT_ALLOW_PRIVATE_URLS", "true")
    FEEDS["cli"] = [1, 2]
    for site in serve():
        code, out, _ = cli(capsys, monkeypatch, "feeds", "add", f"{site}/feeds/cli.rss", "--channel", "77")
        assert code == 0 and out == f"following {site}/feeds/cli.rss (cli news)\n"
        code, out, _ = cli(capsys, monkeypatch, "feeds", "list")
        assert "not polled yet" in out and "reports to <#77>" in out
        code, out, _ = cli(capsys, monkeypatch, "feeds", "poll")
        assert code == 0 and "2 articles added, 0 refused" in out and story(1)[0] in out and story(2)[0] in out
        FEEDS["cli"].append(3)
        code, out, _ = cli(capsys, monkeypatch, "feeds", "poll")
        assert code == 0 and "1 article added" in out and story(3)[0] in out and story(1)[0] not in out
        code, out, _ = cli(capsys, monkeypatch, "feeds", "poll")
        assert code == 0 and out == f"feed <{site}/feeds/cli.rss>: nothing new\n"
        titles = [p.read_text().split("\n")[1] for p in env.glob("*-report-*.md")]
        assert sorted(titles) == sorted(f"title: {story(n)[0]}" for n in (1, 2, 3))
        code, _, err = cli(capsys, monkeypatch, "feeds", "add", f"{site}/news/japan-uk-pact")
        assert code == 1 and err.count("\n") == 1 and "is not a news feed" in err
        code, out, _ = cli(capsys, monkeypatch, "feeds", "remove", f"{site}/feeds/cli.rss")
        assert code == 0 and out.startswith("no longer following")
        code, out, _ = cli(capsys, monkeypatch, "feeds", "list")
        assert "no feeds followed" in out


def test_eval_countries_scores_partners_found_and_parties_right(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = tmp_path / "countries.yaml"
    cases.write_text(
        f"corpus: [{env}]\ncountries:\n"
        "- country: Japan\n  partners: [UK, Philippines, Peru]\n  never: [China]\n"
        "- country: Beijing\n  partners: []\n  never: [Japan]\n",
        encoding="utf-8",
    )
    code, out, _ = cli(capsys, monkeypatch, "eval-countries", str(cases), "--json")
    assert code == 0
    (report,) = json.loads(out).values()
    japan, beijing = report["results"]
    assert {"GBR", "PHL"} <= set(japan["found"]) and japan["missed"] == ["PER"] and japan["wrong"] == []
    assert beijing["found"] == [] and report["recall"] == pytest.approx(2 / 3)
    assert report["precision"] == 1.0 and report["every_agreement_cited"] is True
    code, out, _ = cli(capsys, monkeypatch, "eval-countries", str(cases))
    assert "2 cases: partners found" in out and "parties right 100.0%" in out


def test_eval_pair_classifier_prints_the_rules_beside_the_classifier(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    evals = Path(__file__).resolve().parents[1] / "eval"
    train, test = evals / "countries-agreements-dev.yaml", evals / "countries-agreements-dev2.yaml"
    code, out, _ = cli(capsys, monkeypatch, "eval-pair-classifier", "--train", str(train), "--test", str(test))
    assert code == 0
    assert out.startswith("cross-validated, folds by article:") and "\nheld out:\n" in out
    assert "rules      partners found 100.0%, parties right 100.0%" in out and out.count("classifier ") == 2


@pytest.mark.parametrize(
    ("args", "variable", "value", "message"),
    [
        (
            ["index"],
            "PACTBOT_KNOWLEDGE_DIR",
            "/nonexistent/knowledge",
            "knowledge directory /nonexistent/knowledge does not exist",
        ),
        (
            ["ask", "anything"],
            "PACTBOT_DATA_DIR",
            "/nonexistent/data",
            "no index in /nonexistent/data; build it with `pactbot index`",
        ),
        (["ask", "anything"], "PACTBOT_TOP_K", "many", "setting PACTBOT_TOP_K: Input should be a valid integer"),
        (["sources"], "PACTBOT_DATA_DIR", "/nonexistent/data", "no index in /nonexistent/data"),
        (["eval", "/nonexistent/q.yaml"], "PACTBOT_LOG_LEVEL", "WARNING", "/nonexistent/q.yaml: cannot be read"),
    ],
)
def test_errors_are_one_clear_line_without_a_traceback(
    env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    variable: str,
    value: str,
    message: str,
) -> None:
    monkeypatch.setenv(variable, value)
    code, _, err = cli(capsys, monkeypatch, *args)
    assert code == 1
    assert err.startswith("pactbot: ") and message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_run_without_a_token_says_what_is_missing(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = cli(capsys, monkeypatch, "run")
    assert code == 1 and err.strip() == "pactbot: DISCORD_TOKEN is not set; see .env.example"


def run_pactbot(args: list[str], cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PACTBOT_", "DISCORD_"))}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def seed_checkout(tmp_path: Path, served_exports: Path) -> Path:
    """A folder laid out like the repository: knowledge/ with the seed and glossary, no index yet
    (the run's model export beside it)."""
    (tmp_path / "knowledge").mkdir()
    shutil.copyfile(SEED, tmp_path / "knowledge" / SEED.name)
    shutil.copyfile(SEED.parent / "glossary.yaml", tmp_path / "knowledge" / "glossary.yaml")
    link_exports(served_exports, tmp_path / "data")
    return tmp_path


@pytest.mark.model
def test_piped_main_command_builds_the_index_and_answers(seed_checkout: Path) -> None:
    question = "When will Japan and the UK sign the defence pact?"
    result = run_pactbot([], seed_checkout, stdin=question + "\n")
    assert result.returncode == 0, result.stderr
    # The question piped in, then its answer. Paragraph 1 says when; Pactbot's encoder puts
    # paragraph 2 (what they will sign) before it.
    assert result.stdout.startswith(f"> {question}\n“")
    assert "“Japan and the UK are set to signal a serious defence pact in December" in result.stdout
    assert re.search(
        r"\[\d\] Japan and UK set to sign defence pact in December — Financial Times, 2022-11-04 — paragraph 1$",
        result.stdout,
        re.MULTILINE,
    )
    assert (seed_checkout / "data" / "CURRENT").exists()
    assert "Traceback" not in result.stderr


@pytest.mark.model
def test_ask_json_end_to_end_cites_paragraph_1(seed_checkout: Path) -> None:
    assert run_pactbot(["index"], seed_checkout).returncode == 0
    result = run_pactbot(["ask", "--json", "When will Japan and the UK sign the defence pact?"], seed_checkout)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    (cited,) = [c for c in answer["citations"] if c["paragraph"] == 1]
    assert cited["n"] <= 2 and cited["quote"].startswith("Japan and the UK are set to signal a serious defence pact")
    assert (cited["publisher"], cited["published"]) == ("Financial Times", "2022-11-04")
    assert cited["title"] == "Japan and UK set to sign defence pact in December"


@pytest.mark.usefixtures("indexed")
def test_agreements_json_has_the_documented_shape(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = cli(capsys, monkeypatch, "agreements", "Japan", "--json")
    assert code == 0
    result = json.loads(out)
    assert set(result) == {"query", "country", "agreements"}
    assert result["query"] == "Japan" and result["country"] == {"name": "Japan", "iso3": "JPN"}
    first = result["agreements"][0]
    assert set(first) == {
        "name", "parties", "status", "date", "when", "sentences", "articles", "weak", "correction", "citations"
    }  # fmt: skip
    assert first["sentences"] >= 1 and first["articles"] >= 1 and first["weak"] == (first["sentences"] == 1)
    assert "JPN" in first["parties"] and len(first["parties"]) >= 2
    citation = first["citations"][0]
    assert set(citation) == {
        "n",
        "article_id",
        "title",
        "publisher",
        "published",
        "source",
        "paragraph",
        "quote",
        "score",
        "dates",
    }
    partners = {p for a in result["agreements"] for p in a["parties"]}
    assert {"GBR", "AUS", "PHL"} <= partners and not {"CHN", "TWN"} & partners


@pytest.mark.usefixtures("indexed")
def test_agreements_plain_output_groups_by_partner_and_a_pair_gives_its_timeline(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, out, _ = cli(capsys, monkeypatch, "agreements", "Tokyo")
    assert out.startswith("Agreements of Japan (JPN)")
    groups = {block.split("\n")[0]: block for block in out.split("\n\n")[1:]}
    assert "  Reciprocal Access Agreement: " in groups["United Kingdom"]
    assert list(groups) == sorted(groups)
    _, pair, _ = cli(capsys, monkeypatch, "agreements", "Japan", "--partner", "Philippines")
    assert pair.startswith("Agreements of Japan (JPN) with Philippines")
    steps = pair.split("\nTimeline\n")[1].splitlines()[::3]
    dates = [step.split()[0] for step in steps]
    assert len(dates) >= 3 and dates == sorted(dates) and dates[0] == "2022-11-04" and dates[-1] == "2024-07-08"


@pytest.mark.usefixtures("indexed")
def test_unknown_country_exits_2_and_a_country_without_agreements_exits_0(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = cli(capsys, monkeypatch, "agreements", "Narnia")
    assert code == 2 and out == "" and err.startswith("pactbot: “Narnia” is not a country I know. Did you mean")
    code, out, _ = cli(capsys, monkeypatch, "agreements", "Peru", "--json")
    assert code == 0 and json.loads(out)["agreements"] == []


@pytest.mark.usefixtures("indexed")
def test_map_writes_a_png_with_the_country_and_its_partners(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out_file = tmp_path / "japan.png"
    code, out, _ = cli(capsys, monkeypatch, "map", "Japan", "--out", str(out_file))
    assert code == 0 and out.startswith(f"wrote {out_file}: ")
    assert out_file.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_ask_explain_shows_candidates_thresholds_and_the_rule(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli(capsys, monkeypatch, "index")[0] == 0
    code, out, _ = cli(capsys, monkeypatch, "ask", "--explain", "--json", "Who announced the AUKUS pact?")
    assert code == 0
    explanation = json.loads(out)
    assert explanation["decision"].startswith(("answered:", "abstained:"))
    assert 0 < explanation["thresholds"]["answer_chance"] < 1 and explanation["candidates"]
    # The score shown is the fitted ranker's, from the features shown.
    order = load_ranker().order
    for candidate in explanation["candidates"]:
        row = np.array([[candidate["features"][name] for name in order.features]])
        assert candidate["score"] == pytest.approx(order.scores(row)[0], abs=1e-3)
    assert explanation["answer"]["abstained"] == (not any(c["quoted"] for c in explanation["candidates"]))
    code, out, _ = cli(capsys, monkeypatch, "ask", "--explain", "What did Peru sign with Narnia?")
    assert code == 0 and "Decision: abstained:" in out and "never mention “Peru”, “Narnia”" in out
    assert "Candidates" in out


def test_index_reports_ignored_files_and_counts_in_the_singular(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, env: Path
) -> None:
    for path in env.iterdir():
        if path.suffix in (".md", ".txt") and path.name != SEED.name:
            path.unlink()
    (env / "scan.pdf").write_bytes(b"%PDF-1.7")
    code, out, err = cli(capsys, monkeypatch, "index")
    assert code == 0 and "from 1 article," in out and "1 articles" not in out
    assert f"ignored: {env / 'scan.pdf'}: not read: not .md or .txt" in err
    assert err.count("scan.pdf") == 1


def test_a_bad_date_is_one_rejection_and_the_rest_is_indexed(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (env / "bad-date.md").write_text("---\npublished: 2025-13-45\n---\nA paragraph.\n", encoding="utf-8")
    code, out, err = cli(capsys, monkeypatch, "index")
    assert code == 1 and "added: japan-uk-defence-pact" in out
    assert err.count("bad-date.md") == 1
    assert "front matter: published: 2025-13-45 is not a date" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("PACTBOT_SHARD_IDS", "0,1", "PACTBOT_SHARD_IDS needs PACTBOT_SHARD_COUNT set to a number"),
        ("PACTBOT_SHARD_COUNT", "0", "setting PACTBOT_SHARD_COUNT:"),
    ],
)
def test_bad_shard_settings_are_one_line(
    env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    message: str,
) -> None:
    monkeypatch.setenv(variable, value)
    code, _, err = cli(capsys, monkeypatch, "sources")
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("args", [["run"], ["sync-commands"]])
def test_discord_unreachable_is_one_line_naming_the_host(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    import socket

    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("DISCORD_TOKEN", "not-a-real-token")
    monkeypatch.setenv("PACTBOT_DISCORD_API_BASE", f"http://127.0.0.1:{port}/api/v10")
    monkeypatch.setenv("PACTBOT_DISCORD_GATEWAY_URL", f"ws://127.0.0.1:{port}/gateway")
    code, _, err = cli(capsys, monkeypatch, *args)
    lines = [line for line in err.splitlines() if line.startswith("pactbot: ")]
    assert code == 1 and lines == [lines[-1]]
    assert f"cannot reach Discord at 127.0.0.1:{port}" in lines[0] and "Traceback" not in err


def test_lookups_and_an_index_with_nothing_to_do_never_load_the_model(
    knowledge: Path,
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    fake_embedder: HashEmbedder,
) -> None:
    from index.models.encoders import embedder_for
    from index.models.onnx_embedder import OnnxEmbedder
    from index.service import SearchService

    real = embedder_for("onnx", data_dir)  # Pactbot's encoder, as the CLI serves it
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PACTBOT_KNOWLEDGE_DIR", str(knowledge))
    monkeypatch.setenv("PACTBOT_DATA_DIR", str(data_dir))
    loads: list[str] = []

    def counting_load(self: OnnxEmbedder) -> object:
        loads.append("load")
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(OnnxEmbedder, "load", counting_load)
    assert real.dimension == 384 and real.max_tokens == 254  # from the model's configuration, unloaded
    # An index whose vectors claim the real model, so that lookups pass the model check.
    monkeypatch.setattr(fake_embedder, "name", real.name)
    monkeypatch.setattr(fake_embedder, "dimension", real.dimension)
    monkeypatch.setattr(fake_embedder, "max_tokens", real.max_tokens)
    SearchService(knowledge, data_dir, fake_embedder).rebuild(show_progress=False)
    for args in (["index"], ["agreements", "Japan"], ["sources"]):
        code, _, err = cli(capsys, monkeypatch, *args)
        assert code == 0, err
    assert loads == []
    with pytest.raises(AssertionError, match="the model was loaded"):
        real.encode(["a question"])


def test_console_ctrl_c_leaves_on_a_line_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot import console

    typed = iter(["What is AUKUS?"])

    def fake_input(prompt: str) -> str:
        try:
            return next(typed)
        except StopIteration:
            raise KeyboardInterrupt from None

    monkeypatch.setattr("builtins.input", fake_input)
    out = io.StringIO()
    assert list(console._typed_lines(out)) == ["What is AUKUS?"]
    assert out.getvalue() == "\n"
    import readline  # imported by the chat, which is what gives input() line editing and history

    assert readline.__name__ == "readline"


def test_eval_dates_counts_right_wrong_and_withheld(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = tmp_path / "texts"
    articles.mkdir()
    (articles / "pact.md").write_text(
        "---\ntitle: Pact\npublished: 2022-11-04\n---\n"
        "The two countries are expected to sign the pact in December.\n\nThe talks lasted two years.\n",
        encoding="utf-8",
    )
    labels = tmp_path / "dates.yaml"
    labels.write_text(
        "shared: texts\nmentions:\n"
        "- {file: pact.md, paragraph: 1, text: December, value: '2022-12'}\n"  # right
        "- {file: pact.md, paragraph: 1, text: December, value: '2023-12'}\n"  # a wrong label: shown as wrong
        "- {file: pact.md, paragraph: 2, text: two years, value: null}\n",  # no date, none shown: right
        encoding="utf-8",
    )
    code, out, _ = cli(capsys, monkeypatch, "eval-dates", str(labels), "--json")
    assert code == 0
    (report,) = json.loads(out).values()
    assert (report["mentions"], report["right"], report["wrong"], report["withheld"]) == (3, 2, 1, 0)
    code, out, _ = cli(capsys, monkeypatch, "eval-dates", str(labels))
    assert "WRONG: pact.md paragraph 1 'December': 2023-12 shown 2022-12" in out
    assert "3 mentions: 2 right, 1 wrong date shown, 0 withheld" in out
