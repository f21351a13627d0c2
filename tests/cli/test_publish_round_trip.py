"""The round trip: a card published by ``hub-plugin publish`` (to moto's S3 server and a fork on
the test's git daemon), read back through a hub synced from the pushed branch, downloads, verifies
and loads, with the model zoo's code its card names."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from git_server import GitServer
from hub_repos import ZOO_PREFIX
from publish_setup import hub_setup, write_run
from s3_server import S3Server
from zoo_repos import ZOO, build_zoo, save_checkpoint

import hub_plugin
from hub_plugin.cli import main

pytestmark = pytest.mark.mindspore

WEIGHT = np.arange(12, dtype=np.float32).reshape(3, 4) / 10


def test_published_card_downloads_verifies_and_loads_from_the_synced_hub(
    s3_server: S3Server, git_server: GitServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    build_zoo(git_server)
    monkeypatch.setenv("HUB_PLUGIN_MIRROR", f"{ZOO_PREFIX}={git_server.root}")
    hub = hub_setup(git_server, tmp_path)
    weights = tmp_path / "weights.ckpt"
    save_checkpoint(weights, {"dense.weight": WEIGHT, "dense.bias": np.ones(3, np.float32)})
    write_run(tmp_path / "run", name="alpha_published", model="alpha", file_name="alpha.ckpt",
                        data=weights.read_bytes(), repo_link=f"{ZOO}/tree/r1.8/official/cv/alpha")
    bucket = s3_server.bucket("round-trip")
    assert main(["publish", str(tmp_path / "run"), "--upload", f"s3://{bucket}/alpha",
                 "--endpoint-url", s3_server.endpoint, "--hub", str(hub.clone), "--push", "fork",
                 "--branch", "add-alpha"]) == 0
    assert main(["hub", "add", "forked", hub.fork_url, "--ref", "add-alpha",
                 "--path", "mshub_res/assets"]) == 0
    assert main(["hub", "update", "forked"]) == 0
    capsys.readouterr()
    uid = "tester/1.8/alpha_published"
    paths = hub_plugin.download(uid)
    assert [p.read_bytes() for p in paths] == [weights.read_bytes()]  # verified by its sha256
    assert main(["download", uid]) == 0
    network = hub_plugin.load(uid, trust=True)
    weight = {p.name: p.asnumpy() for p in network.get_parameters()}["dense.weight"]
    np.testing.assert_allclose(weight, WEIGHT)
