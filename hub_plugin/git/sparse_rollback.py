"""Widening a shared sparse checkout by one folder, all or nothing.

One checkout per repository and commit serves every folder of it (:mod:`hub_plugin.zoo.checkout`). Widening it
writes the new folder into ``.git/info/sparse-checkout`` and lets git fetch that folder's blobs
(``read-tree -mu HEAD``). When that fetch fails (a blob the server withholds, a dropped
connection), the pattern used to stay, and every later widening of that checkout asked for the
same missing blob again: "could not fetch ... from promisor remote" for every new folder of that
commit. :func:`widened` restores the sparse-checkout file and the working tree to what they were,
and says which folder failed and that the checkout is unharmed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..errors import GitError
from .transport import GitTransport


def sparse_file(checkout: Path) -> Path:
    return checkout / ".git" / "info" / "sparse-checkout"


@contextlib.contextmanager
def widened(transport: GitTransport, checkout: Path, url: str, folders: Sequence[str]) -> Iterator[None]:
    """Run the body (which widens ``checkout`` by ``folders``); if it raises, put the
    sparse-checkout file and the working tree back as they were, then raise a :class:`GitError`
    naming the folders (or the body's own error, when it is not git's)."""
    sparse = sparse_file(checkout)
    before = sparse.read_bytes() if sparse.is_file() else None
    try:
        yield
    except BaseException as error:
        if before is None:
            sparse.unlink(missing_ok=True)
        else:
            sparse.write_bytes(before)
        (checkout / ".git" / "index.lock").unlink(missing_ok=True)
        with contextlib.suppress(GitError):  # only files already present: no fetch is needed
            transport.run(["read-tree", "-mu", "HEAD"], url=transport.rewrite(url), cwd=checkout)
        if isinstance(error, GitError):
            shown = ", ".join(folders) or "/"
            raise GitError(
                url, None, f"could not fetch the folder {shown}: {error.reason}",
                hint="the shared checkout was left as it was (other folders still load); retry "
                "later, or use a mirror (HUB_PLUGIN_MIRROR)",
            ) from error
        raise


__all__ = ["sparse_file", "widened"]
