"""NT-Xent, the normalised temperature-scaled cross-entropy loss of SimCLR.

Chen, Kornblith, Norouzi, Hinton, "A Simple Framework for Contrastive Learning of Visual
Representations", ICML 2020, arXiv 2002.05709, equation (1) and Algorithm 1.

A batch of ``N`` images gives ``2N`` views; views ``2k-1`` and ``2k`` of one image are a positive
pair, and the other ``2(N-1)`` views are the negatives of each. With cosine similarity
``sim(u, v) = u^T v / (||u|| ||v||)`` and temperature ``tau``, the loss of the pair ``(i, j)`` is::

    l(i, j) = -log( exp(sim(z_i, z_j) / tau) / sum_{k=1..2N, k != i} exp(sim(z_i, z_k) / tau) )

and the loss of the batch averages it over both directions of every pair::

    L = 1/(2N) sum_{k=1..N} [ l(2k-1, 2k) + l(2k, 2k-1) ]

The official MindSpore (and TensorFlow) code reports the sum of the two directions' means instead,
``2 L``; ``official_scaling=True`` gives that, so loss curves compare with the published ones.

In data-parallel training the negatives can come from every worker (``gather_distributed=True``):
each worker's ``2N`` anchors are compared with the ``2NW`` views of all ``W`` workers, gathered with
MindSpore's ``AllGather``. The mean of the workers' losses is then exactly the loss of the global
batch of ``NW`` images, and with gradients averaged across workers the update equals the one of a
single device holding the whole batch (the gathered views' gradient is summed over the workers and
each worker keeps its own rows' share; see :class:`GatherFromWorkers`).
"""

from __future__ import annotations

import mindspore
from mindspore import nn, ops

_MASKED = -1.0e9


def _normalise(z: mindspore.Tensor) -> mindspore.Tensor:
    """``z / ||z||`` row by row, in float32, safe for a zero row."""
    z = z.astype(mindspore.float32)
    norm = ops.sqrt(ops.maximum(ops.sum(z * z, dim=1, keepdim=True), 1.0e-24))
    return z / norm


def nt_xent_from_candidates(
    z1: mindspore.Tensor,
    z2: mindspore.Tensor,
    candidates1: mindspore.Tensor,
    candidates2: mindspore.Tensor,
    offset: int,
    temperature: float = 0.5,
) -> mindspore.Tensor:
    """NT-Xent of the anchors ``z1``, ``z2`` against a larger pool of candidate views.

    ``candidates1`` and ``candidates2`` (``M`` rows each, L2-normalised) hold the first and second
    views of ``M`` images, among them the anchors' own, which start at row ``offset``: the anchors
    (``N`` rows each, L2-normalised) are ``candidates1[offset:offset+N]`` and
    ``candidates2[offset:offset+N]``. Each anchor's positive is its other view, its negatives the
    ``2M - 2`` other candidates. Returns the mean over the ``2N`` anchors (the paper's ``L`` when
    ``M == N``).
    """
    n = z1.shape[0]
    m = candidates1.shape[0]
    anchors = ops.concat((z1, z2), axis=0)
    candidates = ops.concat((candidates1, candidates2), axis=0)
    logits = ops.matmul(anchors, candidates.T) / temperature
    rows = ops.arange(n, dtype=mindspore.int32) + offset
    self_index = ops.concat((rows, rows + m), axis=0)
    positive_index = ops.concat((rows + m, rows), axis=0)
    is_self = ops.one_hot(self_index, 2 * m, 1.0, 0.0).astype(mindspore.bool_)
    logits = ops.masked_fill(logits, is_self, _MASKED)
    log_probability = ops.log_softmax(logits, axis=1)
    positive = ops.one_hot(positive_index, 2 * m, 1.0, 0.0)
    return -ops.sum(log_probability * positive) / (2 * n)


def nt_xent_loss(
    z1: mindspore.Tensor,
    z2: mindspore.Tensor,
    temperature: float = 0.5,
    *,
    official_scaling: bool = False,
) -> mindspore.Tensor:
    """The NT-Xent loss ``L`` of equation (1) for projections ``z1``, ``z2`` (``N`` x ``d`` each).

    Row ``k`` of ``z1`` and row ``k`` of ``z2`` are the two views of image ``k``. Computed in
    float32 whatever the input type. ``temperature`` 0.5 is the official value (the paper's CIFAR-10
    runs use 0.5 as well; 0.1 suits large batches on ImageNet). ``official_scaling`` returns ``2 L``,
    the sum over the two directions that the official code reports.
    """
    z1 = _normalise(z1)
    z2 = _normalise(z2)
    loss = nt_xent_from_candidates(z1, z2, z1, z2, 0, temperature)
    return loss * 2.0 if official_scaling else loss


class GatherFromWorkers(nn.Cell):
    """``AllGather`` along the batch axis, with a gradient that works on every device target.

    Forward: the rows of all ``world_size`` workers, in rank order. Backward: the gradient of each
    worker's own rows, summed over the workers. MindSpore's own gradient for ``AllGather`` is a
    ``ReduceScatter``, which its CPU backend does not have; an ``AllReduce`` of the whole gradient
    followed by this worker's slice computes the same sum with an operation every backend has.
    """

    def __init__(self, rank: int, world_size: int) -> None:
        super().__init__()
        self.rank = rank
        self.world_size = world_size
        self.all_gather = ops.AllGather()
        self.all_reduce = ops.AllReduce(ops.ReduceOp.SUM)

    def construct(self, x: mindspore.Tensor) -> mindspore.Tensor:
        return self.all_gather(x)

    def bprop(
        self, x: mindspore.Tensor, out: mindspore.Tensor, dout: mindspore.Tensor
    ) -> tuple[mindspore.Tensor]:
        rows = x.shape[0]
        total = self.all_reduce(dout)
        return (total[self.rank * rows : (self.rank + 1) * rows],)


class NTXentLoss(nn.Cell):
    """NT-Xent as a cell: ``loss(z1, z2)``; see the module docstring for the equation.

    Args:
        temperature: ``tau`` (0.5, the official value).
        official_scaling: report ``2 L`` as the official code does, instead of the paper's ``L``.
        gather_distributed: in data-parallel training, compare each worker's anchors with the
            views of all workers (``AllGather``), so the number of negatives is that of the global
            batch. Needs MindSpore's communication initialised (``mindspore.communication.init()``,
            as under ``msrun``); on one worker it changes nothing.
    """

    def __init__(
        self,
        temperature: float = 0.5,
        *,
        official_scaling: bool = False,
        gather_distributed: bool = False,
    ) -> None:
        super().__init__()
        if temperature <= 0:
            raise ValueError(f"temperature must be positive, got {temperature}")
        self.temperature = float(temperature)
        self.scale = 2.0 if official_scaling else 1.0
        self.world_size = 1
        self.rank = 0
        self.all_gather: GatherFromWorkers | None = None
        if gather_distributed:
            from mindspore.communication import get_group_size, get_rank

            self.world_size = get_group_size()
            self.rank = get_rank()
            if self.world_size > 1:
                self.all_gather = GatherFromWorkers(self.rank, self.world_size)

    def construct(self, z1: mindspore.Tensor, z2: mindspore.Tensor) -> mindspore.Tensor:
        z1 = _normalise(z1)
        z2 = _normalise(z2)
        if self.all_gather is None:
            loss = nt_xent_from_candidates(z1, z2, z1, z2, 0, self.temperature)
        else:
            candidates1 = self.all_gather(z1)
            candidates2 = self.all_gather(z2)
            offset = self.rank * z1.shape[0]
            loss = nt_xent_from_candidates(z1, z2, candidates1, candidates2, offset, self.temperature)
        return loss * self.scale


__all__ = ["GatherFromWorkers", "NTXentLoss", "nt_xent_from_candidates", "nt_xent_loss"]
