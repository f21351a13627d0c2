"""Prediction for image files: any size and mode, per-image errors, probabilities, JSON."""

from __future__ import annotations

from pathlib import Path

import mindspore
import numpy as np
import pytest
from hub_plugin_models.simclr import hubconf
from hub_plugin_models.simclr.data.datasets import CLASSES
from hub_plugin_models.simclr.data.transforms import EvaluationTransform
from hub_plugin_models.simclr.evaluation.linear_eval import LinearClassifier, save_classifier, save_encoder
from hub_plugin_models.simclr.evaluation.predict import predict_images, softmax
from PIL import Image


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("ckpt")
    mindspore.set_seed(1)
    network = hubconf.simclr(backbone="resnet18", width_multiplier=0.0625)
    save_encoder(network, folder / "encoder.ckpt")
    save_classifier(LinearClassifier(network.num_features), folder / "classifier.ckpt")
    return folder / "encoder.ckpt", folder / "classifier.ckpt"


def test_softmax_rows_sum_to_one() -> None:
    p = softmax(np.array([[1000.0, 1000.0], [0.0, np.log(3.0)]]))
    np.testing.assert_allclose(p, [[0.5, 0.5], [0.25, 0.75]])


def test_every_image_is_answered_or_has_its_own_error(checkpoints: tuple[Path, Path], tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    small = tmp_path / "small.png"
    Image.fromarray(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)).save(small)
    large = tmp_path / "large.jpg"
    Image.fromarray(rng.integers(0, 256, (120, 75, 3), dtype=np.uint8)).save(large)
    grey = tmp_path / "grey.png"
    Image.fromarray(rng.integers(0, 256, (40, 40), dtype=np.uint8)).save(grey)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8 this is not a JPEG")
    images = [str(small), str(tmp_path / "missing.png"), str(large), str(broken), str(grey)]
    encoder, classifier = checkpoints
    report = predict_images(
        {
            "images": images,
            "encoder": str(encoder),
            "classifier": str(classifier),
            "backbone": "resnet18",
            "width_multiplier": 0.0625,
            "top_k": 3,
        }
    )
    answers = report.predictions
    assert [a.path for a in answers] == images
    assert [a.ok for a in answers] == [True, False, True, False, True]
    assert answers[1].error == "no such file"
    assert answers[3].error is not None and "decode" in answers[3].error
    assert report.exit_code == 1
    for answer in (answers[0], answers[2], answers[4]):
        assert len(answer.classes) == 3 and all(name in CLASSES for name, _ in answer.classes)
        probabilities = [p for _, p in answer.classes]
        assert probabilities == sorted(probabilities, reverse=True) and sum(probabilities) <= 1 + 1e-6
    # the same numbers as the network run by hand on the evaluation transform of the image
    network = hubconf.create_network("simclr_classifier", backbone="resnet18", width_multiplier=0.0625)
    hubconf.load_pretrained(network, [str(encoder), str(classifier)])
    network.set_train(False)
    pixels = np.asarray(Image.open(large).convert("RGB"))
    expected = softmax(network(mindspore.Tensor(EvaluationTransform()(pixels)[None])).asnumpy())[0]
    top = int(np.argmax(expected))
    assert answers[2].classes[0] == (CLASSES[top], pytest.approx(float(expected[top]), rel=1e-4))
    json_rows = report.to_json()
    assert json_rows[1] == {"image": images[1], "error": "no such file"}
    assert json_rows[0]["top"][0]["class"] in CLASSES
    assert "error: no such file" in report.summary()


def test_pretrained_uses_the_two_official_cards(
    checkpoints: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hub_plugin_models.simclr.evaluation import linear_eval

    encoder, classifier = checkpoints
    asked: list[str] = []

    def official(card: str) -> str:  # stands in for the verified download of the card's asset
        asked.append(card)
        return str(encoder if card == "simclr_encoder_cifar10" else classifier)

    monkeypatch.setattr(linear_eval, "official_checkpoint", official)
    image = tmp_path / "one.png"
    Image.fromarray(np.zeros((32, 32, 3), np.uint8)).save(image)
    report = predict_images(
        {"images": [str(image)], "pretrained": True, "backbone": "resnet18", "width_multiplier": 0.0625}
    )
    assert asked == ["simclr_encoder_cifar10", "simclr_linearclassifier_cifar10"]
    assert report.exit_code == 0 and len(report.predictions[0].classes) == 5
