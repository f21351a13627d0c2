"""NT-Xent against a plain NumPy version of the paper's algorithm, values and gradients."""

from __future__ import annotations

import mindspore
import numpy as np
import pytest
from hub_plugin_models.simclr.networks.loss import NTXentLoss, nt_xent_from_candidates, nt_xent_loss
from nt_xent_reference import numerical_gradient, reference_nt_xent


def _random_pair(seed: int, n: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    z1 = rng.normal(size=(n, d))
    z2 = z1 + 0.5 * rng.normal(size=(n, d))
    return z1.astype(np.float32), z2.astype(np.float32)


@pytest.mark.parametrize(
    ("n", "d", "temperature", "seed"),
    [(2, 3, 0.5, 0), (4, 8, 0.5, 1), (7, 16, 0.1, 2), (16, 128, 1.0, 3)],
)
def test_loss_matches_the_papers_algorithm(n: int, d: int, temperature: float, seed: int) -> None:
    z1, z2 = _random_pair(seed, n, d)
    got = nt_xent_loss(mindspore.Tensor(z1), mindspore.Tensor(z2), temperature)
    assert got.dtype == mindspore.float32
    assert got.shape == ()
    expected = reference_nt_xent(z1.astype(np.float64), z2.astype(np.float64), temperature)
    np.testing.assert_allclose(float(got), expected, rtol=1e-5)


def test_default_temperature_is_the_official_one() -> None:
    z1, z2 = _random_pair(4, 5, 6)
    default = float(nt_xent_loss(mindspore.Tensor(z1), mindspore.Tensor(z2)))
    np.testing.assert_allclose(default, reference_nt_xent(z1, z2, 0.5), rtol=1e-5)


def test_identical_orthogonal_views_give_the_closed_form_value() -> None:
    # z1 = z2 = orthonormal rows: sim is 1 to the positive, 0 to all 2N-2 negatives, so
    # l = -log(e^{1/t} / (e^{1/t} + 2N - 2)) for every anchor.
    n, temperature = 4, 0.5
    z = np.eye(n, 6, dtype=np.float32) * 3.0
    got = float(nt_xent_loss(mindspore.Tensor(z), mindspore.Tensor(z), temperature))
    positive = np.exp(1 / temperature)
    np.testing.assert_allclose(got, -np.log(positive / (positive + 2 * n - 2)), rtol=1e-5)


def test_official_scaling_is_the_sum_of_both_directions() -> None:
    z1, z2 = _random_pair(5, 6, 10)
    paper = float(nt_xent_loss(mindspore.Tensor(z1), mindspore.Tensor(z2)))
    official = float(nt_xent_loss(mindspore.Tensor(z1), mindspore.Tensor(z2), official_scaling=True))
    np.testing.assert_allclose(official, 2 * paper, rtol=1e-6)


def test_loss_is_computed_in_float32_from_half_precision() -> None:
    z1, z2 = _random_pair(6, 8, 32)
    half = nt_xent_loss(mindspore.Tensor(z1.astype(np.float16)), mindspore.Tensor(z2.astype(np.float16)))
    assert half.dtype == mindspore.float32
    expected = reference_nt_xent(
        z1.astype(np.float16).astype(np.float64), z2.astype(np.float16).astype(np.float64), 0.5
    )
    np.testing.assert_allclose(float(half), expected, rtol=1e-5)


def test_loss_depends_on_directions_only() -> None:
    z1, z2 = _random_pair(7, 5, 9)
    scale = np.arange(1, 6, dtype=np.float32)[:, None]
    base = float(nt_xent_loss(mindspore.Tensor(z1), mindspore.Tensor(z2)))
    scaled = float(nt_xent_loss(mindspore.Tensor(z1 * scale), mindspore.Tensor(z2 * 10.0)))
    np.testing.assert_allclose(scaled, base, rtol=1e-5)


@pytest.mark.parametrize("official_scaling", [False, True])
def test_cell_matches_function(official_scaling: bool) -> None:
    z1, z2 = _random_pair(8, 6, 12)
    cell = NTXentLoss(0.3, official_scaling=official_scaling)
    got = float(cell(mindspore.Tensor(z1), mindspore.Tensor(z2)))
    factor = 2.0 if official_scaling else 1.0
    np.testing.assert_allclose(got, factor * reference_nt_xent(z1, z2, 0.3), rtol=1e-5)


def test_cell_rejects_non_positive_temperature() -> None:
    with pytest.raises(ValueError, match="temperature"):
        NTXentLoss(0.0)


@pytest.mark.parametrize(("n", "d", "temperature"), [(3, 4, 0.5), (5, 7, 0.2)])
def test_gradients_match_finite_differences_of_the_reference(n: int, d: int, temperature: float) -> None:
    z1, z2 = _random_pair(9 + n, n, d)
    grad = mindspore.grad(lambda a, b: nt_xent_loss(a, b, temperature), grad_position=(0, 1))(
        mindspore.Tensor(z1), mindspore.Tensor(z2)
    )
    x1, x2 = z1.astype(np.float64), z2.astype(np.float64)
    expected1 = numerical_gradient(lambda x: reference_nt_xent(x, x2, temperature), x1)
    expected2 = numerical_gradient(lambda x: reference_nt_xent(x1, x, temperature), x2)
    np.testing.assert_allclose(grad[0].asnumpy(), expected1, rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(grad[1].asnumpy(), expected2, rtol=1e-3, atol=1e-5)


def test_cell_gradients_in_graph_mode_match_the_reference() -> None:
    z1, z2 = _random_pair(20, 4, 5)
    mindspore.set_context(mode=mindspore.GRAPH_MODE)
    try:
        cell = NTXentLoss()
        grad = mindspore.grad(cell, grad_position=(0, 1))(mindspore.Tensor(z1), mindspore.Tensor(z2))
    finally:
        mindspore.set_context(mode=mindspore.PYNATIVE_MODE)
    x1, x2 = z1.astype(np.float64), z2.astype(np.float64)
    expected1 = numerical_gradient(lambda x: reference_nt_xent(x, x2, 0.5), x1)
    np.testing.assert_allclose(grad[0].asnumpy(), expected1, rtol=1e-3, atol=1e-5)


def _unit(z: np.ndarray) -> np.ndarray:
    return z / np.linalg.norm(z, axis=1, keepdims=True)


@pytest.mark.parametrize("workers", [2, 3])
def test_gathered_negatives_give_the_global_batch_loss(workers: int) -> None:
    # What AllGather computes under msrun, with the gather done by hand: each worker holds N
    # images, compares its 2N anchors with the 2NW views of all workers; the mean of the workers'
    # losses is the single-device loss of the NW-image batch.
    n, d = 3, 8
    z1, z2 = _random_pair(30 + workers, n * workers, d)
    all1, all2 = mindspore.Tensor(_unit(z1)), mindspore.Tensor(_unit(z2))
    per_worker = []
    for rank in range(workers):
        rows = slice(rank * n, (rank + 1) * n)
        local1, local2 = mindspore.Tensor(_unit(z1[rows])), mindspore.Tensor(_unit(z2[rows]))
        loss = nt_xent_from_candidates(local1, local2, all1, all2, rank * n, 0.5)
        per_worker.append(float(loss))
    np.testing.assert_allclose(np.mean(per_worker), reference_nt_xent(z1, z2, 0.5), rtol=1e-5)
    # and a worker alone (its own views only) sees fewer negatives: a different loss.
    alone = float(nt_xent_loss(mindspore.Tensor(z1[:n]), mindspore.Tensor(z2[:n])))
    assert abs(alone - per_worker[0]) > 1e-3


def test_gather_is_a_no_op_without_distribution() -> None:
    z1, z2 = _random_pair(40, 4, 6)
    cell = NTXentLoss()
    assert cell.all_gather is None
    assert cell.world_size == 1
    np.testing.assert_allclose(
        float(cell(mindspore.Tensor(z1), mindspore.Tensor(z2))),
        reference_nt_xent(z1, z2, 0.5),
        rtol=1e-5,
    )
