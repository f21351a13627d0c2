"""Pre-training in process: a short run, resuming, divergence, and the errors of bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import mindspore
import pytest
from hub_plugin_models.simclr.errors import DatasetError, ResumeError, TrainingDiverged
from hub_plugin_models.simclr.pretraining.checkpoint_store import CheckpointStore
from hub_plugin_models.simclr.pretraining.training import pretrain
from tiny_cifar import write_cifar_bin


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_cifar_bin(tmp_path_factory.mktemp("cifar"), train=20, test=10)


def _settings(data: Path, output: Path, **extra: Any) -> dict[str, Any]:
    return {
        "data": str(data),
        "output": str(output),
        "backbone": "resnet18",
        "width_multiplier": 0.0625,
        "batch_size": 4,
        "steps": 4,
        "checkpoint_every": 2,
        "log_every": 1,
        "data_workers": 1,
        "learning_rate": [1e-4, 1e-3, 1e-5],
        **extra,
    }


@pytest.mark.slow
def test_a_short_run_writes_config_log_metrics_and_checkpoints(data: Path, tmp_path: Path) -> None:
    result = pretrain(_settings(data, tmp_path, knn_every=1, steps=5, keep_checkpoints=2))
    assert result.steps == 5 and result.total_steps == 5 and result.first_step == 0
    store = CheckpointStore(tmp_path / "checkpoints")
    assert [p.name for p in store.checkpoints()] == ["step-00000004.ckpt", "step-00000005.ckpt"]
    loaded = store.load_latest()
    assert loaded is not None and loaded.state.step == 5 and loaded.state.steps_per_epoch == 5
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    steps = [r for r in records if r["kind"] == "step"]
    assert [r["step"] for r in steps] == [1, 2, 3, 4, 5]
    assert all(r["loss"] > 0 and r["images_per_second"] > 0 for r in steps)
    knn = [r for r in records if r["kind"] == "knn"]
    assert len(knn) == 1 and knn[0]["epoch"] == 1 and 0 <= knn[0]["top1"] <= 100
    assert knn[0]["test_images"] == 10
    assert "SimCLR pre-training" in (tmp_path / "train.log").read_text()
    assert "batch_size: 4" in (tmp_path / "config.yaml").read_text()
    assert mindspore.get_context("mode") == mindspore.PYNATIVE_MODE  # restored


@pytest.mark.slow
def test_resume_continues_to_the_same_step_and_rejects_changed_settings(data: Path, tmp_path: Path) -> None:
    pretrain(_settings(data, tmp_path, steps=2))
    with pytest.raises(ResumeError, match="already holds checkpoints"):
        pretrain(_settings(data, tmp_path, steps=4))
    with pytest.raises(ResumeError, match=r"batch_size \(saved 4, given 2\)"):
        pretrain({"output": str(tmp_path), "resume": True, "batch_size": 2})
    # only the output, resume and a longer run are given: the rest comes from config.yaml
    result = pretrain({"output": str(tmp_path), "resume": True, "steps": 4})
    assert result.first_step == 2 and result.steps == 4
    assert result.resumed_from == tmp_path / "checkpoints" / "step-00000002.ckpt"


@pytest.mark.slow
def test_a_loss_that_becomes_nan_stops_and_keeps_the_last_good_checkpoint(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = mindspore.nn.TrainOneStepCell

    class Diverging(original):  # type: ignore[misc, valid-type]
        calls = 0

        def __call__(self, *inputs: Any) -> Any:
            loss = super().__call__(*inputs)
            Diverging.calls += 1
            return loss * float("nan") if Diverging.calls == 3 else loss

    monkeypatch.setattr(mindspore.nn, "TrainOneStepCell", Diverging)
    with pytest.raises(TrainingDiverged, match="loss is nan at step 3") as caught:
        pretrain(_settings(data, tmp_path, steps=6))
    assert caught.value.checkpoint == str(tmp_path / "checkpoints" / "step-00000002.ckpt")
    assert [p.name for p in CheckpointStore(tmp_path / "checkpoints").checkpoints()] == ["step-00000002.ckpt"]


def test_bad_data_paths_and_a_dataset_smaller_than_a_batch(data: Path, tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="does not exist"):
        pretrain(_settings(tmp_path / "missing", tmp_path / "run"))
    with pytest.raises(DatasetError, match="fewer than one batch"):
        pretrain(_settings(data, tmp_path / "run", batch_size=64))
