"""A host that cannot be reached fails at once (one try), and every command that downloads names
the ways forward: --offline, a mirror, and --no-pretrained where it applies."""

from __future__ import annotations

import pytest
from card_samples import VALID_FRONT_MATTER, card_text, write_card

from hub_plugin.cli import main

UNRESOLVABLE = "https://assets.hub-plugin.invalid/tiny.ckpt"  # RFC 2606: never resolves


@pytest.fixture
def registry(tmp_path):  # type: ignore[no-untyped-def]
    front = VALID_FRONT_MATTER.replace("<https://example.org/models/tiny.ckpt>", f"<{UNRESOLVABLE}>")
    write_card(tmp_path / "hub", "unreachable", card_text(front))
    return tmp_path / "hub"


def test_download_fails_at_once_naming_the_ways_forward(registry, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--registry", str(registry), "download", "unreachable"]) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "host not found" in line and "tries" not in line  # one try, no retries
    assert "--offline" in line and "HUB_PLUGIN_MIRROR" in line
