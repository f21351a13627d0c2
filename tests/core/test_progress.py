from __future__ import annotations

import io
import os

from asset_server import AssetServer

from hub_plugin.cache.asset_cache import AssetCache
from hub_plugin.cards.manifest import Asset
from hub_plugin.core.progress import RichProgress, SilentProgress, wants_progress_bar
from hub_plugin.downloads.fetch import fetch
from hub_plugin.downloads.transfer import HttpTransfer


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


def test_an_activity_draws_on_a_terminal_only() -> None:
    from hub_plugin.core.progress import Activity

    terminal = _Terminal()
    with Activity("syncing the hub", total=3, stream=terminal) as activity:
        activity.advance()
        activity.phase("indexing cards")
        activity.advance(2)
        activity._bar.refresh()
    drawn = terminal.getvalue()
    assert "indexing cards" in drawn and "3/3" in drawn
    piped = io.StringIO()
    with Activity("syncing the hub", total=3, stream=piped) as activity:
        activity.advance(3)
    assert piped.getvalue() == ""  # nothing extra in CI logs


def test_a_download_bar_pauses_the_activity_around_it() -> None:
    from hub_plugin.core.progress import Activity

    terminal = _Terminal()
    with Activity("exporting", total=2, stream=terminal) as activity, RichProgress(terminal) as bar:
        activity.advance()
        bar.start("weights.ckpt", 10)
        assert activity._paused  # one display at a time
        bar.advance(10)
        bar.finish()
        assert not activity._paused
        activity.advance()
        activity._bar.refresh()
    assert "weights.ckpt" in terminal.getvalue() and "2/2" in terminal.getvalue()


def test_descriptions_are_shown_as_data_on_a_terminal() -> None:
    """Issue 27, hole 4 for progress: a card or hub name in a description neither sets the
    window title nor becomes markup (an unclosed ``[/]`` would end the command in an error)."""
    from hub_plugin.core.progress import Activity

    terminal = _Terminal()
    with Activity("hub \x1b]0;pwned\x07[/] [link=https://evil.example]x", stream=terminal) as activity:
        activity.phase("zoo \x1b[2J[/]")
        activity._bar.refresh()
    with RichProgress(terminal) as bar:
        bar.start("\x1b]0;w\x07[/].ckpt", 10)
        bar.advance(10)
        bar.finish()
    drawn = terminal.getvalue()
    assert "\x1b]0;" not in drawn and "\x1b[2J" not in drawn and "\x07" not in drawn
    assert "zoo \\x1b[2J[/]" in drawn and "\\x1b]0;w\\x07[/].ckpt" in drawn


def test_off_a_terminal_long_phases_are_lines_and_short_ones_nothing(monkeypatch) -> None:
    """Issue 28 item 6: in a pipe, an Activity with ``lines`` says when a phase has run for
    ``LINE_AFTER`` seconds and when it ends, with its time and counts; a quick phase (a mistake's
    one line) prints nothing; without ``lines`` nothing at all, as before."""
    import re
    import time

    from hub_plugin.core.progress import Activity

    monkeypatch.setattr(Activity, "LINE_AFTER", 0.05)
    monkeypatch.setattr(Activity, "LINE_EVERY", 0.0)
    stream = io.StringIO()
    with Activity("export of x: building the network", lines=True, stream=stream) as shown:
        time.sleep(0.2)
        shown.phase("export of x: round trip on 2 image(s)")  # quick: no line of its own
        shown.phase("features of the 4 test images")
        time.sleep(0.2)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "hub-plugin: export of x: building the network ..."
    assert re.fullmatch(r"hub-plugin: export of x: building the network: done in 0\.\d s", lines[1])
    assert lines[2] == "hub-plugin: features of the 4 test images ..."
    assert re.fullmatch(r"hub-plugin: features of the 4 test images: done in 0\.\d s", lines[3])
    assert len(lines) == 4

    counted = io.StringIO()
    with Activity("linear classifier: epoch", total=3, lines=True, stream=counted) as shown:
        time.sleep(0.2)
        for _ in range(3):
            shown.advance()
    assert "hub-plugin: linear classifier: epoch (1 of 3)" in counted.getvalue().splitlines()
    assert counted.getvalue().splitlines()[-1].endswith(" s (3 of 3)")

    quiet, failing = io.StringIO(), io.StringIO()
    with Activity("quick", lines=True, stream=quiet):
        pass
    try:
        with Activity("slow", stream=failing):
            time.sleep(0.1)
            raise ValueError
    except ValueError:
        pass
    assert quiet.getvalue() == failing.getvalue() == ""
