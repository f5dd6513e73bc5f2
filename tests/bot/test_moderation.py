from __future__ import annotations

import pytest

from bot.client import UserCooldowns
from bot.errors import UserError
from bot.moderation import report_text, safe_file_name
from index.articles import Rejection
from index.build import BuildReport


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
