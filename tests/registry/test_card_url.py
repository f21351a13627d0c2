"""MindSpore Hub's card URLs (Gitee and GitHub, blob and raw) name their UID; others do not."""

from __future__ import annotations

import json

import pytest
from git_server import GitServer
from hub_repos import ZOO_PREFIX, build_hub

from hub_plugin.cli import main
from hub_plugin.errors import UsageError
from hub_plugin.registry.card_url import uid_from_card_url

PATH = "mshub_res/assets/mindspore/1.8/alexnet_cifar10.md"


@pytest.mark.parametrize("url", [
    f"https://gitee.com/mindspore/hub/blob/master/{PATH}",
    f"https://gitee.com/mindspore/hub/raw/master/{PATH}",
    f"https://github.com/mindspore-ai/hub/blob/master/{PATH}",
    f"https://github.com/mindspore-ai/hub/raw/r1.8/{PATH}",
    f"https://raw.githubusercontent.com/mindspore-ai/hub/master/{PATH}",
])
def test_card_urls_name_their_uid(url: str) -> None:
    assert uid_from_card_url(url) == "mindspore/1.8/alexnet_cifar10"


def test_a_four_part_uid_and_names_that_are_not_urls() -> None:
    four = "https://gitee.com/mindspore/hub/blob/master/mshub_res/assets/noah-cvlab/gpu/0.7/ghostnet.md"
    assert uid_from_card_url(four) == "noah-cvlab/gpu/0.7/ghostnet"
    for name in ("simclr", "mindspore/1.8/alexnet_cifar10", "https://example.org/hub/blob/x.md",
                 f"https://gitee.com/someone/hub/blob/master/{PATH}"):
        assert uid_from_card_url(name) is None


@pytest.mark.parametrize("url", [
    f"http://gitee.com/mindspore/hub/blob/master/{PATH}",  # not https
    f"https://gitee.com/mindspore/hub/blob/master/{PATH}?x=1",
    f"https://gitee.com/mindspore/hub/blob/master/{PATH}#top",
    f"https://gitee.com:8443/mindspore/hub/blob/master/{PATH}",
    "https://gitee.com/mindspore/hub/blob/master/mshub_res/assets/mindspore/1.8/alexnet.txt",
    "https://gitee.com/mindspore/hub/blob/master/mshub_res/images/mindspore/1.8/alexnet.md",
    "https://gitee.com/mindspore/hub/blob/master/mshub_res/assets/mindspore/../x/alexnet.md",
    "https://gitee.com/mindspore/hub/blob/master/mshub_res/assets/alexnet.md",
    "https://gitee.com/mindspore/hub/blob/master/mshub_res/assets/a/b/c/d/e.md",
    "https://gitee.com/mindspore/hub/blob/master/mshub_res/assets/mindspore/1.8/%2e%2e.md",
    "https://gitee.com/mindspore/hub/tree/master",
])
def test_a_hub_url_that_is_not_a_card_is_a_clear_error(url: str) -> None:
    with pytest.raises(UsageError, match="not a MindSpore Hub card URL"):
        uid_from_card_url(url)


def test_info_takes_a_card_url(
    git_server: GitServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    build_hub(git_server, big_bytes=1000)
    monkeypatch.setenv("HUB_PLUGIN_MIRROR", f"{ZOO_PREFIX}={git_server.root}")
    assert main(["info", f"https://gitee.com/mindspore/hub/blob/master/{PATH}", "--format",
                 "json"]) == 0
    assert json.loads(capsys.readouterr().out)["uid"] == "mindspore/1.8/alexnet_cifar10"
    assert main(["info", "https://gitee.com/mindspore/hub/tree/master"]) == 2
    assert "not a MindSpore Hub card URL" in capsys.readouterr().err
