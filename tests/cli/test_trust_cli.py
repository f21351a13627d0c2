"""``hub-plugin trust ls|add|rm``, and a trusted package edited behind trust's back, end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pseudo_terminal import run_on_a_terminal

from hub_plugin.cli import main

URL = "https://gitee.com/mindspore/models"
COMMIT = "4f1c2a9e0b7d5a6c3e2f1a0b9c8d7e6f5a4b3c2d"


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    """A registry folder with the model package ``toy``, whose ``train`` lives in ``network.py``."""
    folder = tmp_path / "registry" / "toy"
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    (folder / "hubconf.py").write_text(
        "def create_network(name, **kwargs):\n    return None\n\n\n"
        "def train(overrides):\n    from .network import run\n\n    return run(overrides)\n"
    )
    (folder / "network.py").write_text("def run(overrides):\n    return 'toy trained'\n")
    return tmp_path / "registry"


def hub_plugin(*arguments: str) -> subprocess.CompletedProcess[str]:
    """The real command line, without a terminal."""
    return subprocess.run(
        [sys.executable, "-m", "hub_plugin", *arguments],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    return result.stderr


def test_an_edited_or_added_module_of_a_trusted_package_is_refused_naming_the_file(
    registry: Path,
) -> None:
    train = ("--registry", str(registry), "train", "toy")
    assert "is not trusted yet" in one_line(hub_plugin(*train))
    added = hub_plugin("--registry", str(registry), "trust", "add", "toy")
    assert added.returncode == 0, added.stderr
    assert "runs these 3 files" in added.stdout and "network.py" in added.stdout
    assert "digest: " in added.stdout
    ran = hub_plugin(*train)
    assert ran.returncode == 0 and "toy trained" in ran.stdout, ran.stderr

    (registry / "toy" / "network.py").write_text(
        "import os\n\n\ndef run(overrides):\n    return os.getcwd()\n"
    )
    error = one_line(hub_plugin(*train))
    assert "changed since it was trusted on" in error and "modified network.py" in error
    assert "hub-plugin trust add toy" in error and "--trust" in error

    again = hub_plugin("--registry", str(registry), "trust", "add", "toy")
    assert "modified network.py" in again.stdout
    assert hub_plugin(*train).returncode == 0

    (registry / "toy" / "helpers.py").write_text("print('new code')\n")
    error = one_line(hub_plugin(*train))
    assert "added helpers.py" in error and "modified" not in error


def test_an_unchanged_trusted_package_is_not_asked(registry: Path) -> None:
    assert main(["--registry", str(registry), "trust", "add", "toy"]) == 0
    cache = registry / "toy" / "__pycache__" / "network.cpython-311.pyc"
    cache.parent.mkdir(exist_ok=True)
    cache.write_bytes(b"Python's own cache of a source: never read, so not covered")
    result = hub_plugin("--registry", str(registry), "train", "toy")
    assert result.returncode == 0 and result.stderr == "", result.stderr


def _run_on_a_terminal(arguments: list[str], answer: bytes) -> tuple[int, str]:
    """Run hub-plugin on a pseudo-terminal; answer its question; its exit code and output."""
    return run_on_a_terminal(arguments, answer)


def test_on_a_terminal_the_question_names_the_change_and_a_yes_is_remembered(
    registry: Path,
) -> None:
    assert main(["--registry", str(registry), "trust", "add", "toy"]) == 0
    (registry / "toy" / "network.py").write_text("def run(overrides):\n    return 'edited'\n")
    train = ["--registry", str(registry), "train", "toy"]
    code, output = _run_on_a_terminal(train, b"n\n")
    assert code == 1 and "modified network.py" in output and "Run it?" in output
    code, output = _run_on_a_terminal(train, b"y\n")
    assert code == 0 and "edited" in output, output
    assert hub_plugin(*train).returncode == 0  # remembered: no terminal needed now


def test_trust_ls_lists_packages_and_repositories_as_a_table_and_json(
    registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trust", "ls"]) == 0
    assert "nothing trusted beyond the bundled registry" in capsys.readouterr().out
    assert main(["--registry", str(registry), "trust", "add", "toy"]) == 0
    assert main(["trust", "add", URL + ".git", "--commit", COMMIT]) == 0
    assert f"the repository {URL} at commit {COMMIT}" in capsys.readouterr().out
    assert main(["trust", "ls"]) == 0
    table = capsys.readouterr().out
    assert "toy" in table and "gitee.com" in table and COMMIT in table  # long paths fold
    assert "(3 files)" in table and "bundled registry is always trusted" in table
    assert main(["trust", "ls", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    package, repository = listed["entries"]
    assert package["kind"] == "package" and package["folder"] == str((registry / "toy").resolve())
    assert len(package["digest"]) == 64 and package["files"] == 3 and package["trusted-at"]
    assert repository == {
        "kind": "repository", "name": "", "url": URL, "source": "trust add",
        "trusted-at": repository["trusted-at"], "commit": COMMIT,
    }


def test_trust_rm_by_name_url_or_all(registry: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--registry", str(registry), "trust", "add", "toy"]) == 0
    assert main(["trust", "add", URL, "--commit", COMMIT]) == 0
    assert main(["trust", "add", "https://example.org/zoo", "--commit", COMMIT]) == 0
    capsys.readouterr()
    assert main(["trust", "rm", "toy"]) == 0
    assert "no longer trusted: package toy" in capsys.readouterr().out
    assert "is not trusted yet" in one_line(hub_plugin("--registry", str(registry), "train", "toy"))
    assert main(["trust", "rm", URL + "/"]) == 0
    assert main(["trust", "rm", "toy"]) == 2
    assert "nothing trusted is called 'toy'" in capsys.readouterr().err
    assert main(["trust", "rm", "--all"]) == 0
    assert "https://example.org/zoo" in capsys.readouterr().out
    config = Path(os.environ["HUB_PLUGIN_CONFIG"])
    assert json.loads((config / "trusted.json").read_text()) == {"format": 2, "entries": []}


def test_trust_usage_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trust", "rm"]) == 2
    assert "NAME" in capsys.readouterr().err
    assert main(["trust", "rm", "toy", "--all"]) == 2
    capsys.readouterr()
    assert main(["trust", "add", URL]) == 2
    assert "--commit" in capsys.readouterr().err
    assert main(["trust", "add", "nosuchpackage"]) == 1
    assert "no model named 'nosuchpackage'" in capsys.readouterr().err


def test_the_bundled_registry_needs_no_trust(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trust", "add", "simclr"]) == 0
    assert "always trusted" in capsys.readouterr().out
    assert not (Path(os.environ["HUB_PLUGIN_CONFIG"]) / "trusted.json").exists()


def test_trust_never_imports_mindspore(registry: Path) -> None:
    script = (
        "import sys\n"
        "from hub_plugin.cli import main\n"
        f"assert main(['--registry', {str(registry)!r}, 'trust', 'add', 'toy']) == 0\n"
        f"assert main(['trust', 'add', {URL!r}, '--commit', {COMMIT!r}]) == 0\n"
        "assert main(['trust', 'ls']) == 0\n"
        "assert main(['trust', 'ls', '--format', 'json']) == 0\n"
        "assert main(['trust', 'rm', '--all']) == 0\n"
        "assert 'mindspore' not in sys.modules, 'mindspore was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr


def test_trust_add_with_a_short_commit_is_resolved_once_or_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 17, case 7: ``trust add URL --commit 6d2622e`` trusted every commit with those
    digits (one ground in 62 s ran). A short id is resolved against the repository's checkouts in
    the zoo cache (exactly one must match) and stored in full; otherwise refused in one line."""
    from hub_plugin.zoo.checkout import ZOO_FOLDER, repository_key

    assert main(["trust", "add", URL, "--commit", COMMIT[:7]]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a full commit id" in err
    home = Path(os.environ["HUB_PLUGIN_HOME"])
    store = Path(os.environ["HUB_PLUGIN_CONFIG"]) / "trusted.json"
    assert not store.exists()
    checkouts = home / ZOO_FOLDER / repository_key(URL + ".git")
    (checkouts / COMMIT).mkdir(parents=True)
    assert main(["trust", "add", URL, "--commit", COMMIT[:7]]) == 0
    assert f"is the commit {COMMIT}" in capsys.readouterr().out
    (checkouts / (COMMIT[:7] + "0" * 33)).mkdir()
    assert main(["trust", "add", URL, "--commit", COMMIT[:7]]) == 2
    assert "2 cached checkouts start with it" in capsys.readouterr().err
    (entry,) = json.loads(store.read_text())["entries"]
    assert entry["commit"] == COMMIT


#: A file name that, printed raw, clears the screen, moves to the top and draws a question of its
#: own (issue 27, hole 1): git and every file system but Windows' accept it.
FORGING_NAME = "\x1b[2J\x1b[HThe model package 'toy' is in the bundled registry.py"


def test_a_file_name_made_of_escape_sequences_is_refused_before_the_question(registry: Path) -> None:
    """Issue 27, hole 1: the names of the files that will run were printed raw in the question,
    so a package could redraw it; now such a package is refused before anything is listed, with
    the name shown escaped, on a terminal and off one (``trust add``'s listing)."""
    (registry / "toy" / FORGING_NAME).write_text("print('not what the screen said')\n")
    code, output = _run_on_a_terminal(["--registry", str(registry), "train", "toy"], b"y\n")
    assert code == 1 and "[y/N]" not in output and "not what the screen said" not in output
    assert "\x1b[2J" not in output and "\\x1b[2J\\x1b[HThe model package" in output
    added = hub_plugin("--registry", str(registry), "trust", "add", "toy")
    assert "\x1b" not in added.stdout + one_line(added) and "control characters" in added.stderr


def test_the_untrusted_hint_finds_a_registry_package_without_init_as_printed(
    registry: Path,
) -> None:
    """Issue 28, item 5: the hint said ``hub-plugin trust add toy`` without the ``--registry``
    that found the package (it then answered "no model named 'toy'"), and ``load`` refused a
    package without ``__init__.py`` that ``list``, ``info`` and ``trust add`` took (adding one
    voided the trust). The hint now carries ``--registry DIR``; run as printed, it trusts the
    package, which runs with no ``__init__.py``."""
    import re
    import shlex

    (registry / "toy" / "__init__.py").unlink()
    train = ("--registry", str(registry), "train", "toy")
    error = one_line(hub_plugin(*train))
    hint = re.search(r"run '(hub-plugin trust add [^']*)'", error)
    assert hint is not None, error
    command = shlex.split(hint.group(1))
    assert command[:4] == ["hub-plugin", "trust", "add", "toy"]
    assert command[4:] == ["--registry", str(registry.resolve())]
    added = hub_plugin(*command[1:])
    assert added.returncode == 0, added.stderr
    assert "runs these 2 files" in added.stdout
    ran = hub_plugin(*train)
    assert ran.returncode == 0 and "toy trained" in ran.stdout, ran.stderr
