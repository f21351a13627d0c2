"""The run log: a message line, metrics as JSON lines, and silence on ranks other than 0."""

from __future__ import annotations

import io
import json
from pathlib import Path

from hub_plugin_models.simclr.pretraining.run_log import RunLog


def test_messages_and_metrics_go_to_their_files(tmp_path: Path) -> None:
    stream = io.StringIO()
    with RunLog(tmp_path, 10, stream=stream) as log:
        log.info("hello")
        log.step(1, loss=2.5, lr=1e-3, speed=10.0, epoch=0, logged=False)
        log.step(2, loss=2.25, lr=2e-3, speed=12.0, epoch=0, logged=True)
        log.record("knn", epoch=1, top1=50.0)
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [r["kind"] for r in records] == ["step", "knn"]
    assert records[0]["step"] == 2 and records[0]["loss"] == 2.25 and records[0]["images_per_second"] == 12.0
    text = (tmp_path / "train.log").read_text()
    assert "hello" in text and "step 2/10 epoch 0 loss 2.2500" in text and "step 1/10" not in text
    # not a terminal: the logged step is printed as a line
    assert "step 2/10" in stream.getvalue()


def test_a_silent_log_writes_nothing(tmp_path: Path) -> None:
    stream = io.StringIO()
    with RunLog(None, 10, stream=stream) as log:
        log.info("hello")
        log.step(1, loss=1.0, lr=1.0, speed=1.0, epoch=0, logged=True)
        log.record("step", step=1)
    assert stream.getvalue() == "" and not list(tmp_path.iterdir())


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_first_bar_shows_no_figures_until_there_are_some(tmp_path: Path) -> None:
    stream = _Terminal()
    with RunLog(tmp_path, 10, stream=stream) as log:
        assert log.interactive
        log._progress.refresh()  # type: ignore[union-attr]  # draw the bar before any step
        before = stream.getvalue()
        log.step(1, loss=2.5, lr=1e-3, speed=10.0, epoch=0, logged=False)
        log._progress.refresh()  # type: ignore[union-attr]
    assert "step" in before and "nan" not in before and "img/s" not in before
    assert "loss 2.5000" in stream.getvalue() and "img/s" in stream.getvalue()
