"""Which files are cards: the one answer the CI gate, the hub index and the lookup all use
(issue 26, "one answer to 'is this a card'"; issue 27, hole 6).

- **A card file** is Markdown (``*.md``, any case) whose name does not start with ``README`` (any
  case): a folder's README describes the folder, it is never a card (:func:`is_card_file`).
- **A card of a hub** is a card file under the hub's card folder (``mshub_res/assets/``) at a UID's
  place, ``publisher/version/stem.md`` or ``publisher/device/version/stem.md`` (MindSpore Hub's
  three- and four-part UIDs), with no part of its path starting with ``.`` (:func:`is_hub_card`).
  Nothing else in a hub is ever served: ``info`` and ``load`` refuse a UID naming a README, a
  dot file or a file in a dot folder, the index leaves them out, and so a file the gate passes
  over (``validate`` skips READMEs and dot paths) is a file no client reads. The gate checks every
  card file of the card folder that is not a dot path (more than the index serves, never less).
- **A hub's resources are no cards.** In MindSpore Hub's layout the card folder lies in the hub's
  resource folder, ``mshub_res/``; everything else in there (the templates
  ``mshub_res/examples/commit_example*.md``, which carry front matter with placeholder values) is
  never a card, whatever it holds (:func:`is_hub_resource`). The pre-commit hook's ``files``
  pattern (``.pre-commit-hooks.yaml``: ``^(mshub_res/assets/|(?!mshub_res/))``) says the same, and
  ``tests/cards/test_card_files_in_a_hub.py`` keeps the two in step.
"""

from __future__ import annotations

from pathlib import PurePath, PurePosixPath

#: A hub's card folder, relative to the hub's root (MindSpore Hub's layout), and the resource folder
#: that holds it: the rest of the resource folder is the hub's own (templates, examples), no cards.
HUB_CARD_FOLDER = "mshub_res/assets"
HUB_RESOURCE_FOLDER = "mshub_res"

#: How many parts a hub UID has: ``mindspore/1.8/alexnet_cifar10``, ``noah-cvlab/gpu/0.7/<stem>``.
UID_PARTS = (3, 4)
#: How deep a hub's cards lie below its card folder, in folders (a four-part UID: three).
HUB_CARD_DEPTH = max(UID_PARTS) - 1


def is_card_file(path: PurePath) -> bool:
    """Markdown files, except READMEs."""
    return path.suffix.lower() == ".md" and not path.name.lower().startswith("readme")


def is_dot_path(relative: PurePath) -> bool:
    """Whether a part of ``relative`` starts with ``.`` (``.staging/1.8/x.md``, ``1.8/.x.md``)."""
    return any(part.startswith(".") for part in relative.parts)


def is_hub_resource(relative: PurePath) -> bool:
    """Whether the file at ``relative`` (to a hub's root) is one of the hub's own resources, not a
    card: under ``mshub_res/`` but not under ``mshub_res/assets/`` (``mshub_res/examples/x.md``)."""
    parts = PurePosixPath(relative.as_posix()).parts
    resource, cards = PurePosixPath(HUB_RESOURCE_FOLDER).parts, PurePosixPath(HUB_CARD_FOLDER).parts
    return (len(parts) > len(resource) and parts[:len(resource)] == resource
            and parts[:len(cards)] != cards)


def is_hub_card(relative: PurePath) -> bool:
    """Whether the file at ``relative`` (to a hub's card folder) is a card the hub serves."""
    parts = relative.parts
    return (len(parts) in UID_PARTS and is_card_file(relative) and not is_dot_path(relative)
            and all(part and "\\" not in part for part in parts))


def hub_card_uid(relative: PurePath) -> str | None:
    """The UID of the card at ``relative`` (to the card folder), or None where it is not a card of
    the hub: ``mindspore/1.8/alexnet_cifar10.md`` is ``mindspore/1.8/alexnet_cifar10``."""
    return "/".join(relative.with_suffix("").parts) if is_hub_card(relative) else None


def hub_card_of_uid(uid: str) -> PurePosixPath | None:
    """The path (relative to the card folder) of the card ``uid`` names, or None where no card of a
    hub can have that UID (a README, a dot path, a wrong number of parts, ``..``)."""
    relative = PurePosixPath(f"{uid}.md")
    if relative.as_posix() != f"{uid}.md" or relative.is_absolute():
        return None  # empty parts or ``.`` parts that a path would fold away
    return relative if is_hub_card(relative) else None
