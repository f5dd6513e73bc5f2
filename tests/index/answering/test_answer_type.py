from __future__ import annotations

import pytest

from index.answering.answer_type import AnswerType, asked_for


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("When will Japan and the UK sign the defence pact?", AnswerType.DATE),
        ("  when did Finland join", AnswerType.DATE),
        ("In what year was the treaty signed?", AnswerType.DATE),
        ("what day were britain and germany going to confirm it", AnswerType.DATE),
        ("How many sites can American troops use?", AnswerType.NUMBER),
        ("How long had Sweden stayed out of alliances?", AnswerType.NUMBER),
        ("How much money has the Pentagon set aside?", AnswerType.AMOUNT),
        ("how much extra energy money did britain give ukraine", AnswerType.AMOUNT),
        ("what will the frigates cost", AnswerType.AMOUNT),
        ("who's hosting healey in berlin", AnswerType.PERSON),
        ("which korean leader was at the summit", AnswerType.PERSON),
        ("which countries joined the treaty", AnswerType.COUNTRY),
        ("which terror group did austin bring up", AnswerType.ORGANISATION),
        ("where does the first council take place", AnswerType.PLACE),
        ("Why did Ankara object?", AnswerType.REASON),
        ("is trinity house the first deal of its kind?", AnswerType.YES_NO),
        ("What did the expert say about whenever talks resume?", None),
        ("RAA Japan Philippines", None),
    ],
)
def test_the_kind_of_answer_a_question_asks_for(question: str, kind: AnswerType | None) -> None:
    assert asked_for(question) == kind
