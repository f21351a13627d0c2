"""A card's repo-link: repository, ref and folder, for Gitee and GitHub."""

from __future__ import annotations

import pytest

from hub_plugin.cards.repo_link import RepoLink, parse_repo_link
from hub_plugin.errors import RepoLinkError


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

    from hub_plugin.validation.validator import read_manifest

    cards = sorted((SHARED / "cards" / "mindspore-1.8").glob("*.md"))
    if not cards:
        pytest.skip("../shared/cards is not here")
    for card in cards:
        link = parse_repo_link(read_manifest(card, "mindspore-hub").repo_link)
        assert link.repository == "https://gitee.com/mindspore/models" and link.ref == "r1.8"
        assert link.folder.split("/")[0] in ("official", "research", "community"), card


# --- issue 17: a card's repo-link is attacker input -------------------------------------------

import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from hub_plugin.cards.repo_link import check_ref, ref_problem  # noqa: E402

ZOO = "https://gitee.com/mindspore/models"


@pytest.mark.parametrize("link", [
    # case 1: traversal into another repository's checkout, encoded or not
    f"{ZOO}/tree/r1.8/official/cv/../../../../other-repo/{'a' * 40}/evil",
    f"{ZOO}/tree/master/%2Fany%2Ffolder",
    f"{ZOO}/tree/master/%2e%2e/%2e%2e/x",
    f"{ZOO}/tree/master/official%2F..%2F..%2Fx",
    f"{ZOO}/tree/master/%252e%252e/x",
    f"{ZOO}/tree/master/official/．．/．．/x",
    f"{ZOO}/tree/master/official\\..\\x",
    f"{ZOO}/tree/master/official//cv",
    f"{ZOO}/tree/master/official/cv%00",
    # case 3: a ref that git would read as an option
    f"{ZOO}/tree/--upload-pack=touch%20pwned/official",
    f"{ZOO}/tree/-c/official",
    f"{ZOO}/tree/a..b/official",
    f"{ZOO}/tree/r1.8.lock/official",
    f"{ZOO}/tree/@{{-1}}/official",
    # case 16: the repository path itself names another repository
    "https://gitee.com/mindspore/models/../../attacker/models/tree/master/x",
    "https://gitee.com/mindspore/%2e%2e/attacker/models",
    # file:// and user names: a card never names a local repository or credentials
    "file:///home/user/secret-repo",
    "https://gitee.com@evil.example/mindspore/models",
    "ssh://gitee.com/mindspore/models",
])
def test_a_hostile_repo_link_is_refused_in_one_line(link: str) -> None:
    with pytest.raises(RepoLinkError) as caught:
        parse_repo_link(link)
    assert "\n" not in str(caught.value)


def test_the_repository_is_normalised_into_the_key_trust_and_the_cache_use() -> None:
    a = parse_repo_link("https://Gitee.COM/mindspore/models.git")
    b = parse_repo_link("https://gitee.com/mindspore/models/tree/master/x")
    assert a.repository == "https://gitee.com/mindspore/models.git"
    assert a.key == b.key == "https://gitee.com/mindspore/models"


@pytest.mark.parametrize("ref", ["master", "r1.8", "v1.8.0", "HEAD", "feature/x", "a-b_c"])
def test_good_refs(ref: str) -> None:
    assert check_ref(ref) == ref


SEGMENTS = [
    "a", "cv", "src", "tree", "blob", "r1.8", "master", ".", "..", "%2e", "%2E%2E", "%2f", "%2F",
    "%252f", "%5C", "\\", "．．", "／", "\u2215", "\u2024\u2024", "", "-", "--upload-pack=x",
    "%00", "%0a", "@{", "~", "a.lock", "x y",
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(SEGMENTS), max_size=8), st.sampled_from(["tree", "blob", "src"]),
       st.sampled_from(SEGMENTS), st.booleans())
def test_generated_links_never_yield_a_path_outside_the_root(
    folder: list[str], marker: str, ref: str, trailing: bool
) -> None:
    """Property: whatever dots and separators (encoded, doubled, mixed, Unicode) a link holds,
    what parses is a ref git takes as a ref, and a folder that stays under any root."""
    link = f"{ZOO}/{marker}/{ref}/{'/'.join(folder)}" + ("/" if trailing else "")
    try:
        parsed = parse_repo_link(link)
    except RepoLinkError:
        return
    assert not parsed.ref.startswith("-") and ref_problem(parsed.ref) is None
    root = "/cache/zoo/key/commit"
    joined = os.path.normpath(os.path.join(root, parsed.folder))
    assert joined == root or joined.startswith(root + "/")
    assert all(p not in ("", ".", "..") for p in parsed.folder.split("/")) or parsed.folder == ""
    assert "\\" not in parsed.folder and "%" not in parsed.folder
    assert parsed.key == "https://gitee.com/mindspore/models"


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from([*"ab.-/@{}~^:?*[\\ lock", "\x01", "．"]),
               min_size=1, max_size=12))
def test_a_ref_that_passes_is_one_git_accepts(ref: str) -> None:
    """Property, against git itself: every ref :func:`check_ref` lets through, git's own
    ``check-ref-format`` accepts too (hub-plugin may refuse more, never less), and none is an
    option."""
    if ref_problem(ref) is not None:
        return
    done = subprocess.run(["git", "check-ref-format", "--allow-onelevel", ref],
                          capture_output=True)
    assert done.returncode == 0, ref
    assert not ref.startswith("-")


def test_a_look_alike_host_shows_as_what_it_is() -> None:
    """``gіtee.com`` with a Cyrillic ``і`` reads as Gitee in a trust question; it is shown, and
    keyed, in the ASCII form git and DNS use."""
    link = parse_repo_link("https://g\u0456tee.com/mindspore/models/tree/r1.8/official/cv/x")
    assert link.repository.startswith("https://xn--") and link.repository.isascii()
    assert link.key != parse_repo_link(f"{ZOO}/tree/r1.8/official/cv/x").key
