"""The model file: loaded safely, checked against the features, and read the same way it was fitted."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.answering.features import SENTENCE_FEATURES
from index.answering.ranker import MODEL_FILE, QUESTION_FEATURES, LinearModel, RankerError, load_ranker
from tests.fakes import transparent_ranker


def test_the_shipped_model_loads_and_names_the_current_features() -> None:
    ranker = load_ranker(MODEL_FILE)
    assert ranker.order.features == list(SENTENCE_FEATURES)
    assert ranker.on_topic.features == ranker.answerable.features == list(QUESTION_FEATURES)
    assert 0 < ranker.threshold < 1 and 0 < ranker.topic_threshold < 1
    assert ranker.questions > 300 and ranker.fitted_on


def test_a_linear_model_standardises_then_weighs() -> None:
    model = LinearModel(features=["a", "b"], mean=[1.0, 2.0], scale=[2.0, 4.0], weights=[1.0, -1.0], bias=0.5)
    assert model.scores(np.array([[3.0, 6.0], [1.0, 2.0]])).tolist() == [0.5, 0.5]
    with pytest.raises(ValueError, match="one entry per feature"):
        LinearModel(features=["a"], mean=[0.0, 1.0], scale=[1.0], weights=[1.0])


def test_a_missing_damaged_or_outdated_model_file_says_to_refit(tmp_path: Path) -> None:
    with pytest.raises(RankerError, match="is missing; refit"):
        load_ranker(tmp_path / "none.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(RankerError, match="is not a ranker model"):
        load_ranker(broken)
    outdated = tmp_path / "outdated.json"
    stale = transparent_ranker()
    stale.order.features[0] = "retired_feature"
    outdated.write_text(stale.model_dump_json(), encoding="utf-8")
    with pytest.raises(RankerError, match="other features"):
        load_ranker(outdated)
