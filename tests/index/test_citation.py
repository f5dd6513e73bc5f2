from __future__ import annotations

import pytest

from index.citation import quoted
from index.pacts.agreements import status_label


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("The pact was signed.", "“The pact was signed.”"),
        ("“For many years, alliances in Asia…”", "“For many years, alliances in Asia…”"),
        ('"A quotation," he said.', '"A quotation," he said.'),
        ("", "“”"),
    ],
)
def test_a_quote_gets_marks_unless_it_opens_with_its_own(text: str, shown: str) -> None:
    assert quoted(text) == shown


def test_one_status_vocabulary() -> None:
    assert status_label(None) == "status unknown" and status_label("signed") == "signed"
