from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from index.articles import ArticleError, parse_article, read_article, scan_directory
from tests.conftest import SEED

SEED_BODY = Path(__file__).resolve().parents[3] / "shared" / "seed" / "japan-uk-defence-pact.txt"


def test_seed_has_front_matter_and_22_numbered_paragraphs() -> None:
    article = read_article(SEED)
    assert article.id == "japan-uk-defence-pact"
    assert article.publisher == "Financial Times"
    assert article.published == dt.date(2022, 11, 4)
    assert article.source is None  # empty in the front matter
    assert article.authors == ["Kana Inagaki", "Demetri Sevastopulo"]
    assert len(article.paragraphs) == 22
    assert article.paragraphs[0].startswith("Japan and the UK are set to signal a serious defence pact in December")
    assert article.paragraphs[21] == "Comply with Kana Inagaki and Demetri Sevastopulo on Twitter"


@pytest.mark.skipif(not SEED_BODY.exists(), reason="../shared/seed is not beside the checkout")
def test_seed_body_is_unchanged_from_the_shared_seed() -> None:
    text = SEED.read_text(encoding="utf-8")
    assert text.endswith(SEED_BODY.read_text(encoding="utf-8"))


def test_without_front_matter_the_title_comes_from_the_file_name() -> None:
    article = parse_article(Path("nato-summit.txt"), b"First paragraph.\n\nSecond one.\n")
    assert article.title == "Nato summit"
    assert article.paragraphs == ["First paragraph.", "Second one."]
    assert article.published is None


def test_markdown_headings_are_not_paragraphs_but_give_the_title() -> None:
    article = parse_article(Path("a.md"), b"# The Headline\n\nBody text here.\n## Section\nMore text.\n")
    assert article.title == "The Headline"
    assert article.paragraphs == ["Body text here.", "More text."]


def test_a_byte_order_mark_is_tolerated() -> None:
    article = parse_article(Path("a.txt"), "\ufeffHello there.\n".encode())
    assert article.paragraphs == ["Hello there."]


@pytest.mark.parametrize(
    ("name", "raw", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\n \n", "empty file"),
        ("binary.txt", b"PK\x03\x04\x00\x00zip", "binary"),
        ("control.txt", b"text \x07 bell", "binary"),
        ("latin1.txt", "caf\xe9".encode("latin-1"), "not valid UTF-8"),
        ("only-meta.md", b"---\ntitle: x\n---\n# Heading\n", "no paragraphs"),
        ("bad-yaml.md", b"---\ntitle: [unclosed\n---\nBody.\n", "not valid YAML"),
        ("list-yaml.md", b"---\n- a\n- b\n---\nBody.\n", "must be a mapping"),
        ("bad-date.md", b"---\npublished: someday\n---\nBody.\n", "published"),
        ("notes.pdf", b"Body.\n", "not an article file"),
        ("..hidden.txt", b"Body.\n", "file name"),
    ],
)
def test_unusable_files_are_rejected_with_the_reason(name: str, raw: bytes, reason: str) -> None:
    with pytest.raises(ArticleError, match=reason):
        parse_article(Path(name), raw)


def test_size_is_checked_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2000)

    def no_reading(self: Path) -> bytes:
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    with pytest.raises(ArticleError, match="too large"):
        read_article(big, max_bytes=1000)


def test_scan_keeps_good_files_and_reports_bad_ones(tmp_path: Path) -> None:
    (tmp_path / "a-good.txt").write_text("A good paragraph.\n", encoding="utf-8")
    (tmp_path / "b-bad.txt").write_bytes(b"\x00\x01\x02")
    (tmp_path / "c-copy.md").write_text("A good paragraph.\n", encoding="utf-8")
    (tmp_path / ".draft.txt").write_text("hidden files are not articles\n", encoding="utf-8")
    (tmp_path / "glossary.yaml").write_text("terms: []\n", encoding="utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "drafts").mkdir()
    scan = scan_directory(tmp_path, data_files=("glossary.yaml",))
    assert [a.id for a in scan.articles] == ["a-good"]
    reasons = {Path(r.path).name: r.reason for r in scan.rejected}
    assert reasons == {"b-bad.txt": "binary file (contains NUL bytes)", "c-copy.md": "same text as a-good.txt"}
    ignored = {Path(r.path).name: r.reason for r in scan.ignored}
    assert ignored == {"notes.pdf": "not read: not .md or .txt", "drafts": "not read: a folder"}


def test_the_same_text_with_other_front_matter_and_spacing_is_a_copy(tmp_path: Path) -> None:
    (tmp_path / "b-original.md").write_text("---\ntitle: One\n---\nFirst.\nSecond.\n", encoding="utf-8")
    (tmp_path / "a-copy.txt").write_text("  First.\r\n\r\nSecond.  \r\n", encoding="utf-8")
    scan = scan_directory(tmp_path)
    assert [a.id for a in scan.articles] == ["a-copy"]  # nothing indexed yet: the first by name wins
    assert [r.reason for r in scan.rejected] == ["same text as a-copy.txt"]


def test_an_indexed_article_keeps_its_place_against_a_new_copy(tmp_path: Path) -> None:
    (tmp_path / "pact.md").write_text("The pact was signed.\n", encoding="utf-8")
    first = scan_directory(tmp_path)
    indexed = {a.id: a.text_sha256 for a in first.articles}
    (tmp_path / "aa-copy.md").write_text("The pact was signed.\n", encoding="utf-8")
    scan = scan_directory(tmp_path, indexed=indexed)
    assert [a.id for a in scan.articles] == ["pact"]
    assert [(Path(r.path).name, r.reason) for r in scan.rejected] == [
        ("aa-copy.md", "same text as pact.md (already indexed)")
    ]


def test_two_files_with_one_id_keep_the_first(tmp_path: Path) -> None:
    (tmp_path / "pact.md").write_text("Markdown version.\n", encoding="utf-8")
    (tmp_path / "pact.txt").write_text("Text version.\n", encoding="utf-8")
    scan = scan_directory(tmp_path)
    assert [Path(a.path).name for a in scan.articles] == ["pact.md"]
    assert scan.rejected[0].reason == "another file already has the id 'pact' (pact.md)"
