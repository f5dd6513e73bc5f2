from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.context import UserCooldowns
from bot.errors import UserError
from bot.moderation import report_text, safe_file_name
from index.ingest.articles import ArticleError, Rejection, parse_article
from index.storage.build import BuildReport
from tests.conftest import scale


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../../etc/passwd.md", "not a plain file name"),
        ("..evil.md", "not a plain file name"),
        ("dir/article.md", "not a plain file name"),
        ("dir\\article.md", "not a plain file name"),
        ("nul\x00.md", "not a plain file name"),
        (".hidden.md", "starts with a dot"),
        ("article.pdf", "not an article"),
        ("", "not a plain file name"),
        ("CON.md", "reserved device name"),
        ("a" * 200 + ".md", "keep it under 120"),
    ],
)
def test_unsafe_upload_names_are_refused(name: str, reason: str) -> None:
    with pytest.raises(UserError, match=reason):
        safe_file_name(name)


def test_plain_article_names_pass() -> None:
    assert safe_file_name("japan-philippines-raa.md") == "japan-philippines-raa.md"
    assert safe_file_name("Notes_2024.TXT") == "Notes_2024.TXT"


def test_report_lists_outcomes_and_reasons_within_discord_limits() -> None:
    report = BuildReport(
        added=["a"],
        removed=["b"],
        rejected=[Rejection(path="/k/bad.txt", reason="binary file (contains NUL bytes)")],
        passages=10,
        version="v1",
    )
    text = report_text(report, "Saved `a.md`.")
    assert text.splitlines() == [
        "Saved `a.md`.",
        "**Added:** `a`",
        "**Removed:** `b`",
        "**Rejected:** `bad.txt`: binary file (contains NUL bytes)",
        "The index has 10 passages (version `v1`).",
    ]
    many = BuildReport(rejected=[Rejection(path=f"/k/f{i}.txt", reason="empty file") for i in range(200)])
    long_text = report_text(many)
    assert len(long_text) <= 2000 and long_text.endswith("more lines.")
    assert all(line.startswith(("**Rejected:**", "…")) for line in long_text.splitlines())


def test_cooldown_allows_one_question_per_period_per_user() -> None:
    cooldowns = UserCooldowns(per=60)
    assert cooldowns.retry_after(1) == 0
    assert cooldowns.retry_after(1) > 50
    assert cooldowns.retry_after(2) == 0
    assert UserCooldowns(per=0).retry_after(1) == UserCooldowns(per=0).retry_after(1) == 0


@settings(max_examples=scale(ci=500, full=5000), deadline=None)
@given(
    name=st.text(max_size=300)
    | st.builds(
        lambda a, b: a + b,
        st.sampled_from(["../", "/etc/", "..\\\\", "C:\\\\", ".", "．．／", "CON", "nul\x00"]),
        st.text(max_size=20),
    )
)
def test_no_upload_name_can_leave_the_knowledge_folder(name: str) -> None:
    try:
        safe = safe_file_name(name)
        parse_article(Path(safe), b"A paragraph about a pact.\n")
    except (UserError, ArticleError):
        return
    # Accepted names are plain ASCII file names in the folder itself.
    assert Path(safe).name == safe and not safe.startswith(".") and len(safe) <= 120
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*\.(?i:md|txt)", safe)
    assert (Path("/knowledge") / safe).resolve().parent == Path("/knowledge").resolve()
