"""Linear evaluation: accuracy over every test image, the official classifier layout, valid cards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import mindspore
import numpy as np
import pytest
from hub_plugin_models.simclr import hubconf
from hub_plugin_models.simclr.config import EvalConfig
from hub_plugin_models.simclr.evaluation.linear_eval import (
    linear_evaluation,
    save_encoder,
    topk_accuracy,
    train_linear_classifier,
)
from s3_server import S3Server
from tiny_cifar import write_cifar_bin

from hub_plugin.cli import main
from hub_plugin.errors import ArgumentContradictsCard
from hub_plugin.validation.validator import validate_file


def test_topk_counts_every_row() -> None:
    logits = np.array([[3, 2, 1, 0], [0, 1, 2, 3], [1, 3, 2, 0]], dtype=np.float32)
    labels = np.array([0, 1, 2])
    assert topk_accuracy(logits, labels, 1) == pytest.approx(100 / 3)
    assert topk_accuracy(logits, labels, 2) == pytest.approx(200 / 3)
    assert topk_accuracy(logits, labels, 3) == pytest.approx(100.0)
    assert topk_accuracy(logits, labels, 10) == 100.0


def test_the_linear_classifier_learns_separable_features() -> None:
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(10, 16)) * 4
    labels = rng.integers(0, 10, 400)
    features = (centres[labels] + rng.normal(size=(400, 16))).astype(np.float32)
    config = EvalConfig(
        data="d", encoder="e", epochs=20, batch_size=64, learning_rate=(1e-2, 1e-2, 1e-3), warmup_epochs=0
    )
    classifier = train_linear_classifier(features, labels, config)
    logits = classifier(mindspore.Tensor(features)).asnumpy()
    assert topk_accuracy(logits, labels, 1) > 95
    assert [p.name for p in classifier.get_parameters()] == ["model.weight", "model.bias"]


@pytest.mark.slow
def test_evaluation_writes_official_layout_checkpoints_and_valid_cards(
    tmp_path: Path, s3_server: S3Server
) -> None:
    data = write_cifar_bin(tmp_path / "data", train=30, test=12)
    mindspore.set_seed(0)
    network = hubconf.simclr(backbone="resnet18", width_multiplier=0.0625)
    save_encoder(network, tmp_path / "pretrained.ckpt")
    result = linear_evaluation(
        {
            "data": str(data),
            "encoder": str(tmp_path / "pretrained.ckpt"),
            "output": str(tmp_path / "out"),
            "backbone": "resnet18",
            "width_multiplier": 0.0625,
            "epochs": 3,
            "batch_size": 16,
            "card_name": "tiny",
            "asset_base_url": "https://example.org/simclr/",
            "data_workers": 1,
        }
    )
    assert result.test_images == 12 and result.train_images == 30
    # over every test image: a multiple of 1/12
    assert round(result.top1 * 12 / 100, 6) == round(result.top1 * 12 / 100)
    assert result.top5 >= result.top1 and 0 <= result.knn_top1 <= 100
    classifier = mindspore.load_checkpoint(result.classifier)
    assert sorted(classifier) == ["model.bias", "model.weight"]
    assert classifier["model.weight"].shape == (10, network.num_features)
    encoder = mindspore.load_checkpoint(result.encoder)
    assert sorted(encoder) == sorted(p.name for p in network.get_parameters())
    # the pair fills the classifier network strictly, as hub-plugin load does
    built = hubconf.create_network("simclr_classifier", backbone="resnet18", width_multiplier=0.0625)
    report = hubconf.load_pretrained(built, [result.encoder, result.classifier])
    assert len(report.loaded) == len(list(built.get_parameters()))
    for card in result.cards:
        verdict = validate_file(card)
        assert verdict.valid, verdict.errors
        assert verdict.manifest is not None
    text = Path(result.cards[1]).read_text()
    assert "https://example.org/simclr/simclr_linearclassifier_tiny.ckpt" in text
    from hub_plugin.core.hashing import hash_file

    assert hash_file(Path(result.classifier)).sha256 in text
    saved = json.loads((tmp_path / "out" / "evaluation.json").read_text())
    assert saved["top1"] == result.top1
    # the summary names the one command that publishes both cards; it does
    assert f"to publish: hub-plugin publish {tmp_path / 'out'} --upload s3://" in result.summary()
    bucket = s3_server.bucket("eval-cards")
    assert main(["publish", str(tmp_path / "out"), "--upload", f"s3://{bucket}/simclr",
                 "--endpoint-url", s3_server.endpoint]) == 0
    for card in result.cards:
        assert f"{s3_server.endpoint}/{bucket}/simclr/" in Path(card).read_text()
        assert validate_file(card, "mindspore-hub").valid
    _own_cards_come_back(result, network)


def _own_cards_come_back(result: Any, network: Any) -> None:
    """Issue 28 item 1: the published cards, loaded by their paths, build the network their
    weights belong to with no argument given, and fill it with the user's own weights."""
    from hub_plugin.cards.network_spec import parse_network
    from hub_plugin.packages.loading import load_model

    encoder_card, classifier_card = (Path(card) for card in result.cards)
    text = classifier_card.read_text()
    assert ("network: simclr.simclr_classifier backbone=resnet18 width_multiplier=0.0625 "
            "cifar_stem=True num_classes=10\n") in text
    assert "requires: simclr_encoder_tiny\n" in text
    assert parse_network("simclr.simclr backbone=resnet18 width_multiplier=0.0625 cifar_stem=True "
                         "projection_dimension=128") == validate_file(encoder_card).manifest.network_spec
    loaded = load_model(str(classifier_card))
    assert loaded.route.spec is not None and loaded.network_name == "simclr_classifier"
    assert [a.asset.link for a in loaded.assets] == [
        link for card in (encoder_card, classifier_card)
        for link in [validate_file(card).manifest.assets[0].link]]
    head = mindspore.load_checkpoint(result.classifier)["model.weight"].asnumpy()
    values = {p.name: p.asnumpy() for p in loaded.network.get_parameters()}
    assert any(v.shape == head.shape and np.array_equal(v, head) for v in values.values())
    first = next(p for p in network.get_parameters() if p.name.endswith("conv1.weight"))
    assert any(np.array_equal(v, first.asnumpy()) for k, v in values.items()
               if k.endswith("conv1.weight"))
    encoder = load_model(str(encoder_card))
    assert encoder.network_name == "simclr" and len(encoder.loaded) == len(
        list(network.get_parameters()))
    # an argument that agrees is fine; one that contradicts the card is one line naming both
    assert load_model(str(encoder_card), width_multiplier=0.0625).network_name == "simclr"
    with pytest.raises(ArgumentContradictsCard, match=r"backbone='resnet50' \(the card says "
                       r"backbone=resnet18\)"):
        load_model(str(encoder_card), backbone="resnet50")
    assert main(["load", str(encoder_card), "--arg", "backbone=resnet50"]) == 2


def test_in_a_pipe_eval_says_its_phases_with_image_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 28 item 6: piped, eval printed nothing for minutes; each long phase (here: every
    phase) is a line with the images done of all, and the classifier's epochs are counted."""
    from hub_plugin.core.progress import Activity

    monkeypatch.setattr(Activity, "LINE_AFTER", 0.0)
    monkeypatch.setattr(Activity, "LINE_EVERY", 0.0)
    data = write_cifar_bin(tmp_path / "data", train=20, test=8)
    mindspore.set_seed(0)
    save_encoder(hubconf.simclr(backbone="resnet18", width_multiplier=0.0625), tmp_path / "e.ckpt")
    linear_evaluation({"data": str(data), "encoder": str(tmp_path / "e.ckpt"), "output": str(tmp_path / "o"),
                       "backbone": "resnet18", "width_multiplier": 0.0625, "epochs": 2, "batch_size": 16,
                       "card_name": "tiny", "data_workers": 1})
    err = capsys.readouterr().err.splitlines()
    assert "hub-plugin: features of the 20 training images ..." in err
    assert any(line.startswith("hub-plugin: features of the 20 training images: done in ")
               and line.endswith(" s (20 of 28)") for line in err), err
    assert any(line.startswith("hub-plugin: features of the 8 test images: done in ")
               and line.endswith(" s (28 of 28)") for line in err), err
    assert "hub-plugin: linear classifier: epoch (1 of 2)" in err
    assert any(line.endswith(" s (2 of 2)") and "linear classifier: epoch: done" in line for line in err)
