"""The typed errors of the SimCLR model package.

Each derives from :class:`hub_plugin.errors.HubPluginError`, so the CLI turns it into one clear line,
and carries what a person needs to act on it: the names that were known, the parameters that did not
match, the path that was looked at and what was expected there.
"""

from __future__ import annotations

from collections.abc import Sequence

from hub_plugin.errors import HubPluginError, Interrupted


class UnknownName(HubPluginError, ValueError):
    """A name (network entry, backbone, transform preset) that the package does not define.

    ``known`` lists the names it does define.
    """

    def __init__(self, kind: str, name: str, known: Sequence[str]) -> None:
        self.kind = kind
        self.name = name
        self.known = tuple(sorted(known))
        super().__init__(f"unknown {kind} {name!r}", hint=f"known: {', '.join(self.known)}")


class CheckpointMismatch(HubPluginError):
    """A checkpoint does not fit the network it is loaded into; nothing was loaded.

    ``missing``: network parameters the checkpoints do not hold. ``unexpected``: checkpoint entries
    that fill no parameter and are not known to be ignorable (optimizer state, a head the network
    does not have). ``wrong_shape``: ``(name, network shape, checkpoint shape)``. ``ambiguous``:
    parameters that more than one checkpoint entry could fill.
    """

    def __init__(
        self,
        *,
        missing: Sequence[str] = (),
        unexpected: Sequence[str] = (),
        wrong_shape: Sequence[tuple[str, tuple[int, ...], tuple[int, ...]]] = (),
        ambiguous: Sequence[tuple[str, Sequence[str]]] = (),
        sources: Sequence[str] = (),
    ) -> None:
        self.missing = tuple(missing)
        self.unexpected = tuple(unexpected)
        self.wrong_shape = tuple(wrong_shape)
        self.ambiguous = tuple((name, tuple(keys)) for name, keys in ambiguous)
        self.sources = tuple(sources)
        parts = []
        if self.missing:
            parts.append(f"missing {_listing(self.missing)}")
        if self.unexpected:
            parts.append(f"unexpected {_listing(self.unexpected)}")
        if self.wrong_shape:
            shapes = [
                f"{name} (network {list(want)}, checkpoint {list(got)})"
                for name, want, got in self.wrong_shape
            ]
            parts.append(f"wrongly shaped {_listing(shapes)}")
        if self.ambiguous:
            choices = [f"{name} ({' or '.join(keys)})" for name, keys in self.ambiguous]
            parts.append(f"ambiguous {_listing(choices)}")
        where = f" from {', '.join(self.sources)}" if self.sources else ""
        super().__init__(
            f"checkpoint does not fit the network{where}: " + "; ".join(parts),
            hint="check that the network was built with the checkpoint's backbone and widths",
        )


class DatasetError(HubPluginError):
    """A dataset path is missing or holds none of the layouts the package reads.

    ``path`` is where it looked; the message says which layouts it expected.
    """

    exit_code = 2

    def __init__(self, message: str, *, path: str, hint: str | None = None) -> None:
        self.path = path
        super().__init__(message, hint=hint)


def _listing(names: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return f"{len(names)}: {shown}{more}"


__all__ = ["CheckpointMismatch", "DatasetError", "UnknownName"]


# --- Training, evaluation and prediction (train, evaluate, predict entry points) ---------------


class ConfigError(HubPluginError):
    """A training, evaluation or prediction setting is invalid, or contradicts a saved run."""

    exit_code = 2


class TrainingDiverged(HubPluginError):
    """The loss stopped being a finite number; training stopped.

    ``step`` is the step whose loss was not finite; ``checkpoint`` the last good checkpoint, kept
    (``None`` when none was written yet).
    """

    def __init__(self, step: int, loss: float, checkpoint: str | None) -> None:
        self.step = step
        self.loss = loss
        self.checkpoint = checkpoint
        kept = f"the last good checkpoint is {checkpoint}" if checkpoint else "no checkpoint was written yet"
        super().__init__(
            f"training diverged: the loss is {loss} at step {step}; stopped, {kept}",
            hint="lower the learning rate (--learning-rate) or check the data, then --resume",
        )


class TrainingInterrupted(Interrupted):
    """Ctrl-C (or the SIGTERM MindSpore's data workers send on it) stopped training; exit 130.

    ``checkpoint`` is the last checkpoint kept (``None`` when none was written yet), ``output``
    the run's folder, which ``--resume`` goes on from (issue 28 item 4).
    """

    def __init__(self, checkpoint: str | None, output: str) -> None:
        self.checkpoint = checkpoint
        self.output = output
        if checkpoint:
            super().__init__(
                f"training interrupted; kept the checkpoint {checkpoint}",
                hint=f"go on from it with the same options and --resume: hub-plugin train simclr "
                f"--output {output} --resume",
            )
        else:
            super().__init__("training interrupted before its first checkpoint: nothing was kept",
                             hint="run the same command again")


class CheckpointWriteError(HubPluginError):
    """A checkpoint could not be written (a full disk, no permission); the previous one is intact."""

    def __init__(self, path: str, reason: str, previous: str | None) -> None:
        self.path = path
        self.previous = previous
        kept = f"the previous checkpoint {previous} is intact" if previous else "no earlier checkpoint"
        super().__init__(f"cannot write checkpoint {path}: {reason}; {kept}",
                         hint="free some space or choose another --output, then --resume")


class ResumeError(HubPluginError):
    """``--resume`` found nothing to resume from, or a run that does not match the settings."""

    exit_code = 2


class ImageError(HubPluginError):
    """One image for prediction is missing or cannot be decoded; ``path`` names it."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


__all__ += [
    "CheckpointWriteError",
    "ConfigError",
    "ImageError",
    "ResumeError",
    "TrainingDiverged",
    "TrainingInterrupted",
]
