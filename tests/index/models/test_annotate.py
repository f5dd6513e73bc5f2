"""What the index stores of each sentence: kinds of answer, names and resolved dates (spaCy)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap

from index.models.annotate import annotate
from index.text import stems
from tests.conftest import ROOT

PUBLISHED = dt.date(2025, 5, 15)


def facts_of(sentence: str, published: dt.date | None = PUBLISHED):  # type: ignore[no-untyped-def]
    return next(annotate([(sentence, published)]))


def test_kinds_of_answer_come_from_the_entities_in_the_sentence() -> None:
    facts = facts_of("Defence Secretary John Healey met Boris Pistorius in Berlin on Thursday.")
    assert {"person", "place", "date"} <= set(facts.kinds)
    assert set(stems("Healey Pistorius Berlin")) <= set(facts.names)


def test_amounts_and_numbers_are_told_apart_from_a_sentence_without_either() -> None:
    assert {"amount", "number"} <= set(facts_of("The UK announced a further £20 million of support.").kinds)
    assert "number" in facts_of("Some 54,000 pupils will benefit.").kinds
    plain = facts_of("Neither government has said how the troops will rotate.")
    assert not {"amount", "number", "date"} & set(plain.kinds)


def test_a_relative_date_is_stored_resolved_with_the_words_as_written() -> None:
    facts = facts_of("The two ministers signed the agreement on Monday.")
    assert [(d.value, d.relative) for d in facts.dates] == [("2025-05-12", True)]
    assert facts.dates[0].text in "The two ministers signed the agreement on Monday."


def test_a_purpose_or_cause_marks_a_sentence_that_can_answer_why() -> None:
    assert "reason" in facts_of("The sites were chosen to deter aggression in the region.").kinds
    assert "reason" not in facts_of("The sites are in the north of the country.").kinds


def test_sentences_are_read_in_order_and_one_fact_list_per_sentence() -> None:
    items = [("Japan signed it in 2014.", PUBLISHED), ("No date here.", None), ("Paris objected.", None)]
    facts = list(annotate(items))
    assert len(facts) == 3
    assert facts[0].dates and facts[0].dates[0].value == "2014" and not facts[1].dates
    assert "fr" not in facts[2].names and "pari" in facts[2].names


def test_reading_articles_loads_spacy_without_pytorch_and_leaves_pytorch_importable() -> None:
    script = textwrap.dedent(
        """
        import sys
        from index.models.annotate import annotate
        facts = next(annotate([("Japan and the UK signed a pact in Tokyo on Friday.", None)]))
        print("torch" in sys.modules, sorted(facts.kinds))
        import torch  # still importable afterwards: training and the export need it
        print(torch.tensor([1.0]).item())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT, timeout=120
    )
    assert done.stdout.split("\n")[:2] == ["False ['country', 'date', 'place']", "1.0"]
