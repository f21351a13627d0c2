"""A card's ``repo-link``: which repository, ref and folder hold the code that builds its network.

MindSpore Hub's cards point at a folder of the model zoo as the forge shows it in a browser:

- Gitee: ``https://gitee.com/mindspore/models/tree/r1.8/official/cv/alexnet``;
- GitHub: ``https://github.com/mindspore-ai/models/tree/r1.8/official/cv/alexnet``;

both ``<host>/<owner>/<repository>/tree/<ref>/<folder>`` (a ``blob`` link to a file means its
folder). A bare repository URL (``https://gitee.com/mindspore/models`` or ``...models.git``)
means the repository's root on its default branch (``HEAD``). The ref is taken as the first path
segment after ``tree``: MindSpore's branches (``master``, ``r1.8``) and tags (``v1.8.0``) have no
``/`` in them; a commit id works the same way and pins the code.

A card is untrusted input, so the link is parsed once into a safe form here, and nothing later
reads the raw text:

- the scheme is ``https``, ``http`` or ``git`` (``http``/``git`` are then fetched only from
  loopback hosts unless ``--allow-http``); never ``file``: local repositories are for mirrors and
  ``hub add``, which a user writes, not for cards. No user name or password in the host part;
- every path segment is a plain name after percent-decoding and Unicode normalisation
  (:func:`~hub_plugin.core.contained_path.relative_folder`): no ``.``/``..``, no encoded
  ``/``, no backslash or control character, in the repository's path as in the folder;
- the ref is a valid git ref name (``git check-ref-format --allow-onelevel``) or a full commit id,
  and never starts with ``-`` (git would read it as an option);
- the repository URL is kept as the card writes it but for the scheme and host, lower-cased
  (``HUB_PLUGIN_MIRROR`` prefixes written for the card's links apply to it unchanged), and a
  host name in Unicode is written in its ASCII form (``xn--...``), so a look-alike host shows as
  what it is in the trust question;
  :attr:`RepoLink.key` is its normal form (no trailing ``.git`` or ``/``), the one trust and the
  zoo cache are keyed by.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from ..core.contained_path import relative_folder, unsafe_segment
from ..errors import PathEscape
from ..errors import (  # moved to errors.py (issue 26); importable here too
    RepoLinkError as RepoLinkError,
)

_FULL_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_REF_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")


@dataclass(frozen=True, slots=True)
class RepoLink:
    """Where a card's code lives: ``repository`` (a clone URL), ``ref`` and ``folder`` (``""``
    for the root), each in the safe form :func:`parse_repo_link` gives."""

    repository: str
    ref: str
    folder: str

    @property
    def pinned(self) -> bool:
        """Whether the ref is a full commit id."""
        return is_full_commit(self.ref)

    @property
    def key(self) -> str:
        """The repository's normal form: what trust and the zoo cache are keyed by."""
        return normal_repository_url(self.repository)


def is_full_commit(text: str) -> bool:
    """Whether ``text`` is a full commit id (40 hex digits, or 64 for SHA-256 repositories)."""
    return bool(_FULL_COMMIT.fullmatch(text.lower()))


def ref_problem(ref: str) -> str | None:
    """Why git would not take ``ref`` as a ref name (the rules of ``git check-ref-format
    --allow-onelevel``, and no leading ``-``), or None when it is valid."""
    if not ref:
        return "it is empty"
    if ref.startswith("-"):
        return "it starts with '-'"
    if ref == "@" or "@{" in ref or ".." in ref or "//" in ref:
        return "it has '@', '@{', '..' or '//'"
    if _REF_FORBIDDEN.search(ref):
        return "it has a space, a control character or one of ~ ^ : ? * [ \\"
    if ref.startswith("/") or ref.endswith(("/", ".")):
        return "it starts with '/' or ends with '/' or '.'"
    if any(part.startswith(".") or part.endswith(".lock") for part in ref.split("/")):
        return "a part starts with '.' or ends with '.lock'"
    if unicodedata.normalize("NFKC", ref) != ref:
        return "it changes under Unicode normalisation"
    return None


def check_ref(ref: str, *, what: str = "the ref") -> str:
    """``ref`` if git may be given it as a ref (see :func:`ref_problem`); :class:`RepoLinkError`
    otherwise."""
    why = ref_problem(ref)
    if why:
        raise RepoLinkError(f"{what} {ref!r} is not a git ref name or a commit id: {why}")
    return ref


def normal_repository_url(url: str) -> str:
    """A repository URL's normal form: trimmed, scheme and host lower-cased, without a trailing
    ``/`` or ``.git``. ``https://Gitee.com/mindspore/models.git/`` and
    ``https://gitee.com/mindspore/models`` are one repository."""
    text = url.strip().rstrip("/")
    if text.endswith(".git"):
        text = text[: -len(".git")].rstrip("/")
    scheme, sep, rest = text.partition("://")
    if not sep:
        return text
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{slash}{path}"


def parse_repo_link(link: str) -> RepoLink:
    """The repository, ref and folder of a ``repo-link`` (see the module docstring), or
    :class:`RepoLinkError`."""
    text = link.strip().strip("<>").strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http", "git") or not parts.hostname:
        raise RepoLinkError(f"repo-link {link!r} is not an https, http or git repository URL")
    if "@" in parts.netloc or parts.query or parts.fragment or "\\" in text:
        raise RepoLinkError(f"repo-link {link!r} has a user name, a query, a fragment or a "
                            "backslash; a card's repo-link is a plain repository URL")
    try:
        port = parts.port
    except ValueError:
        raise RepoLinkError(f"repo-link {link!r} has an invalid port") from None
    raw = parts.path.split("/")[1:]
    if raw and raw[-1] == "":
        raw = raw[:-1]  # one trailing '/'
    segments = [unquote(s) for s in raw]
    for segment in segments:
        why = unsafe_segment(segment)
        if why:
            raise RepoLinkError(f"repo-link {link!r} is not a plain repository path: {why}")
    markers = [i for i, s in enumerate(segments) if i >= 2 and s in ("tree", "blob", "src")]
    if markers:  # the first one: .../models/tree/r1.8/src/x is the folder src/x of r1.8
        at = markers[0]
        marker, base, rest = segments[at], segments[:at], segments[at + 1 :]
        if not rest:
            raise RepoLinkError(f"repo-link {link!r} has no ref after /{marker}/")
        ref, folder = rest[0], rest[1:]
        if marker == "blob" and folder:
            folder = folder[:-1]
    else:
        base, ref, folder = segments, "HEAD", []
    if not base:
        raise RepoLinkError(f"repo-link {link!r} names no repository")
    if not is_full_commit(ref):
        check_ref(ref, what=f"the ref of repo-link {link!r}")
    try:
        safe_folder = relative_folder("/".join(folder), what=f"the folder of repo-link {link!r}")
    except PathEscape as error:
        raise RepoLinkError(error.message) from None
    host = parts.hostname.lower()
    if not host.isascii():  # shown as git and DNS see it: gіtee.com (Cyrillic і) is xn--gtee-...
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise RepoLinkError(f"repo-link {link!r} has a host name that is not valid") from None
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    repository = f"{scheme}://{netloc}/{'/'.join(raw[: len(base)])}"
    return RepoLink(repository, ref, safe_folder)
