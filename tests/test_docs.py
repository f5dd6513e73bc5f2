"""The documentation cannot drift: the settings table in docs/commands.md lists exactly the
variables of `.env.example` and of `bot.settings.Settings`, the README stays a five-minute read,
and every relative link in README.md and docs/ reaches a file (and a heading, for `#anchor`s)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = [README, *sorted(DOCS.glob("*.md"))]
README_MAX_LINES = 250

# `NAME=value` or `# NAME=value`: a variable, set or shown commented out. Prose that merely
# mentions a variable has no `=` straight after its name.
ENV_LINE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)
FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def env_example_variables() -> set[str]:
    return set(ENV_LINE.findall((ROOT / ".env.example").read_text(encoding="utf-8")))


def settings_variables() -> set[str]:
    return {Settings.variable(field) for field in Settings.model_fields}


def settings_table_variables() -> set[str]:
    """The variable names in the first column of the table under docs/commands.md's "Settings"."""
    text = (DOCS / "commands.md").read_text(encoding="utf-8")
    section = re.search(r"^## Settings\s*$(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert section, 'docs/commands.md has no "## Settings" section'
    rows = [line for line in section.group(1).splitlines() if line.startswith("|")]
    assert len(rows) > 2, "the Settings section has no table"
    names: set[str] = set()
    for row in rows[2:]:  # past the header and the separator
        first_cell = row.strip("|").split("|")[0]
        names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", first_cell))
    return names


def test_the_settings_table_lists_exactly_the_variables_of_env_example() -> None:
    table, example = settings_table_variables(), env_example_variables()
    assert table == example, (
        f"only in docs/commands.md: {sorted(table - example)}; only in .env.example: {sorted(example - table)}"
    )


def test_env_example_lists_exactly_the_settings_the_code_reads() -> None:
    code, example = settings_variables(), env_example_variables()
    assert code == example, (
        f"only in bot/settings.py: {sorted(code - example)}; only in .env.example: {sorted(example - code)}"
    )


def test_the_readme_is_a_five_minute_read() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines; move detail into docs/"


def prose(text: str) -> str:
    """The text without code blocks and inline code, where brackets are not links."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, markup and punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading keeps its text
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    found: set[str] = set()
    for heading in HEADING.findall(FENCE.sub("", path.read_text(encoding="utf-8"))):
        base = anchor(heading)
        n = seen.get(base, 0)
        seen[base] = n + 1
        found.add(base if n == 0 else f"{base}-{n}")
    return found


def relative_links(page: Path) -> list[str]:
    return [
        target
        for target in LINK.findall(prose(page.read_text(encoding="utf-8")))
        if not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE)  # http:, https:, mailto: ...
    ]


def test_anchor_follows_githubs_rule() -> None:
    assert anchor("Set-up: two commands") == "set-up-two-commands"
    assert anchor("The encoder: ONNX Runtime") == "the-encoder-onnx-runtime"
    assert anchor("`make` targets") == "make-targets"
    assert anchor("Several processes, one data folder") == "several-processes-one-data-folder"


def test_the_pages_have_links_to_check() -> None:
    assert relative_links(README), "README.md links nowhere: the link pattern no longer matches"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_reaches_a_file_and_heading(page: Path) -> None:
    broken = []
    for target in relative_links(page):
        path_part, _, fragment = target.partition("#")
        linked = (page.parent / path_part).resolve() if path_part else page
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif fragment and linked.suffix == ".md" and fragment not in anchors(linked):
            broken.append(f"{target}: no heading with that anchor in {linked.relative_to(ROOT)}")
    assert not broken, f"{page.relative_to(ROOT)}: " + "; ".join(broken)
