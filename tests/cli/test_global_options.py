"""The global options (``--debug``, ``--registry``) mean the same before and after the subcommand."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from card_samples import card_text, write_card

from hub_plugin.cli import build_parser, main
from hub_plugin.cli.global_options import merge_global_options

#: Each leaf command, with the fewest arguments it parses with.
COMMANDS = {
    ("validate",): ["cards/"],
    ("list",): [],
    ("info",): ["simclr"],
    ("download",): ["simclr"],
    ("inspect",): ["simclr"],
    ("convert",): ["simclr", "--to", "safetensors"],
    ("lock",): ["simclr"],
    ("cache", "ls"): [],
    ("cache", "rm"): ["simclr"],
    ("cache", "prune"): [],
    ("cache", "verify"): [],
    ("load",): ["simclr"],
    ("train",): ["simclr"],
    ("eval",): ["simclr"],
    ("predict",): ["simclr"],
    ("hub", "ls"): [],
    ("hub", "add"): ["zoo", "https://example.org/hub.git"],
    ("hub", "update"): [],
    ("hub", "rm"): ["zoo"],
    ("trust", "ls"): [],
    ("trust", "add"): ["simclr"],
    ("trust", "rm"): ["simclr"],
    ("export",): ["simclr", "--format", "onnx"],
    ("env",): [],
    ("publish",): ["runs/tiny"],
}


def leaf_commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found |= leaf_commands(sub, (*prefix, name)) or {(*prefix, name)}
    return found


def parse(argv: list[str]) -> dict:
    values = vars(merge_global_options(build_parser().parse_args(argv)))
    values.pop("run", None)
    return values


def test_the_table_names_every_subcommand() -> None:
    assert leaf_commands(build_parser()) == set(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS), ids=" ".join)
def test_after_the_subcommand_means_the_same_as_before_it(command: tuple[str, ...]) -> None:
    rest = COMMANDS[command]
    first = parse(["--debug", "--registry", "A", "--registry", "B", *command, *rest])
    assert first["debug"] is True and first["registry"] == ["A", "B"]
    after = parse([*command, "--debug", "--registry", "A", "--registry", "B", *rest])
    assert after == first
    if not rest or command[0] in ("train", "eval", "predict"):  # options at the very end too
        last = parse([*command, *rest, "--registry", "A", "--debug", "--registry", "B"])
        assert last == first
    mixed = parse(["--registry", "A", *command, "--registry", "B", *rest])
    assert mixed == {**first, "debug": False}
    plain = parse([*command, *rest])
    assert plain["debug"] is False and plain["registry"] == []


def test_a_package_option_stays_with_the_package(capsys) -> None:
    values = parse(["train", "simclr", "--epochs", "1", "--registry", "R", "--", "--debug"])
    assert values["registry"] == ["R"] and values["debug"] is False
    assert values["options"] == ["--epochs", "1", "--", "--debug"]


def test_info_with_the_registry_after_the_subcommand(capsys, tmp_path: Path) -> None:
    write_card(tmp_path / "hub", "tiny_after", card_text())
    assert main(["info", "--registry", str(tmp_path / "hub"), "tiny_after", "--format", "json"]) == 0
    assert '"name": "tiny_after"' in capsys.readouterr().out
    assert main(["--registry", str(tmp_path / "hub"), "info", "tiny_after", "--format", "json"]) == 0


def test_debug_after_the_subcommand_shows_the_traceback(tmp_path: Path, monkeypatch) -> None:
    import hub_plugin.validation.validator as validation

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(validation, "validate_paths", broken)
    assert main(["validate", str(tmp_path)]) == 1
    with pytest.raises(RuntimeError, match="boom"):
        main(["validate", "--debug", str(tmp_path)])
    with pytest.raises(RuntimeError, match="boom"):
        main(["validate", str(tmp_path), "--debug"])


def test_verbose_is_a_global_option_too() -> None:
    assert parse(["--verbose", "eval", "simclr"])["verbose"] is True
    assert parse(["eval", "simclr", "--epochs", "1", "--verbose"])["verbose"] is True
    assert parse(["hub", "ls", "--verbose"])["verbose"] is True
    assert parse(["hub", "ls"])["verbose"] is False


@pytest.mark.parametrize(("raised", "said"),
                         [(RecursionError, "too deeply nested"), (MemoryError, "too large")])
def test_input_too_deep_or_too_large_is_one_line_not_an_internal_error(
        raised: type[BaseException], said: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 27: RecursionError and MemoryError never end a command as an internal error; the
    readers turn them into typed errors, and the CLI's last net says what happened in one line."""
    import hub_plugin.cli.env as env_command

    def run(args: object) -> int:
        raise raised()

    monkeypatch.setattr(env_command, "run", run)
    assert main(["env"]) == 1
    stderr = capsys.readouterr().err
    assert stderr.count("\n") == 1 and said in stderr and "internal error" not in stderr


def test_version_is_answered_before_any_command_module_is_imported(
        capsys: pytest.CaptureFixture[str]) -> None:
    """``--version`` is the floor of every command's start-up (bench/bench_startup.py): it prints
    without building the parser, which imports every command module."""
    import subprocess
    import sys

    from hub_plugin import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"hub-plugin {__version__}\n"
    probe = ("import sys; from hub_plugin.cli import main; main(['--version']); "
             "print(sorted(m for m in sys.modules if m.startswith('hub_plugin.cli.')))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines()[-1] == "['hub_plugin.cli.global_options']"
