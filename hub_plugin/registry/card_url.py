"""MindSpore Hub's card URLs, accepted wherever a name is (``mindspore_hub.load`` takes them).

A card of MindSpore Hub is a file of its repository, linked from the web on Gitee or GitHub::

    https://gitee.com/mindspore/hub/blob/master/mshub_res/assets/mindspore/1.8/alexnet_cifar10.md
    https://gitee.com/mindspore/hub/raw/master/mshub_res/assets/mindspore/1.8/alexnet_cifar10.md
    https://github.com/mindspore-ai/hub/blob/master/mshub_res/assets/mindspore/1.8/alexnet_cifar10.md
    https://raw.githubusercontent.com/mindspore-ai/hub/master/mshub_res/assets/mindspore/1.8/alexnet_cifar10.md

Each names the UID ``mindspore/1.8/alexnet_cifar10`` (the path under ``mshub_res/assets``, without
``.md``; three parts, or four with a device), which the hubs then answer. The parse is strict: only
``https``, only those hosts and repositories, no query or fragment, every part plain (letters,
digits, ``.``, ``_``, ``-``; never ``.`` or ``..``). A URL of those repositories that does not have
this shape is a :class:`~hub_plugin.errors.UsageError`, not a guess.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..errors import UsageError

#: Each host that serves MindSpore Hub's repository, its owner and name there, and whether a
#: ``blob`` or ``raw`` part comes before the ref (``raw.githubusercontent.com`` has none).
_REPOSITORIES = {
    "gitee.com": ("mindspore", "hub", True),
    "github.com": ("mindspore-ai", "hub", True),
    "raw.githubusercontent.com": ("mindspore-ai", "hub", False),
}
CARD_FOLDER = ("mshub_res", "assets")
_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def uid_from_card_url(name: str) -> str | None:
    """The UID a MindSpore Hub card URL names; None when ``name`` is not a URL of MindSpore Hub's
    repository. Raises :class:`UsageError` for such a URL that is not a card's."""
    if "://" not in name:
        return None
    try:
        parts = urlsplit(name.strip())
        port = parts.port
    except ValueError:  # a bracket or a port that is not a number: no URL of ours
        return None
    host = (parts.hostname or "").lower()
    segments = parts.path.strip("/").split("/")
    known = _REPOSITORIES.get(host)
    if known is None or [s.lower() for s in segments[:2]] != [known[0], known[1]]:
        return None
    rest = segments[2:]
    if known[2]:
        mode = rest.pop(0) if rest else ""
        rest = rest if mode in ("blob", "raw") else []  # a tree, an issue: not a card
    # rest: <ref>/mshub_res/assets/<publisher>/[<device>/]<version>/<stem>.md
    uid_parts = rest[3:]
    if (parts.scheme != "https" or parts.query or parts.fragment or port is not None
            or parts.username is not None or len(rest) < 3 or not _PART.fullmatch(rest[0])
            or tuple(rest[1:3]) != CARD_FOLDER or len(uid_parts) not in (3, 4)
            or not uid_parts[-1].endswith(".md")):
        raise UsageError(
            f"not a MindSpore Hub card URL: {name}",
            hint="a card URL looks like https://gitee.com/mindspore/hub/blob/master/"
            "mshub_res/assets/mindspore/1.8/alexnet_cifar10.md",
        )
    uid_parts[-1] = uid_parts[-1][: -len(".md")]
    if not all(_PART.fullmatch(p) and p not in (".", "..") for p in uid_parts):
        raise UsageError(f"not a MindSpore Hub card URL: {name} (a part of its path is not plain)")
    return "/".join(uid_parts)


__all__ = ["uid_from_card_url"]
