from __future__ import annotations

import pytest

from hub_plugin.downloads.mirrors import MirrorMap
from hub_plugin.errors import LinkRefused


def test_longest_prefix_wins() -> None:
    mirrors = MirrorMap.parse(
        "https://download.mindspore.cn/=http://127.0.0.1:8000/,"
        " https://download.mindspore.cn/models/r1.8/=file:///srv/ckpt/ "
    )
    assert mirrors.apply("https://download.mindspore.cn/models/r1.8/a.ckpt") == ("file:///srv/ckpt/a.ckpt")
    assert mirrors.apply("https://download.mindspore.cn/models/r2.0/b.ckpt") == (
        "http://127.0.0.1:8000/models/r2.0/b.ckpt"
    )
    assert mirrors.apply("https://example.org/c.ckpt") == "https://example.org/c.ckpt"


def test_environment_and_empty() -> None:
    assert not MirrorMap.from_environment({})
    assert not MirrorMap.parse(" , ")
    env = {"HUB_PLUGIN_MIRROR": "https://a/=https://b/"}
    assert MirrorMap.from_environment(env).apply("https://a/x") == "https://b/x"


@pytest.mark.parametrize("text", ["https://a/", "=https://b/", "https://a/="])
def test_malformed_pairs_are_refused(text: str) -> None:
    with pytest.raises(LinkRefused, match="PREFIX=REPLACEMENT"):
        MirrorMap.parse(text)
