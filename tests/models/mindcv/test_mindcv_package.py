"""The mindcv library package: MindSpore Hub's mindcv cards (repo-link .../mindcv/tree/v0.4.0/
configs/<family>) built with mindcv.create_model, the head sized by the card's dataset, filled
strictly from the card's checkpoint. The hub is a git repository on the test's daemon; the
checkpoints are made here from mindcv's own networks and served by the test's asset server."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from asset_server import AssetServer
from card_samples import replace_field
from git_server import GitServer, WorkRepo
from hub_repos import CARDS, hub_card

from hub_plugin.cli import main
from hub_plugin.core.resources import models_dir
from hub_plugin.errors import HubPluginError
from hub_plugin.packages.hubconf_import import import_hubconf
from hub_plugin.packages.loading import load_model

pytest.importorskip("mindcv")
pytestmark = pytest.mark.mindspore

MINDCV = "https://github.com/mindspore-lab/mindcv/tree/v0.4.0/configs/"
DOWNLOADS = "https://download-mindspore.osinfra.cn/toolkits/mindcv/"


@pytest.fixture(scope="module")
def hubconf() -> object:
    return import_hubconf(models_dir() / "mindcv")


def test_names_classes_and_input_size_come_from_the_card(hubconf: object) -> None:
    serve = hubconf.serve_hub_card  # type: ignore[attr-defined]
    assert hubconf.library_name("bit_resnet50") == "BiT_resnet50"  # type: ignore[attr-defined]
    assert serve("mindcv_model", {"model-name": "vit_b32_224", "train-dataset": "ImageNet2012"}) == {
        "arguments": {"model_name": "vit_b_32_224", "num_classes": 1000}, "input-shape": [1, 3, 224, 224]}
    assert serve("mindcv_model", {"model-name": "vit_l32_224", "train-dataset": "imagenet"})[
        "arguments"]["model_name"] == "vit_l_32_224"
    assert serve("mindcv_model", {"model-name": "resnet18", "train-dataset": "cifar10"})[
        "arguments"]["num_classes"] == 10
    with pytest.raises(HubPluginError, match=r"no class count known for the dataset 'coco2017'"):
        serve("mindcv_model", {"model-name": "resnet18", "train-dataset": "coco2017"})
    with pytest.raises(HubPluginError, match=r"mindcv 0\.3\.0 has no model 'resnet9000'"):
        hubconf.create_network("mindcv_model", model_name="resnet9000")  # type: ignore[attr-defined]


def _checkpoint(model: str, path: Path, rename: dict[str, str] | None = None) -> dict[str, np.ndarray]:
    import mindcv
    import mindspore

    network = mindcv.create_model(model, num_classes=1000)
    rng = np.random.default_rng(3)
    values = {p.name: rng.normal(0, 0.05, p.shape).astype(np.float32) for p in network.get_parameters()}
    entries = [{"name": (rename or {}).get(n, n), "data": mindspore.Tensor(v)} for n, v in values.items()]
    mindspore.save_checkpoint(entries, str(path))
    return values


@pytest.fixture
def mindcv_hub(git_server: GitServer, asset_server: AssetServer, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> dict[str, np.ndarray]:
    """Cards mindspore/2.3/resnet18_imagenet2012 (its checkpoint, digest as an 8-digit prefix like
    the hub's) and resnet18_renamed_imagenet2012 (a checkpoint of another mindcv version's names)."""
    values = _checkpoint("resnet18", tmp_path / "resnet18.ckpt")
    _checkpoint("resnet18", tmp_path / "renamed.ckpt", rename={"classifier.weight": "head.fc.weight"})
    repo = WorkRepo(tmp_path / "hub-work")
    for stem, file in (("resnet18_imagenet2012", "resnet18.ckpt"),
                       ("resnet18_renamed_imagenet2012", "renamed.ckpt")):
        data = (tmp_path / file).read_bytes()
        asset_server.add(f"/mindcv/resnet/{file}", data)
        text = hub_card("resnet18", summary="resnet18 is used for cv", repo_link=MINDCV + "resnet",
                        asset_link=f"{DOWNLOADS}resnet/{file}", mindspore_version="2.3",
                        digest=hashlib.sha256(data).hexdigest()[:8])
        text = replace_field(text, "train-dataset", "train-dataset: ImageNet2012")
        repo.write(f"{CARDS}/mindspore/2.3/{stem}.md", text)
    repo.commit("mindcv cards")
    git_server.publish(repo, "hub.git")
    monkeypatch.setenv("HUB_PLUGIN_MIRROR", f"https://gitee.com/mindspore/={git_server.root},"
                       f"{DOWNLOADS}={asset_server.url('/mindcv/')}")
    return values


def test_a_mindcv_hub_card_loads_by_uid_with_an_imagenet_head(mindcv_hub: dict[str, np.ndarray]) -> None:
    import mindspore

    loaded = load_model("mindspore/2.3/resnet18_imagenet2012")
    assert loaded.route.kind == "library" and loaded.package.name == "mindcv"
    assert "models/mindcv/package.yaml serves[0]" in loaded.route.reason
    assert loaded.arguments == {"model_name": "resnet18", "num_classes": 1000}
    assert loaded.input_shape == (1, 3, 224, 224) and loaded.assets[0].weak_check
    parameters = {p.name: p.asnumpy() for p in loaded.network.get_parameters()}
    assert set(parameters) == set(mindcv_hub)
    np.testing.assert_array_equal(parameters["classifier.weight"], mindcv_hub["classifier.weight"])
    loaded.network.set_train(False)
    out = loaded.network(mindspore.Tensor(np.ones((1, 3, 64, 64), np.float32)))
    assert out.shape == (1, 1000)


def test_names_of_another_mindcv_version_fail_strictly_naming_both(
    mindcv_hub: dict[str, np.ndarray], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(HubPluginError) as caught:
        load_model("mindspore/2.3/resnet18_renamed_imagenet2012")
    message = str(caught.value)
    assert "do not fill 1 parameters: classifier.weight" in message
    assert "made with mindcv v0.4.0 (its repo-link), mindcv 0.3.0 is installed" in message
    assert main(["info", "mindspore/2.3/resnet18_imagenet2012"]) == 0
    out = capsys.readouterr().out
    assert "route: library" in out and "the library mindcv" in out
