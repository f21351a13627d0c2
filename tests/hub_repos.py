"""Hub repositories for the tests: MindSpore Hub's layout, built with real git.

``mshub_res/assets/<publisher>/<version>/<stem>.md`` (and one four-part ``noah-cvlab/gpu/0.7``
card), at two commits, plus a folder of big files outside the cards that a sparse sync must not
fetch. Published on the test's git server as ``hub.git``, the path MindSpore Hub's Gitee URL
``https://gitee.com/mindspore/hub.git`` takes through the mirror ``https://gitee.com/mindspore/=
<server>``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from card_samples import VALID_FRONT_MATTER, card_text, replace_field
from git_server import GitServer, WorkRepo

CARDS = "mshub_res/assets"
ZOO_PREFIX = "https://gitee.com/mindspore/"


def hub_card(model: str, *, summary: str, repo_link: str | None = None,
             asset_link: str | None = None, digest: str | None = None,
             mindspore_version: str = "1.8") -> str:
    """A MindSpore Hub card for ``model`` (mindspore-hub profile valid)."""
    text = replace_field(VALID_FRONT_MATTER, "model-name", f"model-name: {model}")
    text = replace_field(text, "summary", f"summary: {summary}")
    text = replace_field(text, "model-version", "model-version: 1.8")
    text = replace_field(text, "mindspore-version", f"mindspore-version: {mindspore_version}")
    link = repo_link or f"https://gitee.com/mindspore/models/tree/r1.8/official/cv/{model}"
    text = replace_field(text, "repo-link", f"repo-link: <{link}>")
    if asset_link is not None:
        text = text.replace("<https://example.org/models/tiny.ckpt>", f"<{asset_link}>")
    if digest is not None:
        text = replace_field(text, "    asset-sha256", f"    asset-sha256: {digest}")
    return card_text(text, title=f"# {model}\n\n")


@dataclass
class HubRepo:
    """The hub repository and its two commits."""

    repo: WorkRepo
    url: str
    first: str
    second: str


def build_hub(server: GitServer, *, big_bytes: int = 2_000_000) -> HubRepo:
    """The hub at two commits: the first with alexnet and resnet (1.8) and a four-part card, the
    second adding vgg (1.9) and changing resnet's summary. ``big_bytes`` of random data lie
    outside the card folder (the hub's website assets)."""
    repo = WorkRepo(server.base.parent / f"work-hub-{os.urandom(4).hex()}")
    repo.write("README.md", "# hub\n")
    repo.write("mshub_res/images/banner.bin", os.urandom(big_bytes))
    repo.write(f"{CARDS}/mindspore/1.8/alexnet_cifar10.md",
               hub_card("alexnet", summary="alexnet is used for cv"))
    repo.write(f"{CARDS}/mindspore/1.8/resnet50_imagenet2012.md",
               hub_card("resnet50", summary="resnet50 first version"))
    repo.write(f"{CARDS}/noah-cvlab/gpu/0.7/ghostnet_oxford.md",
               hub_card("ghostnet", summary="ghostnet on oxford pets"))
    first = repo.commit("first cards")
    repo.write(f"{CARDS}/mindspore/1.9/vgg16_cifar10.md", hub_card("vgg16", summary="vgg16 on cifar"))
    repo.write(f"{CARDS}/mindspore/1.8/resnet50_imagenet2012.md",
               hub_card("resnet50", summary="resnet50 second version"))
    second = repo.commit("more cards")
    url = server.publish(repo, "hub.git")
    return HubRepo(repo, url, first, second)
