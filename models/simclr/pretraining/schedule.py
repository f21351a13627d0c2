"""Learning-rate schedules, one value per optimizer step.

- :func:`warmup_linear_decay`: MindSpore's official SimCLR recipe. The rate rises linearly from
  ``start`` to ``peak`` over the warm-up steps, then falls linearly to ``end`` at the last step
  (on one device 1e-5 -> 9e-5 -> 1e-7 with 15 warm-up epochs of 100).
- :func:`warmup_cosine`: the paper's (Chen et al. 2020, arXiv 2002.05709, appendix B.1 and B.9):
  linear warm-up, then ``lr_t = end + (peak - end) * (1 + cos(pi * t / T)) / 2`` over the
  remaining ``T`` steps, without restarts.

Both return a float32 NumPy array of length ``total_steps``; a MindSpore optimizer given such a list
takes entry ``global_step``, so a resumed run continues the schedule where it stopped.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import ConfigError


def _check(total_steps: int, warmup_steps: int) -> None:
    if total_steps < 1:
        raise ConfigError(f"a schedule needs at least one step, got {total_steps}")
    if warmup_steps < 0:
        raise ConfigError(f"warm-up steps must not be negative, got {warmup_steps}")


def _warmup(start: float, peak: float, warmup_steps: int) -> list[float]:
    """``warmup_steps`` values from ``start`` rising linearly towards ``peak`` (not reaching it)."""
    return [start + (peak - start) * step / warmup_steps for step in range(warmup_steps)]


def warmup_linear_decay(
    total_steps: int, warmup_steps: int, *, start: float, peak: float, end: float
) -> np.ndarray:
    """Linear warm-up from ``start`` to ``peak``, then linear decay to ``end`` at the last step."""
    _check(total_steps, warmup_steps)
    warmup_steps = min(warmup_steps, total_steps)
    values = _warmup(start, peak, warmup_steps)
    decay_steps = total_steps - warmup_steps
    for step in range(decay_steps):
        fraction = step / (decay_steps - 1) if decay_steps > 1 else 1.0
        values.append(peak + (end - peak) * fraction)
    return np.asarray(values, dtype=np.float32)


def warmup_cosine(
    total_steps: int, warmup_steps: int, *, start: float, peak: float, end: float = 0.0
) -> np.ndarray:
    """Linear warm-up from ``start`` to ``peak``, then cosine decay from ``peak`` towards ``end``."""
    _check(total_steps, warmup_steps)
    warmup_steps = min(warmup_steps, total_steps)
    values = _warmup(start, peak, warmup_steps)
    decay_steps = total_steps - warmup_steps
    for step in range(decay_steps):
        values.append(end + (peak - end) * (1.0 + math.cos(math.pi * step / decay_steps)) / 2.0)
    return np.asarray(values, dtype=np.float32)


SCHEDULES = {"linear": warmup_linear_decay, "cosine": warmup_cosine}
"""The schedules by the name a configuration gives (``decay``)."""


def learning_rates(
    decay: str, total_steps: int, warmup_steps: int, *, start: float, peak: float, end: float
) -> np.ndarray:
    """The schedule ``decay`` (``linear`` or ``cosine``) as one value per step."""
    try:
        schedule = SCHEDULES[decay]
    except KeyError:
        from ..errors import UnknownName

        raise UnknownName("learning-rate decay", decay, list(SCHEDULES)) from None
    return schedule(total_steps, warmup_steps, start=start, peak=peak, end=end)


__all__ = ["SCHEDULES", "learning_rates", "warmup_cosine", "warmup_linear_decay"]
