"""One answer to "is this a card" in a hub laid out like MindSpore Hub (issue 28, item 3): the
hub's own files under ``mshub_res/`` (the templates ``mshub_res/examples/commit_example*.md``) are
never cards, ``validate`` skips them, and the pre-commit hook's ``files`` pattern and the action
say the same."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import yaml
from card_samples import card_text, write_card
from locations import REPO

from hub_plugin.cards.card_files import HUB_CARD_FOLDER, HUB_RESOURCE_FOLDER, is_hub_resource
from hub_plugin.validation.selection import HUB_CARD_FOLDERS, select_cards

#: Files of a hub, each with front matter (so only the layout decides), relative to its root.
HUB_FILES = (
    "mshub_res/assets/mindspore/1.8/alexnet_cifar10.md",
    "mshub_res/assets/noah-cvlab/gpu/0.7/ghostnet_oxford.md",
    "mshub_res/examples/commit_example.md",
    "mshub_res/examples/commit_example_cn.md",
    "mshub_res/other/notes.md",
    "docs/stray_card.md",
    "CONTRIBUTING.md",
)
CARDS = {"mshub_res/assets/mindspore/1.8/alexnet_cifar10.md",
         "mshub_res/assets/noah-cvlab/gpu/0.7/ghostnet_oxford.md",
         "docs/stray_card.md", "CONTRIBUTING.md"}


def build_hub(root: Path) -> Path:
    for relative in HUB_FILES:
        path = root / relative
        write_card(path.parent, path.stem, card_text())
    return root


def hook() -> dict[str, object]:
    (declared,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    return dict(declared)


def hook_takes(relative: str) -> bool:
    declared = hook()
    return (bool(re.search(str(declared["files"]), relative))
            and not re.search(str(declared["exclude"]), relative))


def test_is_hub_resource_is_the_rest_of_mshub_res() -> None:
    assert HUB_CARD_FOLDERS == (HUB_CARD_FOLDER,) and HUB_CARD_FOLDER.startswith(HUB_RESOURCE_FOLDER + "/")
    assert is_hub_resource(PurePosixPath("mshub_res/examples/commit_example.md"))
    assert is_hub_resource(PurePosixPath("mshub_res/README.md"))
    assert not is_hub_resource(PurePosixPath("mshub_res/assets/mindspore/1.8/a.md"))
    assert not is_hub_resource(PurePosixPath("mshub_res_other/x.md"))
    assert not is_hub_resource(PurePosixPath("docs/x.md"))
    assert not is_hub_resource(PurePosixPath("mshub_res"))


def test_validate_at_the_root_checks_what_the_hook_takes(tmp_path: Path) -> None:
    hub = build_hub(tmp_path / "hub")
    selection = select_cards([hub])
    checked = {path.relative_to(hub).as_posix() for path in selection.files}
    assert checked == CARDS
    assert checked == {relative for relative in HUB_FILES if hook_takes(relative)}
    skipped = {Path(s.path).relative_to(hub).as_posix(): s.reason for s in selection.skipped}
    assert set(skipped) == set(HUB_FILES) - CARDS
    assert all("one of the hub's own files under mshub_res/" in reason for reason in skipped.values())


def test_each_file_given_by_name_gets_the_same_answer(tmp_path: Path) -> None:
    hub = build_hub(tmp_path / "hub")
    for relative in HUB_FILES:
        selection = select_cards([hub / relative])
        assert bool(selection.files) == (relative in CARDS) == hook_takes(relative), relative


def test_the_hook_and_the_action_describe_the_same_layout() -> None:
    text = (REPO / ".pre-commit-hooks.yaml").read_text()
    assert "mshub_res/examples/" in text
    assert str(hook()["files"]) == f"^({HUB_CARD_FOLDER}/|(?!{HUB_RESOURCE_FOLDER}/))"
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert "mshub_res/examples/" in action["inputs"]["paths"]["description"]
