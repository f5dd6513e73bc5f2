"""The shape of the source tree: files short enough to read whole, and tests laid out as the code."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 500


def long_files(root: Path = ROOT, limit: int = MAX_LINES) -> dict[str, int]:
    """The Python files of bot/ and index/ over `limit` lines, with their lengths."""
    found = {}
    for package in ("bot", "index"):
        for path in sorted((root / package).rglob("*.py")):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > limit:
                found[path.relative_to(root).as_posix()] = lines
    return found


def test_no_file_in_bot_or_index_is_over_500_lines() -> None:
    found = long_files()
    assert not found, f"over {MAX_LINES} lines (split them by concern): {found}"


def test_long_files_counts_lines(tmp_path: Path) -> None:
    (tmp_path / "bot").mkdir()
    (tmp_path / "index" / "deep").mkdir(parents=True)
    (tmp_path / "bot" / "short.py").write_text("x = 1\n" * 3)
    (tmp_path / "index" / "deep" / "long.py").write_text("x = 1\n" * 4)
    assert long_files(tmp_path, limit=3) == {"index/deep/long.py": 4}


def unmirrored(root: Path = ROOT) -> list[str]:
    """Test folders under tests/index/ with no package of index/ of their name, and packages of
    index/ with no test folder: tests/ mirrors the code, so a module's tests are found by its path."""
    tests = {p.name for p in (root / "tests" / "index").iterdir() if p.is_dir() and p.name != "__pycache__"}
    packages = {p.parent.name for p in (root / "index").glob("*/__init__.py")}
    return sorted(tests ^ packages)


def test_tests_of_index_mirror_its_packages() -> None:
    assert not unmirrored(), "tests/index/ and index/ disagree on these packages"


def test_unmirrored_names_both_sides(tmp_path: Path) -> None:
    for folder in ("index/pacts", "index/web", "tests/index/pacts", "tests/index/answers"):
        (tmp_path / folder).mkdir(parents=True)
    for package in ("pacts", "web"):
        (tmp_path / "index" / package / "__init__.py").touch()
    assert unmirrored(tmp_path) == ["answers", "web"]
