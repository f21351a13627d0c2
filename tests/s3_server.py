"""A real S3 endpoint on 127.0.0.1 for the tests: moto's server mode (``moto[server]``), in its
own process, on a free port.

``s3_server`` (one per test session) accepts any credentials, as a bucket you own would;
``strict_s3_server`` (one per test) is started with ``INITIAL_NO_AUTH_ACTION_COUNT=0``, so that moto
checks every request's credentials against its IAM and refuses made-up ones, as AWS does. Both
fixtures set fake credentials in the environment (boto3's usual chain) and point nothing at a
developer's ``~/.aws``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from ports import free_port


@dataclass
class S3Server:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self) -> Any:
        import boto3

        return boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id="testing", aws_secret_access_key="testing",
        )

    def bucket(self, name: str, *, public: bool = True) -> str:
        """Create the bucket ``name``, its objects readable by anyone (a bucket policy) unless
        ``public`` is False; its name."""
        client = self.client()
        client.create_bucket(Bucket=name)
        if public:
            client.put_bucket_policy(Bucket=name, Policy=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                               "Resource": f"arn:aws:s3:::{name}/*"}],
            }))
        return name

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def start_s3_server(**environment: str) -> S3Server:
    port = free_port()
    env = {**os.environ, **environment}
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return S3Server(process, port)
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("moto's S3 server did not start")


def _fake_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    empty = tmp_path_factory.mktemp("aws")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture(scope="session")
def _shared_s3_server() -> Iterator[S3Server]:
    server = start_s3_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_server(_shared_s3_server: S3Server, monkeypatch: pytest.MonkeyPatch,
              tmp_path_factory: pytest.TempPathFactory) -> S3Server:
    """The session's S3 server (make a bucket of your own with ``bucket``), fake credentials set."""
    _fake_credentials(monkeypatch, tmp_path_factory)
    return _shared_s3_server


@pytest.fixture
def strict_s3_server(monkeypatch: pytest.MonkeyPatch,
                     tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """An S3 server that checks credentials (none it knows of: every request is refused)."""
    _fake_credentials(monkeypatch, tmp_path_factory)
    server = start_s3_server(INITIAL_NO_AUTH_ACTION_COUNT="0")
    try:
        yield server
    finally:
        server.stop()
