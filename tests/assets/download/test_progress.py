from __future__ import annotations

import io
import os

from asset_server import AssetServer

from hub_plugin.assets import AssetCache, HttpTransfer, fetch
from hub_plugin.assets.download.progress import RichProgress, SilentProgress, wants_progress_bar
from hub_plugin.registry.cards.manifest import Asset


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_only_on_a_terminal() -> None:
    assert not wants_progress_bar(io.StringIO())
    assert wants_progress_bar(_Terminal())


def test_a_bar_follows_a_download_with_a_restart(
    asset_server: AssetServer, cache: AssetCache, transfer: HttpTransfer
) -> None:
    import hashlib

    from asset_server import Fault

    content = os.urandom(300_000)
    url = asset_server.add("/w.ckpt", content, Fault(cut_after=100_000), Fault(ignore_range=True))
    stream = _Terminal()
    with RichProgress(stream) as bar:
        fetch(
            Asset(url, hashlib.sha256(content).hexdigest(), "ckpt"),
            cache=cache,
            transfer=transfer,
            progress=bar,
        )
    assert "w.ckpt" in stream.getvalue()


def test_silent_progress_does_nothing() -> None:
    progress = SilentProgress()
    progress.start("x", None)
    progress.advance(5)
    progress.reset()
    progress.finish()
