from __future__ import annotations

import json
from pathlib import Path

from bot.feedback import FeedbackStore
from index.answering.answer import Answer
from index.citation import Citation


def test_votes_store_question_passages_and_a_salted_user_hash(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path)
    citation = Citation(
        n=1, article_id="seed", title="T", publisher=None, published=None, source=None, paragraph=2, quote="Q", score=1
    )
    store.answered(111, Answer(question="Who?", abstained=False, answer="x", citations=[citation]))
    answered = store.find(111)
    assert answered is not None
    store.vote(answered, "up", user_id=424242)
    (line,) = store.votes_path.read_text(encoding="utf-8").splitlines()
    vote = json.loads(line)
    assert vote["question"] == "Who?" and vote["passages"] == ["seed#2"] and vote["vote"] == "up"
    assert "424242" not in line and len(vote["user"]) == 64


def test_answers_are_found_again_after_a_restart(tmp_path: Path) -> None:
    FeedbackStore(tmp_path).answered(7, Answer(question="Q7", abstained=True, answer="none"))
    restarted = FeedbackStore(tmp_path)
    found = restarted.find(7)
    assert found is not None and found.question == "Q7" and found.abstained
    assert restarted.find(8) is None
