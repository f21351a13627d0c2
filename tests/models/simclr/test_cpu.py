"""The oneDNN cap for fast CPU convolutions: when it is set, and that oneDNN then uses im2col+sgemm."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hub_plugin_models.simclr.cpu import FAST_ISA, ISA_VARIABLE, use_fast_cpu_convolutions

REPOSITORY = Path(__file__).resolve().parents[3]


def test_sets_the_cap_when_none_is_set() -> None:
    environ: dict[str, str] = {}
    assert use_fast_cpu_convolutions(environ) is True
    assert environ == {ISA_VARIABLE: FAST_ISA}


def test_a_users_cap_wins() -> None:
    for existing in ({ISA_VARIABLE: "AVX512_CORE"}, {"DNNL_MAX_CPU_ISA": "SSE41"}):
        environ = dict(existing)
        assert use_fast_cpu_convolutions(environ) is False
        assert environ == existing


def test_convolutions_then_run_as_im2col_and_sgemm() -> None:
    # oneDNN names the implementation it runs when ONEDNN_VERBOSE=1; the call must take effect even
    # though MindSpore was imported first.
    code = (
        "import sys; from pathlib import Path; import numpy as np, mindspore as ms; "
        "from mindspore import nn; "
        "from hub_plugin.packages.hubconf_import import import_package; "
        f"import_package(Path({str(REPOSITORY / 'models' / 'simclr')!r})); "
        "from hub_plugin_models.simclr.cpu import use_fast_cpu_convolutions; "
        "ms.set_device('CPU'); ms.set_context(mode=ms.PYNATIVE_MODE); "
        "use_fast_cpu_convolutions(); "
        "nn.Conv2d(8, 8, 3)(ms.Tensor(np.ones((2, 8, 8, 8), np.float32))).asnumpy()"
    )
    environment = {key: value for key, value in os.environ.items() if "MAX_CPU_ISA" not in key}
    environment["ONEDNN_VERBOSE"] = "1"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=environment,
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    convolutions = [line for line in result.stdout.splitlines() if ",exec,cpu,convolution," in line]
    assert convolutions, result.stdout[-2000:] + result.stderr[-2000:]
    assert all("gemm:jit" in line for line in convolutions), convolutions
