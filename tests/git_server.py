"""A real ``git daemon`` on 127.0.0.1 for the tests, over repositories the tests build, with a
byte-counting TCP proxy in front that can also stall (to kill a clone midway) or be stopped.

``GitServer.url(name)`` is ``git://127.0.0.1:<port>/<name>``; the daemon serves every bare
repository under its base folder with ``uploadpack.allowFilter`` (partial clones) and
``uploadpack.allowAnySHA1InWant`` (fetching a commit id: pinning).
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from ports import free_port


def git(*args: str, cwd: Path | None = None) -> str:
    """Run git for building test repositories; its stdout."""
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout.strip()


class WorkRepo:
    """A working repository the test writes files into and commits; ``publish`` pushes it to the
    server's base folder as a bare repository."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True)
        git("init", "-q", "-b", "master", str(path))
        git("config", "user.email", "tests@example.invalid", cwd=path)
        git("config", "user.name", "tests", cwd=path)

    def write(self, relative: str, text: str | bytes) -> Path:
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
        return target

    def commit(self, message: str) -> str:
        git("add", "-A", cwd=self.path)
        git("commit", "-q", "-m", message, cwd=self.path)
        return git("rev-parse", "HEAD", cwd=self.path)

    def head(self) -> str:
        return git("rev-parse", "HEAD", cwd=self.path)

    def branch(self, name: str) -> None:
        git("branch", "-f", name, cwd=self.path)


class ByteProxy:
    """A loopback TCP proxy that counts the bytes the server sends and can stall or refuse."""

    def __init__(self, upstream: int) -> None:
        self.upstream = upstream
        self.received = 0
        self.connections = 0
        self.stall_after: int | None = None
        self.released = threading.Event()
        self._lock = threading.Lock()
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.port: int = self._listener.getsockname()[1]
        self._closed = False
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, count: bool) -> None:
        """Copy one direction until its end, then pass the half-close on (the other direction
        may still be answering)."""
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if count:
                    with self._lock:
                        self.received += len(data)
                        over = self.stall_after is not None and self.received > self.stall_after
                    if over:
                        self.released.wait()
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)

    def _serve(self, client: socket.socket) -> None:
        try:
            server = socket.create_connection(("127.0.0.1", self.upstream))
        except OSError:
            client.close()
            return
        back = threading.Thread(target=self._pipe, args=(server, client, True), daemon=True)
        back.start()
        self._pipe(client, server, False)
        back.join()
        client.close()
        server.close()

    def close(self) -> None:
        """Stop accepting (waking the accepting thread: a socket closed under a blocked
        ``accept`` would keep listening) and let stalled transfers go."""
        self._closed = True
        self.released.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._acceptor.join(timeout=5)
        self._listener.close()


class GitServer:
    """``git daemon`` serving ``base`` on a free loopback port, behind a :class:`ByteProxy`."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.daemon_port = free_port()
        self.process = subprocess.Popen(
            ["git", "-c", "uploadpack.allowFilter=true", "-c", "uploadpack.allowAnySHA1InWant=true",
             "daemon", "--reuseaddr", f"--base-path={base}", "--export-all",
             "--enable=upload-pack", "--listen=127.0.0.1", f"--port={self.daemon_port}", str(base)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.daemon_port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("git daemon did not start")
        self.proxy = ByteProxy(self.daemon_port)

    @property
    def root(self) -> str:
        """``git://127.0.0.1:<port>/``: the prefix for mirrors."""
        return f"git://127.0.0.1:{self.proxy.port}/"

    def url(self, name: str) -> str:
        return self.root + name

    def publish(self, repo: WorkRepo, name: str) -> str:
        """Push every branch of ``repo`` to ``<base>/<name>`` (a bare repository); its URL."""
        bare = self.base / name
        if not bare.exists():
            bare.parent.mkdir(parents=True, exist_ok=True)
            git("init", "-q", "--bare", "-b", "master", str(bare))
        git("push", "-q", "--force", str(bare), "--all", cwd=repo.path)
        return self.url(name)

    def stop(self) -> None:
        self.proxy.close()
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def git_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GitServer]:
    """A git daemon on 127.0.0.1 over an empty base folder; stopped after the test."""
    server = GitServer(tmp_path_factory.mktemp("git-base"))
    try:
        yield server
    finally:
        server.stop()
