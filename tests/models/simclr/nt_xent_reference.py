"""A plain NumPy version of SimCLR's NT-Xent loss, literally as the paper writes it, for the tests."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def reference_nt_xent(z1: np.ndarray, z2: np.ndarray, temperature: float) -> float:
    """Algorithm 1 of arXiv 2002.05709, literally: views 2k-1 and 2k are z1[k] and z2[k]."""
    n = z1.shape[0]
    views = np.empty((2 * n, z1.shape[1]), dtype=np.float64)
    views[0::2] = z1
    views[1::2] = z2

    def sim(u: np.ndarray, v: np.ndarray) -> float:
        return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))

    def pair_loss(i: int, j: int) -> float:
        numerator = np.exp(sim(views[i], views[j]) / temperature)
        denominator = sum(np.exp(sim(views[i], views[k]) / temperature) for k in range(2 * n) if k != i)
        return float(-np.log(numerator / denominator))

    total = sum(pair_loss(2 * k, 2 * k + 1) + pair_loss(2 * k + 1, 2 * k) for k in range(n))
    return total / (2 * n)


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central finite differences of ``f`` at ``x``, in float64."""
    grad = np.zeros_like(x, dtype=np.float64)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x, dtype=np.float64)
        step[index] = h
        grad[index] = (f(x + step) - f(x - step)) / (2 * h)
    return grad
