"""``predict`` with each runtime: MindSpore on the network, ONNX Runtime and ``nn.GraphCell`` on
exports of it. They give the same top classes, with the same probabilities to float32 rounding."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hub_plugin_models.simclr.errors import ConfigError
from hub_plugin_models.simclr.evaluation.predict import PredictionReport, predict_images
from PIL import Image
from small_simclr import SMALL, SmallSimCLR, served_small_simclr

import hub_plugin
from hub_plugin.cli import main
from hub_plugin.errors import UsageError
from hub_plugin.registry import Registry

pytestmark = pytest.mark.mindspore


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[SmallSimCLR, Path, Path, list[str]]:
    """The small package, its ONNX (batch 4) and MINDIR exports, and nine images of all kinds."""
    root = tmp_path_factory.mktemp("runtimes")
    with served_small_simclr(root) as small:
        registry = Registry.open([small.registry], environment=False, plugins=False)
        onnx = hub_plugin.export("simclr_small", format="onnx", output=root / "out", batch_size=4,
                                 registry=registry, trust=True, **SMALL).path
        mindir = hub_plugin.export("simclr_small", format="mindir", output=root / "out",
                                   registry=registry, trust=True, **SMALL).path
    rng = np.random.default_rng(7)
    images = []
    for index in range(8):
        size = (32, 32) if index % 3 else (48 + index, 40)
        colour = rng.integers(0, 256, 3)  # a colour of its own, so that the classes differ
        noise = rng.integers(-40, 40, (*size, 3))
        pixels = np.clip(colour + noise, 0, 255).astype(np.uint8)
        path = root / f"image{index}.{'png' if index % 2 else 'jpg'}"
        Image.fromarray(pixels).save(path)
        images.append(str(path))
    grey = root / "grey.png"
    Image.fromarray(rng.integers(0, 256, (32, 32), dtype=np.uint8)).save(grey)
    images.append(str(grey))
    return small, onnx, mindir, images


def _predict(images: list[str], **settings: object) -> PredictionReport:
    return predict_images({"images": images, "top_k": 3, "batch_size": 3, **settings})


def test_the_runtimes_agree_on_the_top_classes(exported) -> None:
    small, onnx, mindir, images = exported
    checkpoints = {"encoder": str(small.encoder), "classifier": str(small.classifier), **SMALL}
    reports = {
        "mindspore": _predict(images, **checkpoints),
        "onnxruntime --model": _predict(images, model=str(onnx), runtime="onnxruntime"),
        "mindspore --model": _predict(images, model=str(mindir)),
        "onnxruntime, exported on the fly": _predict(images, runtime="onnxruntime", **checkpoints),
    }
    reference = reports["mindspore"].predictions
    assert all(answer.ok for answer in reference)
    assert len({answer.classes[0][0] for answer in reference}) >= 2, "a test that cannot fail"
    for name, report in reports.items():
        assert report.exit_code == 0, name
        for answer, expected in zip(report.predictions, reference, strict=True):
            assert [c for c, _ in answer.classes] == [c for c, _ in expected.classes], (name, answer.path)
            np.testing.assert_allclose(
                [p for _, p in answer.classes], [p for _, p in expected.classes], atol=1e-4, err_msg=name
            )


def test_the_command_line_runs_an_onnx_model(exported, capsys: pytest.CaptureFixture[str]) -> None:
    _, onnx, _, images = exported
    code = main(["predict", "simclr", *images[:5], "--model", str(onnx), "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0 and out.count('"class"') == 5 * 5


def test_an_onnx_model_on_32x32_images_never_imports_mindspore(exported, tmp_path: Path) -> None:
    """Serving an export skips MindSpore's two seconds of import: the preprocessing of images that
    are already 32x32 is NumPy's (the same bytes), the network is ONNX Runtime's."""
    _, onnx, _, images = exported
    small_images = [path for path in images if Image.open(path).size == (32, 32)]
    assert len(small_images) >= 3
    script = (
        "import sys\n"
        "from hub_plugin.cli import main\n"
        f"code = main(['predict', 'simclr', *{small_images!r}, '--model', {str(onnx)!r}])\n"
        "assert code == 0, code\n"
        "assert 'mindspore' not in sys.modules, 'mindspore was imported'\n"
    )
    environment = {**os.environ, "HUB_PLUGIN_HOME": str(tmp_path / "home")}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                            env=environment)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.count("\n") >= len(small_images)


def test_a_model_and_a_runtime_that_disagree_are_one_error(exported) -> None:
    _, onnx, mindir, images = exported
    with pytest.raises(UsageError, match="runs with --runtime onnxruntime"):
        _predict(images, model=str(onnx), runtime="mindspore")
    with pytest.raises(UsageError, match="runs with --runtime mindspore"):
        _predict(images, model=str(mindir), runtime="onnxruntime")
    with pytest.raises(ConfigError, match="--model FILE, or checkpoints"):
        _predict(images, model=str(onnx), pretrained=True)


def test_without_onnxruntime_predict_names_the_extra(
    exported, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, onnx, _, images = exported
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if it were not installed
    code = main(["predict", "simclr", images[0], "--model", str(onnx)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "hub-plugin predict --runtime onnxruntime needs ONNX Runtime" in err
    assert "pip install 'hub-plugin[onnx]'" in err
