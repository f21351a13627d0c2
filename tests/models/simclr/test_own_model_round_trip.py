"""Issue 28 item 1, end to end: a user's own SimCLR comes back through a hub.

``train`` pre-trains a tiny encoder for two steps, ``eval`` writes the encoder and classifier
cards (each says what builds it; the classifier ``requires`` its encoder by name), ``publish``
uploads the checkpoints to moto's S3 server and pushes the cards to a fork on the test's git daemon
(naming the encoder by the UID it is published at), and in a fresh home ``hub add`` of the fork
lets ``load UID``, ``predict UID``, ``export UID`` and ``hub_plugin.load(uid)`` build the user's
own network with the user's own weights, with no ``--arg``, offline after the first download, and
without syncing any other hub.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import mindspore
import numpy as np
import pytest
from git_server import GitServer
from hub_plugin_models.simclr import hubconf
from PIL import Image
from publish_setup import hub_setup
from s3_server import S3Server
from tiny_cifar import write_cifar_bin

import hub_plugin
from hub_plugin.cli import main
from hub_plugin.hubs.sync import hub_store

pytestmark = pytest.mark.mindspore

WIDTH = 0.0625


def test_the_users_own_model_comes_back_by_uid_from_the_hub_it_was_published_to(
    tmp_path: Path, s3_server: S3Server, git_server: GitServer, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = write_cifar_bin(tmp_path / "data", train=24, test=12)
    tiny = ["--backbone", "resnet18", "--width-multiplier", str(WIDTH), "--data-workers", "1"]
    assert main(["train", "simclr", "--data", str(data), "--output", str(tmp_path / "train"), *tiny,
                 "--batch-size", "4", "--steps", "2", "--checkpoint-every", "2"]) == 0
    capsys.readouterr()
    (trained,) = (tmp_path / "train" / "checkpoints").glob("step-*.ckpt")
    run = tmp_path / "run"
    assert main(["eval", "simclr", "--data", str(data), "--encoder", str(trained), *tiny,
                 "--output", str(run), "--epochs", "2", "--batch-size", "16", "--card-name", "tiny",
                 "--author", "tester"]) == 0
    capsys.readouterr()
    encoder_file = run / "simclr_encoder_tiny.ckpt"
    classifier_file = run / "simclr_linearclassifier_tiny.ckpt"
    head = mindspore.load_checkpoint(str(classifier_file))["model.weight"].asnumpy()
    stem_weight = next(v.asnumpy() for k, v in mindspore.load_checkpoint(str(encoder_file)).items()
                       if k.endswith("conv1.weight"))

    hub = hub_setup(git_server, tmp_path)
    bucket = s3_server.bucket("own-model")
    assert main(["publish", str(run), "--upload", f"s3://{bucket}/simclr", "--endpoint-url",
                 s3_server.endpoint, "--hub", str(hub.clone), "--push", "fork",
                 "--branch", "add-tiny"]) == 0
    version = ".".join(mindspore.__version__.split(".")[:2])
    encoder_uid = f"tester/{version}/simclr_encoder_tiny"
    classifier_uid = f"tester/{version}/simclr_linearclassifier_tiny"
    # the local card keeps the name (it finds its encoder beside it); the hub's names the UID
    assert "requires: simclr_encoder_tiny\n" in (run / "simclr_linearclassifier_tiny.md").read_text()

    monkeypatch.setenv("HUB_PLUGIN_HOME", str(tmp_path / "fresh-home"))
    assert main(["hub", "add", "forked", hub.fork_url, "--ref", "add-tiny",
                 "--path", "mshub_res/assets"]) == 0
    assert main(["hub", "update", "forked"]) == 0
    capsys.readouterr()

    published = subprocess.run(
        ["git", "--git-dir", str(hub.fork), "show",
         f"add-tiny:mshub_res/assets/{classifier_uid}.md"],
        check=True, capture_output=True, text=True).stdout
    assert f"\nrequires: {encoder_uid}\n" in published
    assert main(["load", classifier_uid]) == 0, capsys.readouterr()
    capsys.readouterr()

    monkeypatch.setenv("HUB_PLUGIN_OFFLINE", "1")  # from here on, the cache only
    loaded = hub_plugin.load(classifier_uid)
    values = {p.name: p.asnumpy() for p in loaded.get_parameters()}
    assert any(v.shape == head.shape and np.array_equal(v, head) for v in values.values())
    assert any(np.array_equal(v, stem_weight) for k, v in values.items() if k.endswith("conv1.weight"))
    encoder = hub_plugin.load(encoder_uid)
    assert any(np.array_equal(p.asnumpy(), stem_weight) for p in encoder.get_parameters()
               if p.name.endswith("conv1.weight"))

    # an argument that contradicts the published card is one line naming both, exit 2
    assert main(["load", encoder_uid, "--arg", "width_multiplier=0.5"]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "width_multiplier=0.5" in error[0]
    assert "the card says width_multiplier=0.0625" in error[0]

    # predict by UID: the card's network and the two verified checkpoints, from the cache
    image = tmp_path / "cat.png"
    Image.fromarray(np.full((40, 40, 3), 90, np.uint8)).save(image)
    assert main(["predict", classifier_uid, str(image), "--format", "json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    expected = hubconf.predict(images=[str(image)], encoder=str(encoder_file),
                               classifier=str(classifier_file), backbone="resnet18",
                               width_multiplier=WIDTH).to_json()
    assert answer == expected
    assert main(["predict", classifier_uid, str(image), "--backbone", "resnet50"]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "--backbone resnet50 (the card says resnet18)" in error[0]

    out = tmp_path / "exported"
    assert main(["export", classifier_uid, "--format", "mindir", "--output", str(out),
                 "--batch-size", "1"]) == 0, capsys.readouterr()
    exported = out / "simclr_linearclassifier_tiny_mindir.md"
    assert (f"network: simclr.simclr_classifier backbone=resnet18 width_multiplier={WIDTH} "
            "cifar_stem=True num_classes=10") in exported.read_text()
    for profile in ("strict", "mindspore-hub"):
        assert main(["validate", "--profile", profile, str(exported)]) == 0
    # no other hub was synced on the way (the built-in one would need the internet): the card
    # and the encoder it requires were both answered by the fork's snapshot
    store = hub_store()
    assert {spec.name for spec in store.hubs()} == {"mindspore", "forked"}
    assert [spec.name for spec, snapshot in store.snapshots() if snapshot is not None] == ["forked"]
