"""Data-parallel SimCLR: which worker this process is, and MindSpore's communication set up.

Under MindSpore's ``msrun`` launcher (``hub-plugin train simclr --workers N`` starts it; see
:mod:`hub_plugin.packages.launch`) every worker calls :func:`init_data_parallel` before building the
network. It initialises the communication from msrun's environment and sets the parallel mode to
``DATA_PARALLEL`` with gradient averaging, so ``nn.TrainOneStepCell`` all-reduces the gradients
and every worker applies the same, averaged update. Every worker seeds the initialisation alike
(identical starting weights), reads its own shard of each epoch (see :mod:`.data_order`), and
NT-Xent may gather the negatives of all workers (``gather_negatives``; see
:class:`~.loss.GatherFromWorkers`). BatchNorm statistics stay per worker, as in the official
code. Only rank 0 writes logs and checkpoints; :func:`replica_spread` checks at the end that the
workers' weights agree.

Outside msrun, :func:`init_data_parallel` does nothing and reports one worker.
"""

from __future__ import annotations

from dataclasses import dataclass

import mindspore
import numpy as np
from mindspore import nn, ops

from hub_plugin.packages.launch import launched_by_msrun


@dataclass(frozen=True)
class Topology:
    """This worker's ``rank`` among ``world_size`` workers."""

    rank: int = 0
    world_size: int = 1

    @property
    def is_main(self) -> bool:
        """Rank 0: the worker that logs and writes checkpoints."""
        return self.rank == 0


def init_data_parallel() -> Topology:
    """Initialise data-parallel training when msrun started this process; the topology.

    Call after choosing the device and before building any network. In msrun's scheduler process
    ``init()`` serves the job and ends the process; it never returns here.
    """
    if not launched_by_msrun():
        return Topology()
    from mindspore.communication import get_group_size, get_rank, init

    init()
    world_size = get_group_size()
    if world_size > 1:
        mindspore.reset_auto_parallel_context()
        mindspore.set_auto_parallel_context(
            parallel_mode=mindspore.ParallelMode.DATA_PARALLEL,
            gradients_mean=True,
            device_num=world_size,
        )
    return Topology(get_rank(), world_size)


def replica_spread(network: nn.Cell) -> float:
    """How far the workers' copies of ``network``'s trainable weights are apart: the largest minus
    the smallest, over the workers, of the sum of every weight (0.0 when they agree, as they must
    when every worker applied the same averaged gradients). Every worker must call it."""
    total = sum(float(p.asnumpy().astype(np.float64).sum()) for p in network.trainable_params())
    sums = ops.AllGather()(mindspore.Tensor(np.array([total], dtype=np.float32))).asnumpy()
    return float(sums.max() - sums.min())


__all__ = ["Topology", "init_data_parallel", "replica_spread"]
