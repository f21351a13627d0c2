"""``trust-files`` in ``package.yaml``: glob patterns of configuration files, inside the folder."""

from __future__ import annotations

from pathlib import Path

from card_samples import card_text, write_card

from hub_plugin.validation.validator import validate_file


def package_yaml(folder: Path, trust_files: str) -> Path:
    write_card(folder, "tiny", card_text())
    (folder / "hubconf.py").write_text("def tiny_net():\n    'A net.'\n")
    (folder / "package.yaml").write_text(f"cards:\n  tiny: {{network: tiny_net}}\n{trust_files}")
    return folder / "package.yaml"


def test_patterns_inside_the_package_are_valid(tmp_path: Path) -> None:
    path = package_yaml(tmp_path / "tiny", "trust-files: [presets/*.yaml, '**/*.json', a..b.toml]\n")
    assert validate_file(path).valid


def test_patterns_that_leave_the_package_are_errors_with_their_line(tmp_path: Path) -> None:
    path = package_yaml(
        tmp_path / "tiny", "trust-files:\n  - ok.yaml\n  - ../shared/*.yaml\n  - /etc/hosts\n"
    )
    errors = validate_file(path).errors
    assert [error.line for error in errors] == [5, 6]
    assert all("inside it" in error.message for error in errors)


def test_trust_files_is_a_list(tmp_path: Path) -> None:
    path = package_yaml(tmp_path / "tiny", "trust-files: presets/*.yaml\n")
    assert [error.rule for error in validate_file(path).errors] == ["schema/type"]
