"""Data-parallel pre-training with two workers under MindSpore's msrun, on the CPU."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hub_plugin_models.simclr.pretraining.checkpoint_store import CheckpointStore
from ports import free_port
from tiny_cifar import write_cifar_bin

REPOSITORY = Path(__file__).resolve().parents[4]


@pytest.mark.slow
def test_two_workers_train_with_sharded_data_and_gathered_negatives(tmp_path: Path) -> None:
    data = write_cifar_bin(tmp_path / "data", train=20, test=10)
    run = tmp_path / "run"
    logs = tmp_path / "logs"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "hub_plugin",
            "train",
            "simclr",
            "--workers",
            "2",
            "--master-port",
            str(free_port()),
            "--launch-log-dir",
            str(logs),
            "--data",
            str(data),
            "--output",
            str(run),
            "--backbone",
            "resnet18",
            "--width-multiplier",
            "0.0625",
            "--batch-size",
            "4",
            "--steps",
            "3",
            "--checkpoint-every",
            "2",
            "--log-every",
            "1",
            "--data-workers",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPOSITORY,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert sorted(p.name for p in logs.glob("worker_*.log")) == ["worker_0.log", "worker_1.log"]
    # rank 0 alone writes the run's files; the checkpoint records two workers
    store = CheckpointStore(run / "checkpoints")
    assert [p.name for p in store.checkpoints()] == ["step-00000002.ckpt", "step-00000003.ckpt"]
    loaded = store.load_latest()
    assert loaded is not None
    assert loaded.state.world_size == 2 and loaded.state.steps_per_epoch == 2  # 20 // 2 // 4
    assert "batch 4 x 2 worker(s)" in (run / "train.log").read_text()
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    losses = [r["loss"] for r in records if r["kind"] == "step"]
    assert len(losses) == 3
    # Negatives gathered from both workers: each anchor faces 2*8-1 candidates, and at the start
    # the (officially scaled) loss is near 2 ln 15 = 5.4; one worker's own 2*4-1 would give 3.9.
    assert losses[0] > 4.7
    assert np.isfinite(losses).all()
    # averaged gradients: both workers end with the same weights
    replicas = [r for r in records if r["kind"] == "replicas"]
    assert replicas == [{**replicas[0], "step": 3, "world_size": 2, "weight_sum_spread": 0.0}]
