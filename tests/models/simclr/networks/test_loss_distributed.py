"""NT-Xent with negatives gathered across data-parallel workers, for real: two CPU workers under msrun.

Each worker holds N of the 2N images, computes ``NTXentLoss(gather_distributed=True)`` and its
gradients. The mean of the workers' losses must be the single-device loss of all 2N images, and each
worker's gradient must be W times the single-device gradient for its rows (``AllGather``'s gradient
sums what every worker's loss sends back; the data-parallel reducer then averages over the W
workers).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from nt_xent_reference import numerical_gradient, reference_nt_xent
from ports import free_port

REPOSITORY = Path(__file__).resolve().parents[4]
MSRUN = Path(sys.executable).with_name("msrun")
N, D, WORKERS, SEED = 3, 4, 2, 11

WORKER = """
import json, sys
from pathlib import Path

import mindspore
import numpy as np
from mindspore.communication import get_group_size, get_rank, init

mindspore.set_device("CPU")
mindspore.set_context(mode=mindspore.{mode})
init()
sys.path.insert(0, {repository!r})
from hub_plugin.packages.hubconf_import import import_package

import_package(Path({repository!r}) / "models" / "simclr")
from hub_plugin_models.simclr.networks.loss import NTXentLoss

rank, world = get_rank(), get_group_size()
rng = np.random.default_rng({seed})
z1 = rng.normal(size=(world * {n}, {d})).astype(np.float32)
z2 = (z1 + 0.5 * rng.normal(size=z1.shape)).astype(np.float32)
rows = slice(rank * {n}, (rank + 1) * {n})
loss = NTXentLoss(gather_distributed=True)
assert loss.world_size == world and loss.all_gather is not None
value, (grad1, grad2) = mindspore.value_and_grad(loss, grad_position=(0, 1))(
    mindspore.Tensor(z1[rows]), mindspore.Tensor(z2[rows])
)
result = {{"rank": rank, "world": world, "loss": float(value),
          "grad1": grad1.asnumpy().tolist(), "grad2": grad2.asnumpy().tolist()}}
(Path({out!r}) / f"rank{{rank}}.json").write_text(json.dumps(result))
"""


@pytest.mark.slow
@pytest.mark.skipif(not MSRUN.exists(), reason="msrun is not installed beside this interpreter")
@pytest.mark.parametrize("mode", ["PYNATIVE_MODE", "GRAPH_MODE"])
def test_gathered_loss_and_gradients_under_msrun(tmp_path: Path, mode: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    script = tmp_path / "worker.py"
    script.write_text(WORKER.format(repository=str(REPOSITORY), seed=SEED, n=N, d=D, out=str(out), mode=mode))
    environment = {**os.environ, "PATH": os.pathsep.join([str(MSRUN.parent), os.environ.get("PATH", "")])}
    command = [
        str(MSRUN),
        f"--worker_num={WORKERS}",
        f"--local_worker_num={WORKERS}",
        "--master_addr=127.0.0.1",
        f"--master_port={free_port()}",
        f"--log_dir={tmp_path / 'logs'}",
        "--join=True",
        "python",
        str(script),
    ]
    completed = subprocess.run(
        command, env=environment, cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False
    )
    logs = "\n".join(path.read_text(errors="replace")[-2000:] for path in (tmp_path / "logs").glob("*.log"))
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:] + logs
    results = sorted(
        (json.loads(path.read_text()) for path in out.glob("rank*.json")), key=lambda r: r["rank"]
    )
    assert [r["rank"] for r in results] == list(range(WORKERS)), logs

    rng = np.random.default_rng(SEED)
    z1 = rng.normal(size=(WORKERS * N, D)).astype(np.float32)
    z2 = (z1 + 0.5 * rng.normal(size=z1.shape)).astype(np.float32)
    x1, x2 = z1.astype(np.float64), z2.astype(np.float64)
    full = reference_nt_xent(x1, x2, 0.5)
    np.testing.assert_allclose(np.mean([r["loss"] for r in results]), full, rtol=1e-5)
    assert abs(results[0]["loss"] - results[1]["loss"]) > 1e-4  # the workers' losses differ

    grad1 = numerical_gradient(lambda x: reference_nt_xent(x, x2, 0.5), x1)
    grad2 = numerical_gradient(lambda x: reference_nt_xent(x1, x, 0.5), x2)
    for r in results:
        rows = slice(r["rank"] * N, (r["rank"] + 1) * N)
        np.testing.assert_allclose(r["grad1"], WORKERS * grad1[rows], rtol=1e-3, atol=1e-5)
        np.testing.assert_allclose(r["grad2"], WORKERS * grad2[rows], rtol=1e-3, atol=1e-5)
