"""Multipart uploads against moto's S3 server: parts in parallel, an interrupted upload resumed
(only the missing parts sent), an unfinished upload of other bytes left alone."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from publish_setup import write_run
from s3_server import S3Server

from hub_plugin.cli import main
from hub_plugin.publishing.multipart import MIN_PART_SIZE, part_size_for, split_parts, upload_multipart
from hub_plugin.publishing.object_store import ObjectStore, S3Location
from hub_plugin.publishing.publication import PublishOptions, publish

MiB = 1024 * 1024


class Interrupted(Exception):
    pass


def _stop_after(count: int):  # type: ignore[no-untyped-def]
    def check(done: int) -> None:
        if done >= count:
            raise Interrupted

    return check


def _store(server: S3Server, bucket: str) -> ObjectStore:
    return ObjectStore(S3Location.parse(f"s3://{bucket}/big"), endpoint_url=server.endpoint)


def _file(tmp_path: Path, size: int) -> tuple[Path, str]:
    path = tmp_path / "big.ckpt"
    path.write_bytes(os.urandom(size))
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


def test_part_sizes() -> None:
    assert part_size_for(100 * MiB) == 8 * MiB and part_size_for(1, 1) == MIN_PART_SIZE
    assert -(-200_000 * MiB // part_size_for(200_000 * MiB)) <= 10_000
    parts = split_parts(21 * MiB, 8 * MiB)
    assert [(p.number, p.offset, p.length) for p in parts] == [
        (1, 0, 8 * MiB), (2, 8 * MiB, 8 * MiB), (3, 16 * MiB, 5 * MiB)]


def test_an_interrupted_upload_resumes_sending_only_the_missing_parts(
    s3_server: S3Server, tmp_path: Path
) -> None:
    bucket = s3_server.bucket("multipart-resume")
    store = _store(s3_server, bucket)
    size = 4 * MIN_PART_SIZE + 12345
    path, digest = _file(tmp_path, size)
    with pytest.raises(Interrupted):
        upload_multipart(store, path, "big/big.ckpt", size=size, sha256=digest,
                         part_size=MIN_PART_SIZE, workers=1, after_part=_stop_after(2))
    assert store.stored("big/big.ckpt") is None  # unfinished: nothing at the key yet
    outcome = upload_multipart(store, path, "big/big.ckpt", size=size, sha256=digest,
                               part_size=MIN_PART_SIZE, workers=2)
    assert (outcome.parts, outcome.resumed) == (5, 2)
    assert outcome.sent == size - 2 * MIN_PART_SIZE
    stored = store.stored("big/big.ckpt")
    assert stored is not None and (stored.size, stored.sha256) == (size, digest)
    body = s3_server.client().get_object(Bucket=bucket, Key="big/big.ckpt")["Body"].read()
    assert body == path.read_bytes()
    assert not s3_server.client().list_multipart_uploads(Bucket=bucket).get("Uploads")


def test_an_unfinished_upload_of_other_bytes_is_not_resumed(s3_server: S3Server, tmp_path: Path) -> None:
    bucket = s3_server.bucket("multipart-other")
    store = _store(s3_server, bucket)
    size = 2 * MIN_PART_SIZE + 10
    path, digest = _file(tmp_path, size)
    with pytest.raises(Interrupted):
        upload_multipart(store, path, "big/big.ckpt", size=size, sha256=digest,
                         part_size=MIN_PART_SIZE, workers=1, after_part=_stop_after(1))
    path, digest = _file(tmp_path, size)  # the file changed since
    outcome = upload_multipart(store, path, "big/big.ckpt", size=size, sha256=digest,
                               part_size=MIN_PART_SIZE)
    assert outcome.resumed == 0 and outcome.sent == size
    body = s3_server.client().get_object(Bucket=bucket, Key="big/big.ckpt")["Body"].read()
    assert hashlib.sha256(body).hexdigest() == digest


def test_publish_interrupted_mid_upload_then_rerun_completes(
    s3_server: S3Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A publish stopped after its first part leaves no card change and an unfinished upload; the
    same command again resumes it, reads it back and completes the card."""
    bucket = s3_server.bucket("publish-resume")
    card, checkpoint = write_run(tmp_path / "run", size=3 * 8 * MiB + 1000)
    text = card.read_text()
    options = PublishOptions(upload=f"s3://{bucket}/models", endpoint_url=s3_server.endpoint)
    with pytest.raises(Interrupted):
        publish(card, options, say=lambda line: None, after_part=_stop_after(1))
    assert card.read_text() == text
    assert s3_server.client().list_multipart_uploads(Bucket=bucket).get("Uploads")
    args = ["publish", str(card), "--upload", f"s3://{bucket}/models", "--endpoint-url", s3_server.endpoint]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "resumed an unfinished upload: " in out and "of 4 parts were there already" in out
    assert "bytes sampled, as uploaded" in out
    digest = hashlib.sha256(checkpoint.read_bytes()).hexdigest()
    completed = card.read_text()
    assert f"asset-sha256: {digest}" in completed and f"/{bucket}/models/tiny.ckpt>" in completed
