"""The check ``download`` and ``validate --verify-assets`` make of a fetched checkpoint (issue 29).

A digest only says the bytes are those the card names; a card can name a broken file (an HTML error
page saved as ``.ckpt``, a file cut short by the uploader, a checkpoint with no tensor). An asset
whose file name ends in ``.ckpt`` must also parse as MindSpore's checkpoint message
(:func:`~.reader.read_checkpoint`); a failure is the defect ``asset/not-a-checkpoint``
(:data:`RULE`). The check reads only the header bytes of each tensor.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CheckpointError
from .reader import Checkpoint, read_checkpoint

if TYPE_CHECKING:
    from ..downloads.fetch import FetchedAsset

#: The rule id of validate's defect (see :mod:`hub_plugin.cards.rules`).
RULE = "asset/not-a-checkpoint"
#: The file name endings read as MindSpore checkpoints.
CHECKPOINT_SUFFIXES = (".ckpt",)


def is_checkpoint_name(file_name: str) -> bool:
    """Whether an asset named ``file_name`` must be a MindSpore checkpoint."""
    return file_name.lower().endswith(CHECKPOINT_SUFFIXES)


def check_checkpoint(path: Path, *, shown_as: str | None = None) -> Checkpoint:
    """The index of the checkpoint at ``path``, or :class:`~hub_plugin.errors.CheckpointError`
    naming it as ``shown_as`` (the link or card file name) with the hint of :data:`RULE`."""
    try:
        return read_checkpoint(path)
    except CheckpointError as error:
        raise CheckpointError(shown_as or str(path), error.reason, offset=error.offset,
                              hint=f"{RULE}: the sha256 may match, but the card names a broken file") \
            from None


def check_fetched(fetched: Iterable[FetchedAsset]) -> None:
    """Check every fetched asset named ``*.ckpt`` (what ``download`` does after the digests)."""
    for item in fetched:
        if is_checkpoint_name(item.asset.file_name):
            check_checkpoint(item.path, shown_as=item.asset.link)


__all__ = ["CHECKPOINT_SUFFIXES", "RULE", "check_checkpoint", "check_fetched", "is_checkpoint_name"]
