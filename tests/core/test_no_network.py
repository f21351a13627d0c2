"""What "no network" is (:func:`hub_plugin.core.http.network_missing`): the machine's failure, told
apart from one host's. A resolver that does not answer or no route out, with the machine agreeing,
is :class:`~hub_plugin.errors.NoNetworkAccess` (exit 2) and stops ``validate --check-links`` at its
first request; a name that does not exist (``.invalid``), or one host without a route among hosts
that answer, stays a dead link (issue 28, item 3)."""

from __future__ import annotations

import errno
import socket
from pathlib import Path

import pytest
import requests
import urllib3
from asset_server import AssetServer
from card_samples import DIGEST, VALID_FRONT_MATTER, card_text, write_card

import hub_plugin.core.http as http
from hub_plugin.cli import main
from hub_plugin.core.http import network_missing
from hub_plugin.errors import NoNetworkAccess
from hub_plugin.validation.host_pool import HostPool, Job


def wrapped(cause: OSError) -> requests.ConnectionError:
    """``cause`` nested as requests and urllib3 nest a failed connection."""
    inner = urllib3.exceptions.NewConnectionError(None, f"Failed to establish a new connection: {cause}")  # type: ignore[arg-type]
    inner.__cause__ = cause
    outer = urllib3.exceptions.MaxRetryError(None, "/", inner)  # type: ignore[arg-type]
    return requests.ConnectionError(outer)


SILENT_RESOLVER = socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
NO_SUCH_NAME = socket.gaierror(socket.EAI_NONAME, "Name or service not known")


def yes() -> bool:
    return True


def no() -> bool:
    return False


def test_a_silent_resolver_on_a_machine_without_a_route_is_no_network() -> None:
    reason = network_missing(wrapped(SILENT_RESOLVER), routes=no, resolver=yes)
    assert reason is not None and "no route leads out" in reason
    reason = network_missing(wrapped(SILENT_RESOLVER), routes=yes, resolver=no)
    assert reason is not None and "nameserver" in reason


def test_a_silent_resolver_for_one_name_on_a_connected_machine_is_that_hosts_failure() -> None:
    assert network_missing(wrapped(SILENT_RESOLVER), routes=yes, resolver=yes) is None


def test_an_invalid_name_the_resolver_denies_is_a_dead_link_even_without_routes() -> None:
    assert network_missing(wrapped(NO_SUCH_NAME), routes=no, resolver=no) is None
    assert http.classify(wrapped(NO_SUCH_NAME), http.TransferPolicy()).reason.startswith("host not found")


def test_a_real_invalid_name_is_judged_by_its_own_failure() -> None:
    """Resolved for real: where the resolver answers (this machine), ``.invalid`` is denied and
    is a dead link; in a machine without network the answer is no network (the namespace test)."""
    try:
        requests.head("https://assets.hub-plugin.invalid/tiny.ckpt", timeout=5)
    except requests.RequestException as error:
        code = next((c.errno for c in http._causes(error) if isinstance(c, socket.gaierror)), None)
        missing = network_missing(error)
        assert (missing is not None) == (code == socket.EAI_AGAIN and not http.routes_out())
    else:
        pytest.fail("a .invalid name resolved")


@pytest.mark.parametrize("code", [errno.ENETUNREACH, errno.EHOSTUNREACH])
def test_no_route_is_no_network_only_when_nothing_leads_out(code: int) -> None:
    error = wrapped(OSError(code, "no route"))
    assert network_missing(error, routes=no, resolver=yes) is not None
    assert network_missing(error, routes=yes, resolver=yes) is None


def test_a_refusal_is_never_no_network() -> None:
    assert network_missing(wrapped(ConnectionRefusedError(errno.ECONNREFUSED, "refused")),
                           routes=no, resolver=no) is None


def test_the_route_table_is_asked_without_sending() -> None:
    assert http.has_route("127.0.0.1", socket.AF_INET) in (True, False)  # lo may be down, never raises
    assert http.nameservers("/nonexistent/resolv.conf") == []


def test_nameservers_are_read_from_resolv_conf(tmp_path: Path) -> None:
    conf = tmp_path / "resolv.conf"
    conf.write_text("# comment\nsearch example.org\nnameserver 10.255.255.53\nnameserver fe80::1%eth0\n")
    assert http.nameservers(str(conf)) == ["10.255.255.53", "fe80::1"]


def test_the_pool_stops_at_the_first_stopping_failure() -> None:
    started: list[int] = []

    def job(index: int) -> int:
        started.append(index)
        if index == 0:
            raise NoNetworkAccess("no route", "https://example.org/x")
        return index

    with pytest.raises(NoNetworkAccess):
        HostPool(jobs=1).map([Job("h", lambda i=i: job(i)) for i in range(20)],
                             stop_on=(NoNetworkAccess,))
    assert started == [0]
    assert HostPool(jobs=1).map([Job("h", lambda: 1)], stop_on=(NoNetworkAccess,)) == [1]


UNREACHABLE_HOST = "203.0.113.9"  # TEST-NET-3 (RFC 5737); its connection is made to fail below


@pytest.fixture
def one_host_without_route(monkeypatch: pytest.MonkeyPatch) -> None:
    """Connecting to :data:`UNREACHABLE_HOST` fails with EHOSTUNREACH; every other host connects."""
    import urllib3.util.connection as connection

    original = connection.create_connection

    def create(address, *args, **kwargs):  # type: ignore[no-untyped-def]
        if address[0] == UNREACHABLE_HOST:
            raise OSError(errno.EHOSTUNREACH, "No route to host")
        return original(address, *args, **kwargs)

    monkeypatch.setattr(connection, "create_connection", create)
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def cards(folder: Path, server: AssetServer) -> None:
    server.add("/tiny.ckpt", b"tiny checkpoint")
    server.add("/repo", b"a repository")
    alive = (VALID_FRONT_MATTER
             .replace("<https://example.org/models/tiny.ckpt>", f"<{server.url('/tiny.ckpt')}>")
             .replace("<https://example.org/models/tiny>", f"<{server.url('/repo')}>"))
    write_card(folder, "alive", card_text(alive))
    gone = (VALID_FRONT_MATTER.replace("example.org/models/tiny.ckpt", f"{UNREACHABLE_HOST}/tiny.ckpt")
            .replace("<https://example.org/models/tiny>", f"<{server.url('/repo')}>"))
    write_card(folder, "gone", card_text(gone))
    assert DIGEST in alive


def test_one_host_without_a_route_among_reachable_ones_is_a_dead_link(
        capsys: pytest.CaptureFixture[str], asset_server: AssetServer, one_host_without_route: None,
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(http, "routes_out", yes)  # this machine has a route out
    cards(tmp_path / "cards", asset_server)
    code = main(["validate", "--check-links", "--tries", "1", str(tmp_path / "cards")])
    out, err = capsys.readouterr()
    assert code == 1, out + err
    assert "gone.md" in out, err
    assert "link/dead: 'asset-link' is dead" in out and UNREACHABLE_HOST in out
    assert not [line for line in out.splitlines() if "alive.md:" in line and "link/dead" in line]
    assert "2 files checked (strict): 1 valid, 1 invalid" in out


def test_the_same_failure_with_no_route_out_stops_the_run(
        capsys: pytest.CaptureFixture[str], asset_server: AssetServer, one_host_without_route: None,
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(http, "routes_out", no)
    cards(tmp_path / "cards", asset_server)
    code = main(["validate", "--check-links", "--jobs", "1", str(tmp_path / "cards")])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    (line,) = err.strip().splitlines()
    assert line.startswith("hub-plugin: error: no network access: no route leads out of this machine")
    assert UNREACHABLE_HOST in line
