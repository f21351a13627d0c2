"""MindSpore checkpoints made without MindSpore, for the tests of what reads ``.ckpt`` assets.

:func:`checkpoint_bytes` writes the checkpoint message as ``mindspore.save_checkpoint`` lays it out
(:func:`hub_plugin.checkpoints.convert.write_ckpt`; tests/checkpoints/ checks that layout against
MindSpore's own files), so an asset named ``*.ckpt`` passes the ``asset/not-a-checkpoint`` check.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable

from hub_plugin.checkpoints.convert import write_ckpt


def tensors_bytes(tensors: list[tuple[str, str, tuple[int, ...], bytes]]) -> bytes:
    """The checkpoint of ``(name, MindSpore dtype, shape, bytes)`` tensors."""
    buffer = io.BytesIO()
    write_ckpt(buffer, tensors)
    return buffer.getvalue()


def checkpoint_bytes(size: int = 1024, *, name: str = "w") -> bytes:
    """A checkpoint of exactly ``size`` bytes (at least :data:`SMALLEST`): a UInt8 tensor of random
    bytes, the framing counted in, and a small second tensor where a varint's width steps over."""
    if size < SMALLEST:
        raise ValueError(f"a checkpoint of one tensor takes at least {SMALLEST} bytes")
    for extra in (None, *range(8)):
        estimate = size - len(_made(name, 0, extra, bytes))
        for content in range(max(estimate, 0), max(estimate - 32, -1), -1):
            if len(_made(name, content, extra, bytes)) == size:
                return _made(name, content, extra, os.urandom)
    raise AssertionError(f"no checkpoint of {size} bytes")  # pragma: no cover


def _made(name: str, content: int, extra: int | None, fill: Callable[[int], bytes]) -> bytes:
    tensors = [(name, "UInt8", (content,), fill(content))]
    if extra is not None:
        tensors.append(("pad", "UInt8", (extra,), fill(extra)))
    return tensors_bytes(tensors)


#: The size of the smallest checkpoint :func:`checkpoint_bytes` makes.
SMALLEST = len(_made("w", 1, None, bytes))
