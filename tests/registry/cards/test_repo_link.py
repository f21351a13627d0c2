"""A card's repo-link: repository, ref and folder, for Gitee and GitHub."""

from __future__ import annotations

import pytest

from hub_plugin.registry.cards.repo_link import RepoLink, RepoLinkError, parse_repo_link


@pytest.mark.parametrize(("link", "expected"), [
    ("<https://gitee.com/mindspore/models/tree/r1.8/official/cv/alexnet>",
     RepoLink("https://gitee.com/mindspore/models", "r1.8", "official/cv/alexnet")),
    ("https://github.com/mindspore-ai/models/tree/master/research/cv/3D_DenseNet/",
     RepoLink("https://github.com/mindspore-ai/models", "master", "research/cv/3D_DenseNet")),
    ("https://gitee.com/mindspore/models/blob/r1.8/official/cv/alexnet/README.md",
     RepoLink("https://gitee.com/mindspore/models", "r1.8", "official/cv/alexnet")),
    ("https://gitee.com/mindspore/models", RepoLink("https://gitee.com/mindspore/models", "HEAD", "")),
    ("https://github.com/mindspore-ai/models.git",
     RepoLink("https://github.com/mindspore-ai/models.git", "HEAD", "")),
    ("https://gitee.com/mindspore/models/tree/0123456789abcdef0123456789abcdef01234567/official/nlp/bert",
     RepoLink("https://gitee.com/mindspore/models", "0123456789abcdef0123456789abcdef01234567",
              "official/nlp/bert")),
])
def test_links(link: str, expected: RepoLink) -> None:
    assert parse_repo_link(link) == expected


def test_a_commit_pins() -> None:
    assert parse_repo_link("https://gitee.com/m/models/tree/" + "a" * 40 + "/x").pinned
    assert not parse_repo_link("https://gitee.com/m/models/tree/r1.8/x").pinned


@pytest.mark.parametrize("link", ["", "-", "models/alexnet", "https://gitee.com/mindspore/models/tree/"])
def test_not_a_repository(link: str) -> None:
    with pytest.raises(RepoLinkError):
        parse_repo_link(link)


def test_every_real_card_link_parses() -> None:
    from locations import SHARED

    from hub_plugin.registry.validation.validator import read_manifest

    cards = sorted((SHARED / "cards" / "mindspore-1.8").glob("*.md"))
    if not cards:
        pytest.skip("../shared/cards is not here")
    for card in cards:
        link = parse_repo_link(read_manifest(card, "mindspore-hub").repo_link)
        assert link.repository == "https://gitee.com/mindspore/models" and link.ref == "r1.8"
        assert link.folder.split("/")[0] in ("official", "research", "community"), card
