"""Benchmark: the hub client's two costs, against their peers, over generated repositories.

Method (all in a temporary folder; git served by a real ``git daemon`` on 127.0.0.1 behind a
byte-counting TCP proxy, the test suite's ``tests/git_server.py``):

* ``zoo``: a model zoo of realistic shape: --folders model folders (``official/cv/m<i>``, each
  with ``mindspore_hub_conf.py``, a ``src`` package of five modules, a README and --mib MiB in all
  of random, incompressible "weights" spread over the folders), committed, then a second commit
  touching a tenth of the folders (a little history). Measured: the first load of one folder's
  code, hub-plugin's way (``ZooCache.folder``: shallow, partial, sparse, into an empty cache),
  against ``git clone`` (MindSpore Hub fetches the whole repository) and ``git clone --depth 1``:
  bytes the server sent and wall seconds.
* ``hub``: a hub of --cards cards (``mshub_res/assets/mindspore/<version>/<stem>.md``, real card
  text, 8 versions) next to 20 MiB of other files. Measured: ``hub update`` (the sparse sync, the
  index, the switch) and ``list --hub`` (in-process, the index read and the columns written; and a
  whole ``hub-plugin list --hub`` process), against the peer a listing without an index would be:
  reading and validating every card.

Goal (issue 11): under 5% of a full clone's bytes for one folder; ``list --hub`` well under a
second for 3,000 cards.

Run: ``.venv/bin/python bench/bench_hub.py [--folders 200] [--mib 100] [--cards 3000]``
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from git_server import GitServer, WorkRepo
from hub_repos import hub_card

from hub_plugin.cards.repo_link import parse_repo_link
from hub_plugin.downloads.mirrors import MirrorMap
from hub_plugin.git.transport import GitTransport
from hub_plugin.hubs.store import HubSpec, HubStore
from hub_plugin.hubs.sync import sync_hub
from hub_plugin.validation.validator import validate_file
from hub_plugin.zoo.checkout import ZooCache

SRC = "import mindspore.nn as nn\n\n\nclass Block(nn.Cell):\n    pass\n" + "# padding\n" * 40


def make_zoo(server: GitServer, work: Path, folders: int, mib: int) -> None:
    repo = WorkRepo(work / "zoo")
    per_folder = mib * 1024 * 1024 // folders
    for index in range(folders):
        base = f"official/cv/m{index:03d}"
        repo.write(f"{base}/mindspore_hub_conf.py", "from src.net import Net\n\n"
                   "def create_network(name, *args, **kwargs):\n    return Net(*args, **kwargs)\n")
        for module in ("__init__", "net", "config", "dataset", "loss"):
            repo.write(f"{base}/src/{module}.py", SRC)
        repo.write(f"{base}/README.md", f"# m{index}\n" + "Some words about the model.\n" * 50)
        repo.write(f"{base}/weights/part0.bin", os.urandom(per_folder // 2))
        repo.write(f"{base}/weights/part1.bin", os.urandom(per_folder - per_folder // 2))
    repo.commit("the zoo")
    for index in range(0, folders, 10):
        repo.write(f"official/cv/m{index:03d}/weights/part0.bin", os.urandom(per_folder // 2))
    repo.commit("retrained a tenth")
    repo.branch("r1.8")
    server.publish(repo, "models.git")


def measure(server: GitServer, action: object) -> tuple[int, float]:
    before = server.proxy.received
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return server.proxy.received - before, time.perf_counter() - started


def bench_zoo(server: GitServer, work: Path, folders: int, mib: int) -> None:
    started = time.perf_counter()
    make_zoo(server, work, folders, mib)
    print(f"zoo: {folders} model folders, {mib} MiB of random weights, 2 commits "
          f"(generated in {time.perf_counter() - started:.1f} s)")
    transport = GitTransport(MirrorMap.parse(f"https://gitee.com/mindspore/={server.root}"))
    link = parse_repo_link(f"https://gitee.com/mindspore/models/tree/r1.8/official/cv/m{folders // 2:03d}")
    rows = [
        ("hub-plugin: one folder (shallow, partial, sparse)",
         measure(server, lambda: ZooCache(work / "home").folder(link, transport))),
        ("git clone (whole repository, MindSpore Hub's way)",
         measure(server, lambda: subprocess.run(
             ["git", "clone", "-q", server.url("models.git"), str(work / "full")], check=True))),
        ("git clone --depth 1",
         measure(server, lambda: subprocess.run(
             ["git", "clone", "-q", "--depth", "1", server.url("models.git"), str(work / "shallow")],
             check=True))),
    ]
    full = rows[1][1][0]
    print(f"{'method':52} {'bytes received':>16} {'of full':>8} {'seconds':>8}")
    for name, (received, seconds) in rows:
        print(f"{name:52} {received:>16,} {100 * received / full:>7.2f}% {seconds:>8.2f}")


def make_hub(server: GitServer, work: Path, cards: int) -> None:
    repo = WorkRepo(work / "hub")
    repo.write("mshub_res/images/site.bin", os.urandom(20 * 1024 * 1024))
    versions = ["1.3", "1.5", "1.6", "1.7", "1.8", "1.9", "1.10", "2.0"]
    for index in range(cards):
        version = versions[index % len(versions)]
        model = f"net{index:04d}"
        repo.write(f"mshub_res/assets/mindspore/{version}/{model}_imagenet2012.md",
                   hub_card(model, summary=f"{model} is used for cv, variant {index % 17}"))
    repo.commit("cards")
    server.publish(repo, "hub.git")


def bench_hub(server: GitServer, work: Path, cards: int) -> None:
    make_hub(server, work, cards)
    home = work / "hub-home"
    store = HubStore(home)
    spec = HubSpec("bench", server.url("hub.git"), "master", "mshub_res/assets")
    store.add(spec)
    received, seconds = measure(server, lambda: sync_hub(store, spec, GitTransport()))
    print(f"\nhub: {cards} cards in 8 versions beside 20 MiB of other files")
    print(f"{'step':60} {'seconds':>8}")
    print(f"{'hub update (sparse sync + index of every card + switch)':60} {seconds:>8.2f}"
          f"   ({received:,} bytes received)")
    from hub_plugin.cli import main

    env = {**os.environ, "HUB_PLUGIN_HOME": str(home)}
    os.environ["HUB_PLUGIN_HOME"] = str(home)
    for label, args in (("list --hub bench (in-process: index + columns)", ["list", "--hub", "bench"]),
                        ("list --hub bench --version 1.8 --filter 'variant 3'",
                         ["list", "--hub", "bench", "--version", "1.8", "--filter", "variant 3"])):
        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                main(args)
            best = min(best, time.perf_counter() - started)
        print(f"{label:60} {best:>8.3f}")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "hub_plugin", "list", "--hub", "bench"], env=env,
                   check=True, stdout=subprocess.DEVNULL)
    print(f"{'hub-plugin list --hub bench (a whole process)':60} {time.perf_counter() - started:>8.3f}")
    snapshot = store.snapshot("bench")
    assert snapshot is not None
    started = time.perf_counter()
    for path in sorted(snapshot.cards.rglob("*.md")):
        validate_file(path, "mindspore-hub")
    print(f"{'peer: read and validate every card at listing time':60} "
          f"{time.perf_counter() - started:>8.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folders", type=int, default=200)
    parser.add_argument("--mib", type=int, default=100)
    parser.add_argument("--cards", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-hub-") as temporary:
        work = Path(temporary)
        base = work / "served"
        base.mkdir()
        server = GitServer(base)
        try:
            bench_zoo(server, work, args.folders, args.mib)
            bench_hub(server, work, args.cards)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
