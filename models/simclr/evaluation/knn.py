"""The weighted k-nearest-neighbour classifier that monitors self-supervised training.

Wu, Xiong, Yu, Lin, "Unsupervised Feature Learning via Non-Parametric Instance Discrimination",
CVPR 2018, section 3.4 (arXiv 1805.01978). Features are L2-normalised; for a test feature ``f`` the
``k`` training features ``f_i`` of highest cosine similarity ``s_i = f^T f_i`` vote for their
classes with weight ``exp(s_i / tau)``::

    score(c) = sum_{i in top-k} exp(s_i / tau) * [y_i == c]

and the class of highest score is predicted. The usual setting, used here by default, is ``k =
200``, ``tau = 0.1``, with the training set's features as the memory bank. Computed in NumPy, in
chunks of test features, so the bank of 50,000 CIFAR-10 features fits in memory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def l2_normalise(features: np.ndarray) -> np.ndarray:
    """Each row divided by its L2 norm (a zero row stays zero)."""
    features = np.asarray(features, dtype=np.float32)
    norms = np.linalg.norm(features, axis=1, keepdims=True)
    return features / np.maximum(norms, 1e-12)


def knn_scores(
    features: np.ndarray,
    bank: np.ndarray,
    bank_labels: np.ndarray,
    num_classes: int,
    *,
    k: int = 200,
    temperature: float = 0.1,
    chunk: int = 1024,
) -> np.ndarray:
    """The class scores (N x num_classes) of the weighted kNN vote, for each row of ``features``."""
    if k < 1 or temperature <= 0:
        raise ValueError(f"k must be >= 1 and the temperature positive, got k={k}, T={temperature}")
    features = l2_normalise(features)
    bank = l2_normalise(bank)
    bank_labels = np.asarray(bank_labels, dtype=np.int64)
    k = min(k, len(bank))
    scores = np.zeros((len(features), num_classes), dtype=np.float64)
    for start in range(0, len(features), chunk):
        similarity = features[start : start + chunk] @ bank.T
        nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        top = np.take_along_axis(similarity, nearest, axis=1).astype(np.float64)
        weights = np.exp(top / temperature)
        labels = bank_labels[nearest]
        rows = np.arange(len(nearest))[:, None]
        np.add.at(scores[start : start + chunk], (np.broadcast_to(rows, labels.shape), labels), weights)
    return scores


@dataclass(frozen=True)
class KNNResult:
    """Top-1 accuracy of the kNN vote over ``count`` images, in percent."""

    top1: float
    count: int
    k: int
    temperature: float


def knn_accuracy(
    features: np.ndarray,
    labels: np.ndarray,
    bank: np.ndarray,
    bank_labels: np.ndarray,
    num_classes: int = 10,
    *,
    k: int = 200,
    temperature: float = 0.1,
) -> KNNResult:
    """The top-1 accuracy of :func:`knn_scores` against ``labels``, over every row."""
    scores = knn_scores(features, bank, bank_labels, num_classes, k=k, temperature=temperature)
    correct = int(np.sum(scores.argmax(axis=1) == np.asarray(labels)))
    return KNNResult(100.0 * correct / max(len(labels), 1), len(labels), min(k, len(bank)), temperature)


__all__ = ["KNNResult", "knn_accuracy", "knn_scores", "l2_normalise"]
