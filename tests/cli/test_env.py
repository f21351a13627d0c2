"""``hub-plugin env``: versions, devices, folders, hubs, trust and settings, without MindSpore."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from git_server import GitServer
from hub_repos import build_hub

from hub_plugin.cli import main

REPOSITORY = Path(__file__).resolve().parents[2]


def test_env_reports_versions_folders_hubs_trust_and_settings(
    git_server: GitServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    hub = build_hub(git_server, big_bytes=1000)
    assert main(["hub", "add", "test", git_server.url("hub.git"), "--path", "mshub_res/assets"]) == 0
    assert main(["hub", "update", "test"]) == 0
    assert main(["trust", "add", "https://example.org/zoo", "--commit", "a" * 40]) == 0
    monkeypatch.setenv("HUB_PLUGIN_MIRROR", "https://gitee.com/mindspore/=https://example.org/")
    monkeypatch.setenv("HTTPS_PROXY", "http://me:secret@proxy.example:3128")
    capsys.readouterr()
    assert main(["env", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["libraries"]["numpy"] == metadata.version("numpy")
    assert report["libraries"]["mindspore"] == metadata.version("mindspore")
    assert report["devices"]["cpu"] == "present" and set(report["devices"]) == {"cpu", "gpu", "ascend"}
    cache = report["folders"]["cache"]
    assert cache["path"] == os.environ["HUB_PLUGIN_HOME"] and cache["by kind"]["hub snapshots"] > 0
    assert report["folders"]["config"]["path"] == os.environ["HUB_PLUGIN_CONFIG"]
    hubs = {h["name"]: h for h in report["hubs"]}
    assert hubs["test"]["commit"] == hub.second and hubs["mindspore"]["commit"] is None
    assert report["trust store"]["repositories"] == 1
    assert report["settings"]["HUB_PLUGIN_MIRROR"].startswith("https://gitee.com/mindspore/=")
    assert report["proxies"]["HTTPS_PROXY"] == "http://***@proxy.example:3128"  # the user too (hole 8)
    assert main(["env"]) == 0
    text = capsys.readouterr().out
    assert f"hub test: {git_server.url('hub.git')} master, at {hub.second}" in text
    assert "secret" not in text and f"mindspore: {metadata.version('mindspore')}" in text


def test_env_never_imports_mindspore() -> None:
    script = ("import sys\nfrom hub_plugin.cli import main\nassert main(['env']) == 0\n"
              "assert 'mindspore' not in sys.modules, 'env imported MindSpore'\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=REPOSITORY, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "GLOG_v" not in done.stdout  # the level hub-plugin sets itself is not the person's


def test_passwords_in_proxy_urls_are_hidden() -> None:
    from hub_plugin.core.console import redact

    assert redact("http://u:p@h:8080,localhost") == "http://***@h:8080,localhost"
    assert redact("http://h:8080") == "http://h:8080"


def test_env_and_error_lines_never_print_credentials(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 27, hole 8: ``env`` (made to be pasted into public bug reports) and error lines
    redact passwords and tokens: in mirrors, hub URLs, proxies with or without a scheme, a token
    given as a URL's user name, and the ``git fetch of ...`` of a failed hub sync."""
    monkeypatch.setenv("HUB_PLUGIN_MIRROR",
                       "https://gitee.com/mindspore/=https://mirror:MIRRORPASS@mirror.example/")
    monkeypatch.setenv("HTTPS_PROXY", "proxyuser:PROXYPASS@proxy.example:3128")
    monkeypatch.setenv("ALL_PROXY", "socks5://ghp_PROXYTOKEN@proxy.example:1080")
    assert main(["hub", "add", "private", "https://deploy:HUBSECRET@127.0.0.1:9/hub.git"]) == 0
    assert main(["hub", "add", "tokened", "https://ghp_HUBTOKEN@127.0.0.1:9/hub.git"]) == 0
    for arguments in (["env"], ["env", "--format", "json"], ["hub", "ls"]):
        assert main(arguments) == 0
    assert main(["hub", "update", "private"]) == 1  # nothing listens on port 9
    assert main(["list", "--hub", "tokened"]) == 1
    captured = capsys.readouterr()
    text = captured.out + captured.err
    for secret in ("MIRRORPASS", "PROXYPASS", "proxyuser", "PROXYTOKEN", "HUBSECRET", "HUBTOKEN"):
        assert secret not in text, secret
    assert "hub-plugin: error: git fetch of https://***@127.0.0.1:9/hub.git" in captured.err
    assert "HTTPS_PROXY: ***@proxy.example:3128" in captured.out
    assert "https://***@mirror.example/" in captured.out
