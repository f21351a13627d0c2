"""Small model cards for the registry tests, written by the tests themselves."""

from __future__ import annotations

import hashlib
from pathlib import Path

DIGEST = hashlib.sha256(b"tiny checkpoint").hexdigest()

VALID_FRONT_MATTER = f"""\
model-name: tiny
backbone-name: resnet18
module-type: cv-classification
fine-tunable: True
model-version: 1.10
train-dataset: cifar10_imagenet2012
evaluation: top1acc76.97 | top5acc93.44
author: Test Author
update-time: 2023-2-17
repo-link: <https://example.org/models/tiny>
user-id: tester
used-for: inference/extract-feature
mindspore-version: 2.3
asset:

-
    file-format: ckpt
    asset-link: <https://example.org/models/tiny.ckpt>
    asset-sha256: {DIGEST}

license: Apache2.0
summary: a tiny card for tests
"""


def card_text(
    front_matter: str = VALID_FRONT_MATTER,
    *,
    title: str = "# tiny\n\n",
    body: str = "\n## Body\n\nText.\n",
) -> str:
    """A whole card: title, front matter between '---' lines, body."""
    return f"{title}---\n{front_matter}---\n{body}"


def replace_field(front_matter: str, key: str, line: str | None) -> str:
    """The front matter with the line ``key: ...`` replaced (or removed when ``line`` is None)."""
    out = []
    for current in front_matter.splitlines(keepends=True):
        if current.startswith(f"{key}:"):
            if line is not None:
                out.append(line.rstrip("\n") + "\n")
            continue
        out.append(current)
    return "".join(out)


def write_card(folder: Path, name: str, text: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.md"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the first line of ``text`` containing ``needle``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")
