"""The weighted kNN monitor against a plain NumPy version of Wu et al. (2018), section 3.4."""

from __future__ import annotations

import numpy as np
import pytest
from hub_plugin_models.simclr.evaluation.knn import knn_accuracy, knn_scores


def reference_scores(
    features: np.ndarray, bank: np.ndarray, labels: np.ndarray, classes: int, k: int, t: float
) -> np.ndarray:
    """One test feature at a time: cosine similarities, the k largest, exp(s/t) votes."""
    scores = np.zeros((len(features), classes))
    for row, feature in enumerate(features):
        similarities = [
            float(feature @ item) / (np.linalg.norm(feature) * np.linalg.norm(item)) for item in bank
        ]
        for index in sorted(range(len(bank)), key=lambda i: -similarities[i])[:k]:
            scores[row, labels[index]] += np.exp(similarities[index] / t)
    return scores


@pytest.mark.parametrize(("k", "temperature"), [(1, 0.1), (7, 0.1), (200, 0.1), (5, 0.5)])
def test_scores_equal_the_reference(k: int, temperature: float) -> None:
    rng = np.random.default_rng(k)
    bank = rng.normal(size=(60, 8)).astype(np.float32)
    labels = rng.integers(0, 4, 60)
    features = rng.normal(size=(9, 8)).astype(np.float32)
    ours = knn_scores(features, bank, labels, 4, k=k, temperature=temperature, chunk=4)
    expected = reference_scores(features, bank, labels, 4, min(k, 60), temperature)
    np.testing.assert_allclose(ours, expected, rtol=1e-4)


def test_scale_does_not_matter_and_a_clear_case_is_right() -> None:
    bank = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]], dtype=np.float32)
    labels = np.array([0, 0, 1, 1])
    features = np.array([[5, 0.2], [0.1, 3]], dtype=np.float32)
    result = knn_accuracy(features, np.array([0, 1]), bank * 10, labels, 2, k=2)
    assert result.top1 == 100.0 and result.count == 2 and result.k == 2
    wrong = knn_accuracy(features, np.array([1, 0]), bank, labels, 2, k=2)
    assert wrong.top1 == 0.0
