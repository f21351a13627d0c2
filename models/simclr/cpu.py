"""The CPU setting that makes SimCLR's convolutions fast with MindSpore 2.10 on AVX-512 machines.

MindSpore 2.10's CPU ``Conv2D`` hands oneDNN (3.10) plain NCHW tensors. On a machine with AVX-512,
oneDNN then chooses its ``jit_uni_ncsp`` convolution, which on the machine the benchmark ran on did a
64->64 3x3 convolution of a 32x64x32x32 batch in 4-6 s (under 1 GFLOP/s). With oneDNN's instruction
set capped at AVX2 it chooses im2col plus its JIT sgemm (``gemm:jit``) instead, about 90 times faster
there (see ``bench/README.md``, "SimCLR training step"). Training the ResNet encoders is almost all
convolution, so the cap decides whether CPU training is usable at all.

oneDNN reads the cap once, the first time it looks at the processor, so call
:func:`use_fast_cpu_convolutions` before MindSpore runs its first convolution or matrix product in the
process (importing MindSpore and building networks is fine). It does nothing when the variable is
already set, so a user's own choice wins.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

ISA_VARIABLE = "ONEDNN_MAX_CPU_ISA"
FAST_ISA = "AVX2"


def use_fast_cpu_convolutions(environ: MutableMapping[str, str] | None = None) -> bool:
    """Cap oneDNN at AVX2 unless a cap is already set; True when this call set it."""
    environ = os.environ if environ is None else environ
    if ISA_VARIABLE in environ or "DNNL_MAX_CPU_ISA" in environ:
        return False
    environ[ISA_VARIABLE] = FAST_ISA
    return True


__all__ = ["FAST_ISA", "ISA_VARIABLE", "use_fast_cpu_convolutions"]
