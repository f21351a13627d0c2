"""``pip install hub-plugin`` (no extras) in a fresh venv: the CI-gate commands work, and the model
commands say in one line which extra they need. The venv is made by the test, by a real pip install
of this checkout (see :func:`github_action.light_venv`)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest
from asset_server import AssetServer
from card_samples import DIGEST, VALID_FRONT_MATTER, card_text, write_card
from checkpoint_samples import checkpoint_bytes
from github_action import LightVenv, light_venv
from locations import REPO

__all__ = ["light_venv"]

pytestmark = pytest.mark.slow


def hub_plugin(venv: LightVenv, *args: str, home: Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HUB_PLUGIN_HOME": str(home), "NO_PROXY": "127.0.0.1,localhost"}
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy",
                 "HUB_PLUGIN_REGISTRY", "HUB_PLUGIN_OFFLINE", "HUB_PLUGIN_MIRROR"):
        env.pop(name, None)
    return subprocess.run([str(venv.bin / "hub-plugin"), *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120)


def test_the_light_install_has_no_mindspore_numpy_or_pillow(light_venv: LightVenv) -> None:
    installed = light_venv.installed()
    assert "hub-plugin" in installed
    assert installed.isdisjoint({"mindspore", "numpy", "pillow"}), installed


def test_validate_list_info_download_cache_hub_and_trust_work_without_mindspore(
    light_venv: LightVenv, asset_server: AssetServer, tmp_path: Path
) -> None:
    payload = checkpoint_bytes(64)  # a .ckpt must parse as one (issue 29)
    link = asset_server.add("/light.ckpt", payload)
    front = (VALID_FRONT_MATTER.replace("<https://example.org/models/tiny.ckpt>", f"<{link}>")
             .replace(DIGEST, hashlib.sha256(payload).hexdigest()))
    write_card(tmp_path / "hub", "light_card", card_text(front))
    home = tmp_path / "home"
    registry = str(tmp_path / "hub")

    assert hub_plugin(light_venv, "validate", "models/", home=home).returncode == 0
    listed = hub_plugin(light_venv, "list", "--registry", registry, "--format", "json", home=home)
    assert listed.returncode == 0 and "light_card" in {c["name"] for c in json.loads(listed.stdout)}
    info = hub_plugin(light_venv, "info", "simclr", "--format", "json", home=home)
    assert info.returncode == 0 and json.loads(info.stdout)["network"]["package"] == "simclr"
    fetched = hub_plugin(light_venv, "download", "--registry", registry, "light_card", home=home)
    assert fetched.returncode == 0, fetched.stderr
    assert Path(fetched.stdout.strip()).read_bytes() == payload
    inspected = hub_plugin(light_venv, "inspect", "--registry", registry, "light_card", "--format", "json",
                           home=home)  # the checkpoint reader needs no MindSpore (issue 29)
    assert inspected.returncode == 0, inspected.stderr
    assert json.loads(inspected.stdout)["card"]["name"] == "light_card"
    lock = str(tmp_path / "light.lock")  # issue 29: lock and --locked need no MindSpore either
    package = tmp_path / "packages" / "light"  # a package card: its code is pinned without a fetch
    package.mkdir(parents=True)
    (package / "hubconf.py").write_text('def create_network(name):\n    return light()\n\n\n'
                                        'def light():\n    """light."""\n')
    (package / "package.yaml").write_text("cards:\n  light_pkg: {network: light}\n")
    write_card(package, "light_pkg", card_text(front))
    pinned = str(tmp_path / "packages")
    locked = hub_plugin(light_venv, "lock", "--registry", pinned, "light_pkg", "-o", lock, home=home)
    assert locked.returncode == 0 and "\nmindspore = " not in Path(lock).read_text(), locked.stderr
    again = hub_plugin(light_venv, "download", "--registry", pinned, "light_pkg", "--locked", lock,
                       "--offline", home=home)
    assert again.returncode == 0 and Path(again.stdout.strip()).read_bytes() == payload, again.stderr
    check = hub_plugin(light_venv, "lock", "--check", "--registry", pinned, "-o", lock, home=home)
    assert check.returncode == 0, check.stdout + check.stderr
    cached = hub_plugin(light_venv, "cache", "ls", "--format", "json", home=home)
    assert cached.returncode == 0 and "light_card" in cached.stdout
    checked = hub_plugin(light_venv, "validate", "--verify-assets", str(tmp_path / "hub"), home=home)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    hubs = hub_plugin(light_venv, "hub", "ls", home=home)
    assert hubs.returncode == 0 and "gitee.com/mindspore/hub" in hubs.stdout, hubs.stderr
    trusted = hub_plugin(light_venv, "trust", "ls", "--format", "json", home=home)
    assert trusted.returncode == 0 and json.loads(trusted.stdout)["entries"] == [], trusted.stderr


def test_validate_check_weights_reads_a_declared_list_without_mindspore(
    light_venv: LightVenv, asset_server: AssetServer, tmp_path: Path
) -> None:
    """issue 29: --check-weights reads the package's parameter list, never MindSpore; a card whose
    package declares none gets one warning line saying MindSpore would be needed."""
    from hub_plugin.checkpoints.reader import read_checkpoint

    payload = checkpoint_bytes(64)
    link = asset_server.add("/weights.ckpt", payload)
    front = (VALID_FRONT_MATTER.replace("<https://example.org/models/tiny.ckpt>", f"<{link}>")
             .replace(DIGEST, hashlib.sha256(payload).hexdigest()))
    (tmp_path / "w.ckpt").write_bytes(payload)
    tensors = read_checkpoint(tmp_path / "w.ckpt").tensors
    package = tmp_path / "packages" / "light"
    (package / "parameters").mkdir(parents=True)
    (package / "hubconf.py").write_text('def create_network(name):\n    return light()\n\n\n'
                                        'def light():\n    """light."""\n\n\n'
                                        'def other():\n    """other."""\n')
    (package / "package.yaml").write_text("parameters: parameters/{card}.json\n"
                                          "cards:\n  listed: {network: light}\n  bare: {network: other}\n")
    (package / "parameters" / "listed.json").write_text(json.dumps({"network": "light", "parameters": [
        {"name": t.name, "shape": list(t.shape), "dtype": t.dtype} for t in tensors]}))
    write_card(package, "listed", card_text(front))
    write_card(package, "bare", card_text(front))
    checked = hub_plugin(light_venv, "--registry", str(tmp_path / "packages"), "validate",
                         "--check-weights", "--format", "json", str(package), home=tmp_path / "home")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    files = {Path(f["path"]).name: f for f in json.loads(checked.stdout)["files"]}
    assert files["listed.md"]["warnings"] == [] and files["listed.md"]["errors"] == []
    (warning,) = files["bare.md"]["warnings"]
    assert warning["rule"] == "weights/unchecked" and "MindSpore is not installed" in warning["message"]


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["load", "simclr"], "hub-plugin load"),
        (["train", "simclr"], "hub-plugin train"),
        (["eval", "simclr"], "hub-plugin eval"),
        (["predict", "simclr"], "hub-plugin predict"),
        (["export", "simclr", "--format", "mindir"], "hub-plugin export --format mindir"),
    ],
    ids=lambda value: value[0] if isinstance(value, list) else "",
)
def test_model_commands_name_the_extra_in_one_line(
    light_venv: LightVenv, tmp_path: Path, argv: list[str], command: str
) -> None:
    result = hub_plugin(light_venv, *argv, home=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (f"hub-plugin: error: {command} needs MindSpore, which is not "
                             "installed: pip install 'hub-plugin[mindspore]'\n")


def test_the_python_api_raises_the_typed_error(light_venv: LightVenv) -> None:
    script = (
        "import hub_plugin\n"
        "from hub_plugin.core.extras import MissingDependency\n"
        "try:\n    hub_plugin.load('simclr')\n"
        "except MissingDependency as error:\n    print(error.install)\n"
    )
    result = subprocess.run([str(light_venv.bin / "python"), "-c", script], capture_output=True,
                            text=True, timeout=60)
    assert result.stdout.strip() == "pip install 'hub-plugin[mindspore]'", result.stderr


@pytest.mark.parametrize("command", ["train", "eval", "predict"])
def test_a_model_commands_help_needs_no_mindspore(
    light_venv: LightVenv, tmp_path: Path, command: str
) -> None:
    result = hub_plugin(light_venv, command, "simclr", "--help", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"hub-plugin {command} simclr" in result.stdout and "--backbone" in result.stdout


def test_env_works_without_mindspore(light_venv: LightVenv, tmp_path: Path) -> None:
    result = hub_plugin(light_venv, "env", "--format", "json", home=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["libraries"]["mindspore"] is None and report["libraries"]["rich"]


def test_publish_dry_runs_without_boto3_and_names_the_extra_to_upload(
    light_venv: LightVenv, tmp_path: Path
) -> None:
    from publish_setup import write_run

    assert "boto3" not in light_venv.installed()
    card, _ = write_run(tmp_path / "run")
    dry = hub_plugin(light_venv, "publish", str(card), "--upload", "s3://bucket/p", "--dry-run",
                     home=tmp_path)
    assert dry.returncode == 0 and "would upload" in dry.stdout, dry.stderr
    real = hub_plugin(light_venv, "publish", str(card), "--upload", "s3://bucket/p", home=tmp_path)
    assert real.returncode == 2 and real.stderr == (
        "hub-plugin: error: hub-plugin publish --upload needs boto3, which is not installed: "
        "pip install 'hub-plugin[publish]'\n")
