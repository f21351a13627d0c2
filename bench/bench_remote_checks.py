"""Benchmark: ``validate --check-links`` and ``--verify-assets`` over 500 cards, concurrent against
one request at a time.

Method: 500 cards (each one asset of 4 KiB and a repo-link) served by a loopback server (the
tests' ``AssetServer``, threaded, HTTP/1.1 keep-alive, answering HEAD) that waits 20 ms before
every answer, as a distant server would; for ``--check-links`` also with the repo-links on a
second loopback host (127.0.0.2), as real cards have them on another host than their assets.
Each row is ``hub-plugin validate`` as a fresh process (start-up included), wall clock: first
with ``--jobs 1 --per-host 1`` (one request at a time: the peer), then with the defaults (8 in
all, 8 per host); over two hosts also with ``--jobs 16``, where the per-host limit (8) binds.
``--verify-assets`` starts from an empty cache (``HUB_PLUGIN_HOME`` a new folder) and is run a
second time over the filled cache. The
server counts the requests it was answering at once; the largest count is printed beside each
row, against the per-host limit.

Goal (issue 10): at least 5x faster than sequential, never more than the per-host limit at once.

Run: ``.venv/bin/python bench/bench_remote_checks.py [--cards 500] [--latency 0.02]``
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from asset_server import AssetServer  # noqa: E402  (the tests' loopback server)
from card_samples import DIGEST, VALID_FRONT_MATTER, card_text  # noqa: E402


def make_cards(assets: AssetServer, repos: AssetServer, folder: Path, count: int) -> None:
    for index in range(count):
        payload = os.urandom(4096)
        link = assets.add(f"/{folder.name}/models/card{index}.ckpt", payload)
        repo = repos.add(f"/{folder.name}/repo/card{index}", b"<html>")
        front = (VALID_FRONT_MATTER
                 .replace("<https://example.org/models/tiny.ckpt>", f"<{link}>")
                 .replace("<https://example.org/models/tiny>", f"<{repo}>")
                 .replace(DIGEST, hashlib.sha256(payload).hexdigest()))
        (folder / f"card{index:04d}.md").write_text(card_text(front), encoding="utf-8")


def timed(
    servers: list[AssetServer], command: list[str], env: dict[str, str]
) -> tuple[float, int, list[int]]:
    """Seconds, requests the servers answered, and the most each answered at once."""
    before = 0
    for server in servers:
        server.peak = 0
        before += len(server.log)
    started = time.perf_counter()
    result = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed: {result.stderr.strip()[-500:]}")
    return seconds, sum(len(s.log) for s in servers) - before, [s.peak for s in servers]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.02, help="seconds before every answer")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-remote-checks-"))
    download = AssetServer(head=True, latency=args.latency)
    code = AssetServer(host="127.0.0.2", head=True, latency=args.latency)
    for server in (download, code):
        server.start()
    env = {**os.environ, "NO_PROXY": "127.0.0.1,127.0.0.2,localhost"}
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        env.pop(name, None)
    one_at_a_time = ["--jobs", "1", "--per-host", "1"]
    try:
        one_host, two_hosts = work / "one-host", work / "two-hosts"
        one_host.mkdir()
        two_hosts.mkdir()
        make_cards(download, download, one_host, args.cards)
        make_cards(download, code, two_hosts, args.cards)
        print(f"{args.cards} cards, {args.latency * 1000:.0f} ms before every answer; "
              f"os.cpu_count() = {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
        print("one host: asset-links and repo-links on 127.0.0.1; two hosts: repo-links on 127.0.0.2 "
              "(as real cards: download.mindspore.cn and gitee.com)")
        print(f"{'check':<40} {'mode':<24} {'seconds':>8} {'requests':>9} {'most at once per host':>22}")
        ratios = []
        peaks: list[int] = []
        plan = [
            ("--check-links, one host", one_host, ["--check-links"], False),
            ("--check-links, two hosts", two_hosts, ["--check-links"], False),
            ("--verify-assets, empty cache", one_host, ["--verify-assets"], True),
        ]
        concurrent = "concurrent, 8 / 8 per host"
        for label, folder, flags, again in plan:
            times = []
            for mode, extra in (("one request at a time", one_at_a_time), (concurrent, [])):
                home = work / f"home-{label}-{len(times)}".replace(" ", "_").replace(",", "")
                run_env = {**env, "HUB_PLUGIN_HOME": str(home)}
                command = [sys.executable, "-m", "hub_plugin", "validate", *flags, *extra, str(folder)]
                seconds, requests, peak = timed([download, code], command, run_env)
                times.append(seconds)
                peaks.extend(peak)
                print(f"{label:<40} {mode:<24} {seconds:>8.2f} {requests:>9} {peak!s:>22}")
                if again and not extra:
                    seconds, requests, peak = timed([download, code], command, run_env)
                    print(f"{'--verify-assets, filled cache':<40} {mode:<24} {seconds:>8.2f} "
                          f"{requests:>9} {peak!s:>22}")
            ratios.append((label, times[0] / times[1]))
            if folder is two_hosts:
                command = [sys.executable, "-m", "hub_plugin", "validate", *flags, "--jobs", "16",
                           str(folder)]
                seconds, requests, peak = timed([download, code], command, env)
                peaks.extend(peak)
                print(f"{label:<40} {'--jobs 16, 8 per host':<24} {seconds:>8.2f} {requests:>9} {peak!s:>22}")
        for label, ratio in ratios:
            print(f"{label}: {ratio:.1f}x faster concurrent than one request at a time (goal >= 5x)")
        print(f"most requests one server answered at once: {max(peaks)} (per-host limit 8)")
    finally:
        for server in (download, code):
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
