"""``.pre-commit-hooks.yaml``, run for real: ``pre-commit try-repo`` over a hub with a good and a
bad card. pre-commit builds the hook's environment itself (``language: python``: a venv and a pip
install of this repository, the light package), as it will for a hub that adds the hook."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from card_samples import DIGEST, VALID_FRONT_MATTER, card_text, replace_field, write_card
from locations import REPO

BAD = card_text(replace_field(VALID_FRONT_MATTER, "fine-tunable", "fine-tunable: sometimes"))
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def test_the_hook_declares_markdown_and_leaves_readmes_out() -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "hub-plugin-validate" and hook["types"] == ["markdown"]
    # --allow-empty: staged Markdown that is no card is skipped, not "no card found" (issue 28)
    assert hook["entry"] == "hub-plugin validate --allow-empty" and hook["language"] == "python"


def hook_takes(path: str) -> bool:
    """Whether pre-commit passes ``path`` to the hook (``files`` and ``exclude`` are Python
    regular expressions searched in the path relative to the repository)."""
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    return bool(re.search(hook["files"], path)) and not re.search(hook["exclude"], path)


def test_the_hooks_files_follow_mindspore_hubs_layout_and_others() -> None:
    taken = ["mshub_res/assets/mindspore/1.8/alexnet_cifar10.md",
             "mshub_res/assets/noah-cvlab/gpu/0.7/ghostnet_oxford.md",
             "CONTRIBUTING.md", "RELEASE.md",  # validate skips these itself: no front matter
             "cards/tiny.md", "models/simclr/cards/simclr_encoder_cifar10.md"]
    left_out = ["mshub_res/examples/lenet.md", "mshub_res/README.md", ".gitee/PULL_REQUEST_TEMPLATE.md",
                ".github/ISSUE_TEMPLATE/bug.md", "README.md", "cards/README_CN.md",
                "mshub_res/assets/mindspore/README.md"]
    assert [p for p in taken if not hook_takes(p)] == []
    assert [p for p in left_out if hook_takes(p)] == []


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout as it is now (tracked and new files, not ignored ones), committed in a
    repository of its own: try-repo installs what is committed."""
    copy = tmp_path_factory.mktemp("hook-repo") / "hub-plugin"
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO, check=True, capture_output=True, text=True).stdout
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    git(copy, "init", "-q")
    git(copy, "add", "-A")
    git(copy, "-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-q", "-m", "snapshot")
    return copy


@pytest.fixture
def hub(tmp_path: Path) -> Path:
    repo = tmp_path / "hub"
    write_card(repo / "cards", "good", card_text())
    write_card(repo / "cards", "bad", BAD)
    (repo / "README.md").write_text("# a hub\n\nNo front matter here, and none needed.\n")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    return repo


def pre_commit(hub: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    return subprocess.run([*PRE_COMMIT, *args], cwd=hub, env=env, capture_output=True, text=True,
                          timeout=600)


@pytest.mark.slow
def test_try_repo_fails_on_the_bad_card_at_its_line(hook_repo: Path, hub: Path, tmp_path: Path) -> None:
    home = tmp_path / "pre-commit-home"
    result = pre_commit(hub, home, "try-repo", str(hook_repo), "hub-plugin-validate", "--all-files")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "cards/bad.md:" in result.stdout
    assert ": schema/type: 'fine-tunable' must be True or False" in result.stdout
    assert "2 files checked (strict): 1 valid, 1 invalid" in result.stdout  # README.md left out
    (hub / "cards" / "bad.md").unlink()
    git(hub, "add", "-A")
    result = pre_commit(hub, home, "try-repo", str(hook_repo), "hub-plugin-validate", "--all-files")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


@pytest.mark.slow
def test_the_profile_goes_through_args(hook_repo: Path, tmp_path: Path) -> None:
    """A hub's own .pre-commit-config.yaml, naming the hook and --profile mindspore-hub."""
    hub = tmp_path / "hub"
    write_card(hub / "cards", "prefix", card_text(VALID_FRONT_MATTER.replace(DIGEST, "cc4fbd91")))
    revision = subprocess.run(["git", "rev-parse", "HEAD"], cwd=hook_repo, check=True,
                              capture_output=True, text=True).stdout.strip()
    config = {"repos": [{"repo": str(hook_repo), "rev": revision, "hooks": [
        {"id": "hub-plugin-validate", "args": ["--profile", "mindspore-hub"]}]}]}
    (hub / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    git(hub, "init", "-q")
    git(hub, "add", "-A")
    home = tmp_path / "pre-commit-home"
    result = pre_commit(hub, home, "run", "--all-files")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 file checked (mindspore-hub): 1 valid, 0 invalid" not in result.stdout  # quiet on success
    config["repos"][0]["hooks"][0]["args"] = []  # strict: the 8-digit prefix is an error
    (hub / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    git(hub, "add", "-A")
    result = pre_commit(hub, home, "run", "--all-files")
    assert result.returncode == 1
    assert "1 file checked (strict): 0 valid, 1 invalid" in result.stdout


@pytest.mark.slow
def test_the_hook_at_the_root_of_a_hub_laid_out_like_mindspore_hub(hook_repo: Path, tmp_path: Path) -> None:
    hub = tmp_path / "hub"
    cards = hub / "mshub_res" / "assets" / "mindspore" / "1.8"
    write_card(cards, "alexnet_cifar10", card_text())
    write_card(cards, "broken_cifar10", BAD)
    (hub / ".gitee").mkdir(parents=True)
    (hub / ".gitee" / "PULL_REQUEST_TEMPLATE.md").write_text("**What type of PR is this?**\n")
    (hub / "mshub_res" / "examples").mkdir(parents=True)
    (hub / "mshub_res" / "examples" / "lenet.md").write_text("# LeNet\n\nRun it.\n")
    (hub / "CONTRIBUTING.md").write_text("# Contributing\n\nWrite a card.\n")
    (hub / "RELEASE.md").write_text("# Release\n\n- more cards\n")
    git(hub, "init", "-q")
    git(hub, "add", "-A")
    home = tmp_path / "pre-commit-home"
    result = pre_commit(hub, home, "try-repo", str(hook_repo), "hub-plugin-validate", "--all-files")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "mshub_res/assets/mindspore/1.8/broken_cifar10.md:" in result.stdout
    assert "CONTRIBUTING.md: skipped: not a card" in result.stdout
    assert "2 files checked (strict): 1 valid, 1 invalid; 2 skipped, not cards" in result.stdout
    assert "examples" not in result.stdout and "PULL_REQUEST_TEMPLATE" not in result.stdout
