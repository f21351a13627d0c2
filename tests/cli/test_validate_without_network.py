"""``validate --check-links``/``--verify-assets`` and ``download`` on a machine with no network, for
real: a network namespace holding only loopback (``unshare -n``, as root). The run stops at once
with one line and exit 2; no card is called invalid because the runner had no network (issue 28,
item 3: 82 of 82 cards were "dead" after 3 min 22 s). Loopback servers keep working in there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from card_samples import card_text, write_card
from locations import REPO

UNSHARE = shutil.which("unshare")
IP = shutil.which("ip")


def _namespaces_work() -> bool:
    if UNSHARE is None or IP is None:
        return False
    try:
        return subprocess.run([UNSHARE, "-n", IP, "link", "set", "lo", "up"], capture_output=True,
                              timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


pytestmark = pytest.mark.skipif(not _namespaces_work(),
                                reason="needs unshare -n (root or user namespaces) and ip")


def offline_run(script: str, home: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """``script`` (sh) in a fresh network namespace whose only interface, loopback, is up."""
    env = {**{k: v for k, v in os.environ.items() if "proxy" not in k.lower()},
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
           "HUB_PLUGIN_HOME": str(home), "PY": sys.executable}
    started = time.monotonic()
    done = subprocess.run([str(UNSHARE), "-n", "sh", "-c", f'"{IP}" link set lo up && {script}'],
                          env=env, capture_output=True, text=True, timeout=120)
    return done, time.monotonic() - started


@pytest.fixture
def cards(tmp_path: Path) -> Path:
    for index in range(12):  # remote links: example.org never answers in there
        write_card(tmp_path / "cards", f"card{index}", card_text())
    return tmp_path / "cards"


@pytest.mark.parametrize("check", ["--check-links", "--verify-assets"])
def test_no_network_is_one_line_and_exit_2_at_once(cards: Path, tmp_path: Path, check: str) -> None:
    done, seconds = offline_run(f'"$PY" -m hub_plugin validate {check} "{cards}"', tmp_path / "home")
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("hub-plugin: error: no network access: ")
    assert "https://example.org/models/tiny" in line
    assert seconds < 10


def test_download_says_the_same(cards: Path, tmp_path: Path) -> None:
    done, seconds = offline_run(f'"$PY" -m hub_plugin --registry "{cards}" download card3',
                                tmp_path / "home")
    assert done.returncode == 2, done.stdout + done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("hub-plugin: error: no network access: ")
    assert seconds < 10


LOOPBACK_CHECK = """
import sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
sys.path.insert(0, "{tests}")
from card_samples import VALID_FRONT_MATTER, card_text, write_card
from hub_plugin.cli import main

class Handler(BaseHTTPRequestHandler):
    def do_HEAD(self):
        self.send_response(200 if self.path != "/gone" else 404)
        self.send_header("Content-Length", "15")
        self.end_headers()
    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{{server.server_port}}"
front = (VALID_FRONT_MATTER.replace("https://example.org/models/tiny.ckpt", base + "/tiny.ckpt")
         .replace("https://example.org/models/tiny", base + "/gone"))
write_card(Path("{folder}"), "local", card_text(front))
sys.exit(main(["validate", "--check-links", "--tries", "1", "{folder}"]))
"""


def test_loopback_servers_keep_working_without_network(tmp_path: Path) -> None:
    script = tmp_path / "check.py"
    script.write_text(LOOPBACK_CHECK.format(tests=REPO / "tests", folder=tmp_path / "local"))
    done, _ = offline_run(f'"$PY" "{script}"', tmp_path / "home")
    assert done.returncode == 1, done.stdout + done.stderr  # a verdict, not "no network"
    assert "link/dead: 'repo-link' is dead: HTTP 404" in done.stdout
    assert "1 file checked (strict): 0 valid, 1 invalid" in done.stdout
