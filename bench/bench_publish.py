"""Upload throughput: hub-plugin's resumable multipart upload against boto3's own ``upload_file``.

    .venv/bin/python bench/bench_publish.py [--size-mib 256] [--rounds 5]

Starts moto's S3 server (``moto[server]``, the dev extra) on a free loopback port, writes a file of
random bytes under /tmp (deleted afterwards) and uploads it, alternating, to the same endpoint and
bucket, a new key each time:

- ``boto3 upload_file``: s3transfer with its defaults (8 MiB parts, 10 threads): the peer;
- ``upload_multipart``: what ``hub-plugin publish`` runs for a large file (8 MiB parts, 10
  threads, the sha256 in the object's metadata, unfinished uploads looked up first to resume);
- ``publish's upload, hashing included``: the same after ``hash_file`` (publish hashes every file
  once, for the card, before it uploads).

Both clients use the same botocore configuration (checksums on, as botocore's default). Best of
``--rounds`` for each (the machine is shared). The goal is upload_multipart >= 0.9 of upload_file.
Moto is a Python server: on a small machine it, not the clients, sets the pace, and it shares the
cores with them, so the figures are a comparison, not the speed of a real store.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from s3_server import start_s3_server

from hub_plugin.core.hashing import hash_file
from hub_plugin.publishing.multipart import upload_multipart
from hub_plugin.publishing.object_store import ObjectStore, S3Location

MIB = 1 << 20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                      AWS_DEFAULT_REGION="us-east-1", NO_PROXY="127.0.0.1")
    server = start_s3_server()
    try:
        store = ObjectStore(S3Location("bench-bucket", "b"), endpoint_url=server.endpoint)
        client = store.client  # one botocore configuration for both
        client.create_bucket(Bucket="bench-bucket")
        with tempfile.TemporaryDirectory(prefix="hub-plugin-bench-", dir="/tmp") as folder:
            path = Path(folder) / "model.ckpt"
            with open(path, "wb") as out:
                for _ in range(args.size_mib):
                    out.write(os.urandom(MIB))
            size = path.stat().st_size
            digest = hash_file(path).sha256
            counter = iter(range(1_000_000))

            def boto3_upload_file() -> None:
                client.upload_file(str(path), "bench-bucket", f"b/peer-{next(counter)}")

            def ours() -> None:
                upload_multipart(store, path, f"b/ours-{next(counter)}", size=size, sha256=digest)

            def ours_hashing() -> None:
                upload_multipart(store, path, f"b/hashed-{next(counter)}", size=size,
                                 sha256=hash_file(path).sha256)

            methods: list[tuple[str, Callable[[], None]]] = [
                ("boto3 upload_file", boto3_upload_file),
                ("upload_multipart", ours),
                ("publish's upload, hashing included", ours_hashing),
            ]
            best = {name: float("inf") for name, _ in methods}
            for round_number in range(args.rounds):
                order = methods[round_number % len(methods):] + methods[:round_number % len(methods)]
                for name, method in order:
                    start = time.perf_counter()
                    method()
                    best[name] = min(best[name], time.perf_counter() - start)
                    for listed in client.list_objects_v2(Bucket="bench-bucket").get("Contents", []):
                        client.delete_object(Bucket="bench-bucket", Key=listed["Key"])
    finally:
        server.stop()
    print(f"file: {size / MIB:.0f} MiB, best of {args.rounds}, moto server {server.endpoint}, "
          f"load average {os.getloadavg()[0]:.2f}")
    peer = size / best["boto3 upload_file"] / MIB
    for name, _ in methods:
        rate = size / best[name] / MIB
        print(f"{name:40s} {best[name]:7.2f} s {rate:8.1f} MiB/s  {rate / peer:5.2f}x of upload_file")
    return 0


if __name__ == "__main__":
    if "--help" not in sys.argv and subprocess.run([sys.executable, "-c", "import moto.server"],
                                                    capture_output=True).returncode != 0:
        sys.exit("bench_publish needs moto[server] (pip install -e '.[dev]')")
    sys.exit(main())
