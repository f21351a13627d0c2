"""SimCLR pre-training: the loop behind ``hub-plugin train simclr``.

Chen, Kornblith, Norouzi, Hinton, "A Simple Framework for Contrastive Learning of Visual
Representations", ICML 2020, arXiv 2002.05709, Algorithm 1: for every batch of ``N`` images draw two
augmented views each, encode and project all ``2N`` views, and minimise NT-Xent over them (see
:mod:`.loss`). Here one step is ``nn.TrainOneStepCell`` over :class:`~.network.SimCLRWithLoss`,
compiled to a graph (``mode: graph``) on the CPU, GPU or Ascend alike.

What a run does, in order:

1. choose the device, and join the data-parallel job when msrun started this process;
2. read the training images into memory and fix the data order (:mod:`.data_order`);
3. build the network, NT-Xent, the optimiser (:mod:`.optim`) and the schedule (:mod:`.schedule`);
4. with ``resume``, restore the newest good checkpoint (:mod:`.checkpoint_store`) and go on from its
   step: the run ends at the same step as an uninterrupted one;
5. train, showing progress and logging (:mod:`.run_log`), checkpointing every ``checkpoint_every``
   steps and at the end, running the kNN monitor (:mod:`.knn`) every ``knn_every`` epochs;
6. stop with :class:`~.errors.TrainingDiverged` the moment the loss is not finite, keeping the
   last good checkpoint.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mindspore
from mindspore import nn

from hub_plugin.packages.device import use_device
from hub_plugin.packages.launch import terminate_as_interrupt

from .. import config as config_module
from ..config import TrainConfig
from ..cpu import use_fast_cpu_convolutions
from ..data.data_order import check_enough, epoch_indices, steps_per_epoch, training_stream
from ..data.image_arrays import ImageSet, load_split
from ..data.transforms import SimCLRTransform
from ..errors import ResumeError, TrainingDiverged, TrainingInterrupted
from ..evaluation.features import extract_features
from ..evaluation.knn import KNNResult, knn_accuracy
from ..networks.loss import NTXentLoss
from ..networks.network import SimCLR, SimCLRWithLoss
from ..networks.resnet import build_backbone
from .checkpoint_store import CheckpointStore, TrainingState, restore
from .distributed import Topology, init_data_parallel, replica_spread
from .optim import build_optimizer
from .run_log import RunLog
from .schedule import learning_rates

CONFIG_FILE = "config.yaml"
CHECKPOINT_DIR = "checkpoints"

RESUMABLE_CHANGES = frozenset({
    "data", "output", "device", "epochs", "steps", "data_workers", "log_every", "checkpoint_every",
    "keep_checkpoints", "knn_every", "knn_samples", "knn_k", "knn_temperature", "mode", "resume",
})
"""Settings that may differ between a run and its resumption; any other change is an error."""


@dataclass
class TrainResult:
    """What a pre-training run did: its steps, last loss and checkpoint, speed and kNN accuracy.

    ``images_per_second``: images (of all workers) per second of training step, pipeline waits
    included, the first step of the process (graph compilation) left out.
    """

    output: Path
    steps: int
    total_steps: int
    first_step: int
    final_loss: float
    checkpoint: Path | None
    images_per_second: float
    world_size: int
    resumed_from: Path | None = None
    knn: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> str:
        if self.steps == self.first_step:
            return (f"nothing to train: {self.checkpoint} is already at step {self.steps} "
                    f"of {self.total_steps}")
        lines = [
            f"trained steps {self.first_step + 1}-{self.steps} of {self.total_steps} "
            f"on {self.world_size} worker{'s' if self.world_size > 1 else ''}: final loss "
            f"{self.final_loss:.4f}, {self.images_per_second:.1f} images/s",
        ]
        if self.resumed_from is not None:
            lines.append(f"resumed from {self.resumed_from}")
        for entry in self.knn:
            lines.append(f"kNN top-1 after epoch {entry['epoch']}: {entry['top1']:.2f}%")
        lines.append(f"checkpoint: {self.checkpoint}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        for key in ("output", "checkpoint", "resumed_from"):
            data[key] = str(data[key]) if data[key] is not None else None
        return data


def resolve_config(overrides: TrainConfig | Mapping[str, Any]) -> TrainConfig:
    """The config of a run: a preset plus ``overrides`` or, with ``resume`` and a saved run in the
    output folder, the saved config plus the overrides (only :data:`RESUMABLE_CHANGES` may differ)."""
    given_config = isinstance(overrides, TrainConfig)
    explicit = config_module.to_mapping(overrides) if given_config else dict(overrides)
    output = Path(str(explicit.get("output", TrainConfig.output)))
    saved_file = output / CONFIG_FILE
    if not explicit.get("resume", False) or not saved_file.is_file():
        if isinstance(overrides, TrainConfig):
            return overrides.check()
        return config_module.build(TrainConfig, explicit)
    saved = config_module.to_mapping(config_module.load(TrainConfig, saved_file))
    merged = {**saved, **explicit}
    merged = config_module.to_mapping(config_module.from_mapping(TrainConfig, merged))
    changed = sorted(k for k in merged if merged[k] != saved[k] and k not in RESUMABLE_CHANGES)
    if changed:
        details = ", ".join(f"{k} (saved {saved[k]!r}, given {merged[k]!r})" for k in changed)
        raise ResumeError(
            f"cannot resume {output}: settings differ from the saved run: {details}",
            hint=f"drop these options, or start a new run in another --output than {output}",
        )
    return config_module.from_mapping(TrainConfig, merged)


def build_network(config: TrainConfig) -> SimCLR:
    """The ``simclr`` network the config describes."""
    encoder = build_backbone(config.backbone, width_multiplier=config.width_multiplier)
    return SimCLR(encoder, projection_dimension=config.projection_dimension)


def pretrain(overrides: TrainConfig | Mapping[str, Any]) -> TrainResult:
    """Run (or resume) SimCLR pre-training; see the module docstring for what happens."""
    config = resolve_config(overrides)
    if config.device == "cpu":
        use_fast_cpu_convolutions()
    use_device(config.device)
    previous_mode = mindspore.get_context("mode")
    mindspore.set_context(
        mode=mindspore.GRAPH_MODE if config.mode == "graph" else mindspore.PYNATIVE_MODE
    )
    try:
        with terminate_as_interrupt():
            return _pretrain(config, init_data_parallel())
    except KeyboardInterrupt:  # one line naming the checkpoint kept and how to go on
        kept = CheckpointStore(Path(config.output) / CHECKPOINT_DIR).latest_path()
        raise TrainingInterrupted(str(kept) if kept else None, str(config.output)) from None
    finally:
        mindspore.set_context(mode=previous_mode)


def _pretrain(config: TrainConfig, topology: Topology) -> TrainResult:
    output = Path(config.output)
    world = topology.world_size
    train_set = load_split(config.data, "train", data_workers=config.data_workers)
    check_enough(len(train_set), config.batch_size, world, config.data)
    per_epoch = steps_per_epoch(len(train_set), config.batch_size, world)
    total = config.steps if config.steps is not None else config.epochs * per_epoch
    warmup = min(total, round(config.warmup_epochs * per_epoch))
    start, peak, end = config.rates(world)
    rates = learning_rates(config.decay, total, warmup, start=start, peak=peak, end=end)

    mindspore.set_seed(config.seed)  # the same initial weights on every worker
    network = build_network(config)
    loss = NTXentLoss(
        config.temperature,
        official_scaling=config.official_loss_scaling,
        gather_distributed=config.gather_negatives and world > 1,
    )
    with_loss = SimCLRWithLoss(network, loss)
    optimizer = build_optimizer(with_loss, config, rates)
    train_cell = nn.TrainOneStepCell(with_loss, optimizer)
    train_cell.set_train(True)

    store = CheckpointStore(output / CHECKPOINT_DIR, keep=config.keep_checkpoints)
    first_step = 0
    resumed_from: Path | None = None
    notes: list[str] = []
    if config.resume:
        loaded = store.load_latest()
        if loaded is None:
            notes.append(f"no checkpoint in {store.folder}: starting from step 0")
        else:
            _check_resumable(loaded.state, config, world, per_epoch, loaded.path)
            restore(train_cell, loaded.parameters, loaded.path)
            first_step = loaded.state.step
            resumed_from = loaded.path
            notes.append(f"resumed from {loaded.path} at step {first_step}")
    elif store.checkpoints():
        raise ResumeError(
            f"{store.folder} already holds checkpoints of an earlier run",
            hint="pass --resume to continue it, or choose another --output",
        )
    if topology.is_main:
        output.mkdir(parents=True, exist_ok=True)
        config_module.save(config, output / CONFIG_FILE)

    transform = SimCLRTransform(config.augmentation)
    test_set: ImageSet | None = None
    log = RunLog(output if topology.is_main else None, total, first_step=first_step)
    step = first_step
    last_loss = float("nan")
    last_checkpoint = store.latest_path()
    knn_history: list[dict[str, Any]] = []
    images_done = 0
    seconds = 0.0
    with log:
        log.info(
            f"SimCLR pre-training: {config.backbone} x{config.width_multiplier}, "
            f"{len(train_set)} images, batch {config.batch_size} x {world} worker(s), "
            f"{per_epoch} steps per epoch, {total} steps, {config.optimizer} "
            f"(lr {start:g} -> {peak:g} -> {end:g}, {config.decay}), device {config.device}, "
            f"{config.mode} mode"
        )
        for note in notes:
            log.info(note)
        window_images, window_start = 0, time.perf_counter()
        while step < total:
            epoch, position = divmod(step, per_epoch)
            indices = epoch_indices(
                len(train_set), seed=config.seed, epoch=epoch, batch_size=config.batch_size,
                world_size=world, rank=topology.rank, start_step=position,
            )
            stream = training_stream(
                train_set.images, indices, transform, batch_size=config.batch_size,
                data_workers=config.data_workers,
                seed=hash((config.seed, epoch, position, topology.rank)),
            )
            mark = time.perf_counter()  # a step's time runs from here: waiting for data included
            for view1, view2 in stream.create_tuple_iterator(num_epochs=1):
                value = float(train_cell(view1, view2).asnumpy())
                if not math.isfinite(value):
                    last = store.latest_path()
                    log.info(f"loss is {value} at step {step + 1}: stopping")
                    raise TrainingDiverged(step + 1, value, str(last) if last else None)
                step += 1
                last_loss = value
                if step > first_step + 1:  # the first step of a process includes compilation
                    images_done += config.batch_size * world
                    seconds += time.perf_counter() - mark
                window_images += config.batch_size * world
                logged = step % config.log_every == 0 or step == total
                now = time.perf_counter()
                speed = window_images / max(now - window_start, 1e-9)
                log.step(step, loss=value, lr=float(rates[step - 1]), speed=speed,
                         epoch=epoch, logged=logged)
                if logged:
                    window_images, window_start = 0, now
                if step % config.checkpoint_every == 0 or step == total:
                    state = TrainingState(step, step // per_epoch, config.seed, world, per_epoch, total)
                    if topology.is_main:
                        last_checkpoint = store.save(train_cell, state)
                        log.record("checkpoint", step=step, path=str(last_checkpoint))
                if step >= total:
                    break
                window_start += time.perf_counter() - now  # checkpointing is not training time
                mark = time.perf_counter()
            finished_epoch = step % per_epoch == 0
            knn_due = config.knn_every and (step // per_epoch) % config.knn_every == 0
            if finished_epoch and knn_due and topology.is_main:
                if test_set is None:
                    test_set = _test_split(config, log)
                if test_set is not None:
                    result = monitor(network, train_set, test_set, config)
                    entry = {"epoch": step // per_epoch, "step": step, "top1": result.top1,
                             "k": result.k, "temperature": result.temperature,
                             "test_images": result.count}
                    knn_history.append(entry)
                    log.record("knn", **entry)
                    log.info(f"epoch {step // per_epoch}: kNN top-1 {result.top1:.2f}% "
                             f"over {result.count} test images")
        if world > 1:
            spread = replica_spread(network)
            log.record("replicas", step=step, world_size=world, weight_sum_spread=spread)
            log.info(f"the {world} workers' weights agree (spread of their sums: {spread:g})"
                     if spread == 0 else f"warning: the workers' weights differ (spread {spread:g})")
        if topology.is_main and step > first_step:
            log.info(f"done: {step} steps, final loss {last_loss:.4f}, checkpoint {last_checkpoint}")
    return TrainResult(
        output=output, steps=step, total_steps=total, first_step=first_step, final_loss=last_loss,
        checkpoint=last_checkpoint, images_per_second=images_done / seconds if seconds else 0.0,
        world_size=world, resumed_from=resumed_from, knn=knn_history,
    )


def monitor(network: SimCLR, train_set: ImageSet, test_set: ImageSet, config: TrainConfig) -> KNNResult:
    """The kNN monitor: weighted kNN accuracy of the encoder's features, train set as the bank."""
    bank = train_set.subset(config.knn_samples, seed=config.seed)
    test = test_set.subset(config.knn_samples, seed=config.seed + 1)
    options = {"augmentation": config.augmentation, "data_workers": config.data_workers}
    bank_features = extract_features(network.encoder, bank.images, **options)
    test_features = extract_features(network.encoder, test.images, **options)
    network.set_train(True)
    return knn_accuracy(
        test_features, test.labels, bank_features, bank.labels, 10,
        k=config.knn_k, temperature=config.knn_temperature,
    )


def _test_split(config: TrainConfig, log: RunLog) -> ImageSet | None:
    from ..errors import DatasetError

    try:
        return load_split(config.data, "test", data_workers=config.data_workers)
    except DatasetError as error:
        log.info(f"kNN monitor off: no test split ({error})")
        return None


def _check_resumable(
    state: TrainingState, config: TrainConfig, world: int, per_epoch: int, path: Path
) -> None:
    problems = []
    if state.world_size != world:
        problems.append(f"it ran on {state.world_size} worker(s), this run has {world}")
    if state.steps_per_epoch != per_epoch:
        problems.append(f"it had {state.steps_per_epoch} steps per epoch, this run has {per_epoch}"
                        " (the dataset or batch size changed)")
    if state.seed != config.seed:
        problems.append(f"its seed was {state.seed}, this run's is {config.seed}")
    if problems:
        raise ResumeError(f"cannot resume from {path}: " + "; ".join(problems))
    total = config.steps if config.steps is not None else config.epochs * per_epoch
    if state.step > total:
        raise ResumeError(f"{path} is at step {state.step}, past this run's {total} steps",
                          hint="give more --steps or --epochs")


__all__ = ["CONFIG_FILE", "RESUMABLE_CHANGES", "TrainResult", "build_network", "monitor", "pretrain",
           "resolve_config"]
