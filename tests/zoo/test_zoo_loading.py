"""Networks from the model zoo's own code: a hub card's ``repo-link`` -> a sparse checkout of one
folder -> its ``mindspore_hub_conf.py`` in isolation -> a real MindSpore network with verified
weights. Against a real git daemon on 127.0.0.1 over a zoo and a hub the tests build."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from git_server import GitServer
from zoo_repos import ZOO, build_zoo, build_zoo_hub, mirrors, save_checkpoint

import hub_plugin
from hub_plugin.cli import main
from hub_plugin.errors import HubPluginError, UntrustedCode
from hub_plugin.packages.loading import load_model

pytestmark = pytest.mark.mindspore

ALPHA_WEIGHT = np.arange(12, dtype=np.float32).reshape(3, 4) / 10


@dataclass
class ZooSetup:
    server: GitServer
    checkpoints: Path
    home: Path


@pytest.fixture
def zoo(git_server: GitServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ZooSetup:
    """The zoo and its hub on the git server; the built-in hub mirrored to it."""
    build_zoo(git_server)
    checkpoints = tmp_path / "checkpoints"
    digests = {
        "alpha": save_checkpoint(checkpoints / "alpha_toy.ckpt", {
            "dense.weight": ALPHA_WEIGHT, "dense.bias": np.ones(3, np.float32),
            "moments.dense.weight": np.zeros((3, 4), np.float32)}),
        "beta": save_checkpoint(checkpoints / "beta_toy.ckpt", {
            "dense.weight": np.ones((5, 4), np.float32), "extra.head": np.ones(2, np.float32)}),
    }
    build_zoo_hub(git_server, digests)
    monkeypatch.setenv("HUB_PLUGIN_MIRROR", mirrors(git_server, checkpoints))
    return ZooSetup(git_server, checkpoints, Path(os.environ["HUB_PLUGIN_HOME"]))


def test_two_zoo_models_each_get_their_own_src(zoo: ZooSetup) -> None:
    """alpha and beta both import ``src.network``; alpha's config parses sys.argv at import
    (pytest's own arguments would make it exit) and neither leaves anything behind."""
    path, argv, cwd = list(sys.path), list(sys.argv), os.getcwd()
    alpha = hub_plugin.load("mindspore/1.8/alpha_toy", pretrained=False, trust=True)
    beta = hub_plugin.load("mindspore/1.8/beta_toy", 5, pretrained=False, trust=True)
    assert type(alpha).__name__ == "AlphaNet" and type(beta).__name__ == "BetaNet"
    alpha_src = sys.modules[type(alpha).__module__]
    beta_src = sys.modules[type(beta).__module__]
    assert (alpha_src.KIND, beta_src.KIND) == ("alpha", "beta")
    assert alpha_src.__name__.startswith("hub_plugin_zoo.") and alpha_src is not beta_src
    assert (sys.path, sys.argv, os.getcwd()) == (path, argv, cwd)
    assert not [name for name in sys.modules if name == "src" or name.startswith("src.")]
    import mindspore

    batch = mindspore.Tensor(np.ones((2, 4), np.float32))
    assert alpha(batch).shape == (2, 3) and beta(batch).shape == (2, 5)


def test_weights_strict_and_load_matching(zoo: ZooSetup) -> None:
    loaded = load_model("mindspore/1.8/alpha_toy", trust=True)
    weight = {p.name: p.asnumpy() for p in loaded.network.get_parameters()}["dense.weight"]
    np.testing.assert_allclose(weight, ALPHA_WEIGHT)
    assert loaded.ignored == ("moments.dense.weight",) and loaded.zoo.folder == "official/cv/alpha"
    assert loaded.assets[0].sha256 and loaded.package is None
    with pytest.raises(HubPluginError, match=r"do not fill 1 parameters: dense\.bias.*--load-matching"):
        load_model("mindspore/1.8/beta_toy", trust=True, num_classes=5)
    partial = load_model("mindspore/1.8/beta_toy", trust=True, num_classes=5, strict_weights=False)
    assert partial.missing == ("dense.bias",) and partial.ignored == ("extra.head",)
    assert list(partial.loaded) == ["dense.weight"]


def test_cli_load_prints_the_zoo_and_commit(zoo: ZooSetup, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", "mindspore/1.8/alpha_toy", "--trust"]) == 0
    out = capsys.readouterr().out
    assert f"from the model zoo {ZOO} at" in out
    assert "parameters: 2 loaded, 1 ignored (moments.dense.weight)" in out


def _error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["load", *args]) == 1
    lines = [line for line in capsys.readouterr().err.splitlines() if "first use" not in line]
    assert len(lines) == 1 and lines[0].startswith("hub-plugin: error: "), lines
    return lines[0]


def test_failures_are_one_actionable_line(zoo: ZooSetup, capsys: pytest.CaptureFixture[str]) -> None:
    err = _error(capsys, "mindspore/1.8/gamma_toy", "--trust", "--no-pretrained")
    assert "needs the module 'hub_plugin_missing_dep'" in err
    assert "requirements.txt:2: hub-plugin-missing-dep>=1.0" in err
    err = _error(capsys, "mindspore/1.8/delta_toy", "--trust", "--no-pretrained")
    assert "the model zoo provides no entry point for the card 'mindspore/1.8/delta_toy'" in err
    err = _error(capsys, "mindspore/1.8/epsilon_toy", "--trust", "--no-pretrained")
    import mindspore

    assert "LayerThatMindSporeNeverHad" in err
    assert f"mindspore-version 1.8, MindSpore {mindspore.__version__} is installed" in err
    err = _error(capsys, "mindspore/1.8/beta_toy", "--trust", "--no-pretrained")
    assert "missing 1 required positional argument: 'num_classes'" in err
    assert "BetaNet(num_classes, width=4)" in err and "--arg NAME=VALUE" in err
    assert main(["load", "mindspore/1.8/beta_toy", "--trust", "--no-pretrained",
                 "--arg", "num_classes=7"]) == 0


def test_trust_is_keyed_by_repository_and_commit(zoo: ZooSetup, capsys: pytest.CaptureFixture[str]) -> None:
    err = _error(capsys, "mindspore/1.8/alpha_toy", "--no-pretrained")
    assert f"the repository {ZOO} at commit" in err and "hub-plugin trust add" in err
    with pytest.raises(UntrustedCode):
        load_model("mindspore/1.8/alpha_toy", pretrained=False, trust=False)
    from hub_plugin.trust.store import TrustStore

    commit = next(p.name for p in (zoo.home / "zoo").glob("*/*") if len(p.name) == 40)
    TrustStore().trust_repository(ZOO + ".git", commit, name="alpha")
    assert main(["load", "mindspore/1.8/alpha_toy", "--no-pretrained"]) == 0
    assert main(["load", "mindspore/1.8/beta_toy", "--no-pretrained", "--arg", "num_classes=2"]) == 0


def test_validate_list_info_download_never_run_zoo_code(
    zoo: ZooSetup, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["info", "mindspore/1.8/gamma_toy"]) == 0
    assert main(["validate", "--profile", "mindspore-hub", "mindspore/1.8/gamma_toy"]) == 0
    assert main(["list", "--hub", "mindspore", "--filter", "toy"]) == 0
    assert "5 of 5 cards" in capsys.readouterr().out
    assert main(["download", "mindspore/1.8/alpha_toy"]) == 0
    assert capsys.readouterr().out.strip().endswith("alpha_toy.ckpt")
    assert not (zoo.home / "zoo").exists()


def test_offline_load_needs_no_server(zoo: ZooSetup) -> None:
    """Once the hub is synced and the code and weights are cached, ``load`` works with the git
    server stopped, no mirror set and offline mode on: nothing is fetched."""
    import subprocess

    assert load_model("mindspore/1.8/alpha_toy", trust=True).loaded
    zoo.server.stop()
    env = {k: v for k, v in os.environ.items() if k != "HUB_PLUGIN_MIRROR"}
    done = subprocess.run(
        [sys.executable, "-m", "hub_plugin", "load", "mindspore/1.8/alpha_toy", "--offline",
         "--trust"], env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "parameters: 2 loaded" in done.stdout and "cached" in done.stdout


def test_trust_false_refuses_before_anything_is_fetched(zoo: ZooSetup) -> None:
    """Issue 17, case 3: with ``trust=False`` the checkout was still fetched (and a hostile ref
    ran before trust); now nothing of the repository is fetched or written."""
    with pytest.raises(UntrustedCode, match=f"refusing to run the code of the repository {ZOO}"):
        load_model("mindspore/1.8/alpha_toy", pretrained=False, trust=False)
    assert not (zoo.home / "zoo").exists()
