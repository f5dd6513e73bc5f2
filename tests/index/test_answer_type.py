from __future__ import annotations

import pytest

from index.answer_type import AnswerType, asked_for, holds


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("When will Japan and the UK sign the defence pact?", AnswerType.DATE),
        ("  when did Finland join", AnswerType.DATE),
        ("In what year was the treaty signed?", AnswerType.DATE),
        ("Which month did the talks start?", AnswerType.DATE),
        ("How many sites can American troops use?", AnswerType.NUMBER),
        ("How much money has the Pentagon set aside?", AnswerType.NUMBER),
        ("How long had Sweden stayed out of alliances?", AnswerType.NUMBER),
        ("Why did Ankara object?", None),
        ("What did the expert say about whenever talks resume?", None),
        ("RAA Japan Philippines", None),
    ],
)
def test_the_kind_of_answer_a_question_asks_for(question: str, kind: AnswerType | None) -> None:
    assert asked_for(question) == kind


@pytest.mark.parametrize(
    ("sentence", "dated"),
    [
        ("The programme was announced on 9 December 2022 in a joint statement.", True),
        ("Japan and the Philippines signed a defence agreement in Manila on Monday.", True),
        ("The agreement was signed in 2014.", True),
        ("Talks began in May 2023 and ended on December 9.", True),
        ("Japan and the UK are set to sign a defence pact.", False),
        ("The talks were held in Might when the leaders met.", False),  # the seed's spun "May"
        ("Two thousand troops took part.", False),
    ],
)
def test_a_sentence_holds_a_date(sentence: str, dated: bool) -> None:
    assert holds(AnswerType.DATE, sentence) is dated


@pytest.mark.parametrize(
    ("sentence", "numbered"),
    [
        ("The Philippines has named four more sites.", True),
        ("The Pentagon allocated more than $82 million.", True),
        ("Support climbed above 70 percent.", True),
        ("China reacted sharply to the announcement.", False),
    ],
)
def test_a_sentence_holds_a_number(sentence: str, numbered: bool) -> None:
    assert holds(AnswerType.NUMBER, sentence) is numbered
