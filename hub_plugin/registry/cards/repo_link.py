"""A card's ``repo-link``: which repository, ref and folder hold the code that builds its network.

MindSpore Hub's cards point at a folder of the model zoo as the forge shows it in a browser:

- Gitee: ``https://gitee.com/mindspore/models/tree/r1.8/official/cv/alexnet``;
- GitHub: ``https://github.com/mindspore-ai/models/tree/r1.8/official/cv/alexnet``;

both ``<host>/<owner>/<repository>/tree/<ref>/<folder>`` (a ``blob`` link to a file means its
folder). A bare repository URL (``https://gitee.com/mindspore/models`` or ``...models.git``)
means the repository's root on its default branch (``HEAD``). The ref is taken as the first path
segment after ``tree``: MindSpore's branches (``master``, ``r1.8``) and tags (``v1.8.0``) have no
``/`` in them; a commit id works the same way and pins the code. The repository URL is kept as the
card writes it (Gitee and GitHub serve ``.../models`` and ``.../models.git`` alike), so that
``HUB_PLUGIN_MIRROR`` prefixes written for the card's links apply to it unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from ...errors import HubPluginError


class RepoLinkError(HubPluginError):
    """A card's ``repo-link`` does not name a repository hub-plugin can fetch."""


@dataclass(frozen=True, slots=True)
class RepoLink:
    """Where a card's code lives: ``repository`` (a clone URL), ``ref`` and ``folder`` (``""``
    for the root)."""

    repository: str
    ref: str
    folder: str

    @property
    def pinned(self) -> bool:
        """Whether the ref is a full commit id."""
        return len(self.ref) == 40 and all(c in "0123456789abcdef" for c in self.ref.lower())


def parse_repo_link(link: str) -> RepoLink:
    """The repository, ref and folder of a ``repo-link`` (see the module docstring)."""
    text = link.strip().strip("<>").strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("https", "http", "git", "file") or (
        parts.scheme.lower() != "file" and not parts.netloc
    ):
        raise RepoLinkError(f"repo-link {link!r} is not a repository URL")
    segments = [unquote(s) for s in parts.path.split("/") if s]
    for marker in ("tree", "blob", "src"):
        if marker in segments[2:]:
            at = segments.index(marker, 2)
            base, rest = segments[:at], segments[at + 1 :]
            if not rest:
                raise RepoLinkError(f"repo-link {link!r} has no ref after /{marker}/")
            ref, folder = rest[0], rest[1:]
            if marker == "blob" and folder:
                folder = folder[:-1]
            break
    else:
        base, ref, folder = segments, "HEAD", []
    if not base:
        raise RepoLinkError(f"repo-link {link!r} names no repository")
    repository = f"{parts.scheme}://{parts.netloc}/{'/'.join(base)}"
    return RepoLink(repository, ref, "/".join(folder))
