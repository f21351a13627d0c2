"""``hub-plugin validate``: formats, exit codes, and one-line errors."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from card_samples import DIGEST, VALID_FRONT_MATTER, card_text, line_of, replace_field, write_card

from hub_plugin.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cards(tmp_path: Path) -> Path:
    write_card(tmp_path, "good", card_text())
    bad = replace_field(VALID_FRONT_MATTER, "fine-tunable", "fine-tunable: sometimes")
    write_card(tmp_path, "bad", card_text(bad.replace(DIGEST, "cc4fbd91")))
    return tmp_path


def test_valid_cards_exit_zero(capsys, tmp_path: Path) -> None:
    write_card(tmp_path, "good", card_text())
    code, out, _ = run(capsys, "validate", str(tmp_path))
    assert code == 0
    assert out.strip() == "1 file checked (strict): 1 valid, 0 invalid"


def test_text_format_lists_every_defect_as_path_line_column_rule_message(
    capsys, cards: Path
) -> None:
    code, out, err = run(capsys, "validate", str(cards))
    assert code == 1 and err == ""
    lines = out.strip().splitlines()
    text = (cards / "bad.md").read_text()
    assert lines[0] == (
        f"{cards / 'bad.md'}:{line_of(text, 'fine-tunable')}:15: schema/type: "
        "'fine-tunable' must be True or False (got 'sometimes')"
    )
    assert re.match(rf"{re.escape(str(cards / 'bad.md'))}:\d+:19: sha256: .*weak check", lines[1])
    assert lines[-1] == "2 files checked (strict): 1 valid, 1 invalid"


def test_json_format(capsys, cards: Path) -> None:
    code, out, _ = run(capsys, "validate", "--format", "json", str(cards))
    assert code == 1
    report = json.loads(out)
    assert report["summary"] == {"files": 2, "valid": 1, "invalid": 1}
    bad = next(f for f in report["files"] if f["path"].endswith("bad.md"))
    assert bad["valid"] is False
    assert set(bad["errors"][0]) == {"line", "column", "pointer", "rule", "message"}
    assert [e["pointer"] for e in bad["errors"]] == ["/fine-tunable", "/asset/0/asset-sha256"]
    assert bad["warnings"] == []


def test_hub_profile_turns_the_prefix_into_a_warning(capsys, cards: Path) -> None:
    code, out, _ = run(
        capsys, "validate", "--profile", "mindspore-hub", "--format", "json", str(cards / "bad.md")
    )
    (file,) = json.loads(out)["files"]
    assert [e["rule"] for e in file["errors"]] == ["schema/type"]
    assert [w["rule"] for w in file["warnings"]] == ["sha256"]
    assert code == 1


def test_github_format_writes_annotations(capsys, cards: Path) -> None:
    code, out, _ = run(capsys, "validate", "--format", "github", str(cards / "bad.md"))
    first = out.splitlines()[0]
    assert code == 1
    assert re.fullmatch(
        r"::error file=[^,]+bad\.md,line=\d+,col=15,title=schema/type::'fine-tunable' .*", first
    )


def test_a_missing_path_exits_two_with_one_line(capsys, tmp_path: Path) -> None:
    code, out, err = run(capsys, "validate", str(tmp_path / "nope"))
    assert code == 2 and out == ""
    assert err.strip() == f"hub-plugin: error: no such file or folder: {tmp_path / 'nope'}"


def test_an_unreadable_card_is_reported_and_exits_two(capsys, tmp_path: Path) -> None:
    write_card(tmp_path, "good", card_text())
    unreadable = tmp_path / "socket.md"  # named like a card, but open() fails (even for root)
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(unreadable))
    try:
        code, out, _ = run(capsys, "validate", str(tmp_path / "good.md"), str(unreadable))
    finally:
        server.close()
    assert code == 2
    assert f"{unreadable}: read: " in out
    assert "2 files checked (strict): 1 valid, 1 invalid" in out


BAD_INPUTS = {
    "no-front-matter": b"# title\n\nno front matter\n",
    "unclosed": b"---\nmodel-name: x\n",
    "yaml-error": b"---\nmodel-name: [x\n---\n",
    "not-a-mapping": b"---\n- a\n---\n",
    "duplicate-key": card_text(VALID_FRONT_MATTER + "author: again\n").encode(),
    "tabs": b"---\nasset:\n-\n\tfile-format: ckpt\n---\n",
    "latin-1": card_text().encode().replace(b"Test", b"T\xe9st"),
    "binary": bytes(range(256)) * 4,
    "empty": b"",
    "python-tag": b"---\nx: !!python/object/apply:os.system ['echo pwned']\n---\n",
    "alias-bomb": b"---\na: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n---\n",
    "deep": b"---\nx: " + b"[" * 100000 + b"]" * 100000 + b"\n---\n",
    "huge": b"---\nsummary: " + b"x" * (2 * 1024 * 1024) + b"\n---\n",
}


def test_every_bad_input_is_one_clean_report_in_a_subprocess(tmp_path: Path) -> None:
    for name, data in BAD_INPUTS.items():
        (tmp_path / f"{name}.md").write_bytes(data)
    result = subprocess.run(
        [sys.executable, "-m", "hub_plugin", "validate", "--format", "json", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "pwned" not in result.stdout
    report = json.loads(result.stdout)
    by_name = {Path(f["path"]).stem: f for f in report["files"]}
    assert set(by_name) == set(BAD_INPUTS)
    expected = {
        "no-front-matter": "front-matter",
        "unclosed": "front-matter",
        "yaml-error": "yaml",
        "not-a-mapping": "front-matter",
        "duplicate-key": "duplicate-key",
        "tabs": "tab-indent",
        "latin-1": "encoding",
        "binary": "encoding",
        "empty": "empty",
        "python-tag": "tag",
        "alias-bomb": "alias",
        "deep": "depth",
        "huge": "size",
    }
    for name, rule in expected.items():
        file = by_name[name]
        assert not file["valid"], name
        assert rule in [e["rule"] for e in file["errors"]], (name, file["errors"])


def test_validate_list_and_info_never_import_mindspore(tmp_path: Path) -> None:
    write_card(tmp_path, "good", card_text())
    script = (
        "import sys\n"
        "from hub_plugin.cli import main\n"
        f"assert main(['validate', {str(tmp_path)!r}]) == 0\n"
        "assert main(['list', '--format', 'json']) == 0\n"
        "assert main(['info', 'simclr', '--format', 'json']) == 0\n"
        "assert 'mindspore' not in sys.modules, 'mindspore was imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_internal_errors_are_one_line_unless_debug(capsys, tmp_path: Path, monkeypatch) -> None:
    import hub_plugin.validation.validator as validation

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(validation, "validate_paths", broken)
    code, _, err = run(capsys, "validate", str(tmp_path))
    assert code == 1 and err.strip() == (
        "hub-plugin: internal error: RuntimeError: boom (run with --debug for the traceback)"
    )
    with pytest.raises(RuntimeError):
        main(["--debug", "validate", str(tmp_path)])


def test_a_plain_validate_never_loads_the_assets_layer(tmp_path: Path) -> None:
    """Start-up matters in a hub's CI: without --check-links or --verify-assets, validate loads no
    download machinery (requests, filelock and the assets layer's modules)."""
    write_card(tmp_path, "good", card_text())
    script = (
        "import sys\n"
        "from hub_plugin.cli import main\n"
        f"assert main(['validate', {str(tmp_path)!r}]) == 0\n"
        "download = ('hub_plugin.downloads', 'hub_plugin.cache', 'hub_plugin.git', 'requests', 'filelock')\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(download))\n"
        "assert loaded == [], loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
