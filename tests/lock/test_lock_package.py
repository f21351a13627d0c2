"""``lock`` and ``--locked`` for a model package's cards, without MindSpore (nothing here builds a
network): the classifier's lock entry pins the encoder card it requires too; the package's code,
an asset's digest, a version and the lock file itself each give one line and the right exit code."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import tomllib
from asset_server import AssetServer
from card_samples import DIGEST, card_text, replace_field, write_card
from git_server import GitServer, WorkRepo
from hub_repos import CARDS, hub_card

from hub_plugin.cli import main
from hub_plugin.core.settings import Settings
from hub_plugin.errors import LockMismatch
from hub_plugin.lock.verify import locked_pins

HUBCONF = ('def create_network(name, **kwargs):\n'
           '    return {"encoder": encoder, "classifier": classifier}[name]()\n'
           '\n\ndef encoder():\n    """The encoder."""\n\n\ndef classifier():\n    """The classifier."""\n')


def _card(name: str, link: str, digest: str) -> str:
    text = card_text().replace("https://example.org/models/tiny.ckpt", link).replace(DIGEST, digest)
    return replace_field(text, "model-name", f"model-name: {name}") if "model-name" in text else text


@pytest.fixture
def registry(tmp_path: Path, asset_server: AssetServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "registry" / "pair"
    folder.mkdir(parents=True)
    (folder / "hubconf.py").write_text(HUBCONF, encoding="utf-8")
    (folder / "package.yaml").write_text(
        "default-card: classifier\ncards:\n  encoder: {network: encoder}\n"
        "  classifier: {network: classifier, requires: [encoder]}\n", encoding="utf-8")
    for name in ("encoder", "classifier"):
        content = f"{name} weights".encode()
        link = asset_server.add(f"/{name}.bin", content)  # not *.ckpt: no checkpoint parse
        write_card(folder, name, _card(name, link, hashlib.sha256(content).hexdigest()[:8]))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "registry"


def _err_line(capsys: pytest.CaptureFixture[str]) -> str:
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    return lines[0]


def test_the_entry_pins_the_package_code_and_the_required_cards_assets(
    registry: Path, asset_server: AssetServer, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--registry", str(registry), "lock", "classifier"]) == 0
    err = capsys.readouterr().err
    assert err.count("to learn its full sha256") == 2 and "wrote hub-plugin.lock" in err, err
    lock = tomllib.loads(Path("hub-plugin.lock").read_text(encoding="utf-8"))
    [model] = lock["model"]
    assert "hub" not in model and model["card"]["path"] == "--registry:pair/classifier.md"
    card_bytes = (registry / "pair" / "classifier.md").read_bytes()
    assert model["card"]["sha256"] == hashlib.sha256(card_bytes).hexdigest()
    assert model["route"]["kind"] == "package" and model["route"]["package"] == "pair"
    assert [(a["card"], a["sha256"], a["size"]) for a in model["assets"]] == [
        (name, hashlib.sha256(f"{name} weights".encode()).hexdigest(), len(f"{name} weights"))
        for name in ("encoder", "classifier")]
    assert main(["--registry", str(registry), "download", "classifier", "--locked"]) == 0
    assert main(["--registry", str(registry), "lock", "--check"]) == 0

    settings = Settings.from_environment(registries=[str(registry)])
    (registry / "pair" / "hubconf.py").write_text(HUBCONF + "# changed\n", encoding="utf-8")
    with pytest.raises(LockMismatch, match="the code of the model package pair changed"):
        locked_pins("classifier", None, settings, builds=True)
    locked_pins("classifier", None, settings, builds=False)  # download and info use no code


def test_the_required_cards_own_bytes_are_pinned(
    registry: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--registry", str(registry), "lock", "classifier"]) == 0
    encoder = registry / "pair" / "encoder.md"
    [model] = tomllib.loads(Path("hub-plugin.lock").read_text(encoding="utf-8"))["model"]
    assert model["requires"] == [{"card": "encoder", "path": "--registry:pair/encoder.md",
                                  "sha256": hashlib.sha256(encoder.read_bytes()).hexdigest()}]
    encoder.write_text(encoder.read_text(encoding="utf-8") + "\nedited, not its assets\n",
                       encoding="utf-8")
    capsys.readouterr()
    assert main(["--registry", str(registry), "download", "classifier", "--locked"]) == 1
    line = _err_line(capsys)
    assert "classifier: the required card encoder (--registry:pair/encoder.md) was edited" in line, line
    assert "hub-plugin lock --upgrade classifier" in line
    assert main(["--registry", str(registry), "lock", "--check"]) == 1  # the package's digest
    capsys.readouterr()  # holds its cards too: the check names that first
    assert main(["--registry", str(registry), "lock", "--upgrade", "classifier"]) == 0
    assert main(["--registry", str(registry), "download", "classifier", "--locked"]) == 0


def test_an_edited_required_asset_digest_and_a_version_are_refused(
    registry: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--registry", str(registry), "lock", "classifier"]) == 0
    encoder = registry / "pair" / "encoder.md"
    other = hashlib.sha256(b"other weights").hexdigest()
    old = hashlib.sha256(b"encoder weights").hexdigest()
    encoder.write_text(encoder.read_text(encoding="utf-8").replace(old[:8], other[:8]), encoding="utf-8")
    capsys.readouterr()
    assert main(["--registry", str(registry), "download", "classifier", "--locked"]) == 1
    line = _err_line(capsys)
    assert f"the card gives sha256 {other[:8]}, locked {old}" in line, line
    assert "hub-plugin lock --upgrade classifier" in line
    assert main(["--registry", str(registry), "lock", "--check"]) == 1
    capsys.readouterr()

    assert main(["--registry", str(registry), "lock", "--upgrade"]) == 1  # the asset is not served
    capsys.readouterr()
    lock = Path("hub-plugin.lock")
    lock.write_text(lock.read_text(encoding="utf-8").replace('hub-plugin = "', 'hub-plugin = "0.0.'),
                    encoding="utf-8")
    assert main(["--registry", str(registry), "info", "classifier", "--locked"]) == 1
    line = _err_line(capsys)
    assert "hub-plugin" in line and "is installed, locked 0.0." in line, line


@pytest.mark.parametrize(("text", "message"), [
    (None, "no lock file"),
    ("version = 1\n[versions\n", "cannot read the lock file"),
    ("version = 7\n", "is not a lock file of version 1"),
    ("version = 1\nversions = 3\n", "is damaged"),
    ('version = 1\n[versions]\n[[model]]\nname = "other"\n', "pins no model named 'classifier'"),
])
def test_a_bad_lock_file_is_one_line_and_exit_2(
    registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str | None, message: str,
) -> None:
    path = tmp_path / "given.lock"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    assert main(["--registry", str(registry), "download", "classifier", "--locked", str(path)]) == 2
    assert message in _err_line(capsys)


def test_the_api_takes_locked_and_export_passes_it_on(registry: Path, tmp_path: Path) -> None:
    import hub_plugin
    from hub_plugin.cli import build_parser
    from hub_plugin.cli.load import load_request

    assert main(["--registry", str(registry), "lock", "classifier", "--output", "pinned.lock"]) == 0
    paths = hub_plugin.download("classifier", registry=[registry], locked="pinned.lock")
    assert [p.read_bytes() for p in paths] == [b"classifier weights"]
    found = hub_plugin.info("classifier", registry=[registry], locked=tmp_path / "pinned.lock")
    assert found.name == "classifier"
    card = registry / "pair" / "classifier.md"
    card.write_text(card.read_text(encoding="utf-8") + "\nedited\n", encoding="utf-8")
    with pytest.raises(LockMismatch, match=r"classifier\.md was edited"):
        hub_plugin.info("classifier", registry=[registry], locked="pinned.lock")
    with pytest.raises(LockMismatch, match=r"classifier\.md was edited"):
        hub_plugin.download("classifier", registry=[registry], locked="pinned.lock")

    for argv, locked in ((["export", "classifier", "--format", "onnx", "--locked"], "hub-plugin.lock"),
                         (["load", "classifier", "--locked", "pinned.lock"], "pinned.lock"),
                         (["load", "classifier"], None)):
        assert load_request(build_parser().parse_args(argv)).locked == locked


def test_a_hub_cards_required_hub_card_is_pinned_and_read_at_the_locked_commit(
    registry: Path, asset_server: AssetServer, git_server: GitServer, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """A hub card naming its network (``network: pair.classifier``) and requiring another hub
    card by UID: the lock pins the required card's hub, commit and bytes; after both cards are
    edited upstream and the hub synced again, ``download --locked`` reads both at the locked
    commit."""
    links = {name: asset_server.add(f"/{name}.bin", f"{name} weights".encode())
             for name in ("encoder", "classifier")}

    def card(name: str, summary: str, extra: str = "") -> str:
        digest = hashlib.sha256(f"{name} weights".encode()).hexdigest()[:8]
        text = hub_card(name, summary=summary, asset_link=links[name], digest=digest)
        return text.replace("summary:", extra + "summary:", 1)

    hub = WorkRepo(tmp_path / "work-hub")
    cls_uid, enc_uid = "mindspore/1.8/cls_toy", "mindspore/1.8/enc_toy"

    def publish(summary: str) -> str:
        hub.write(f"{CARDS}/{enc_uid}.md", card("encoder", summary))
        hub.write(f"{CARDS}/{cls_uid}.md", card("classifier", summary, "network: pair.classifier\n"
                                                f"requires: {enc_uid}\n"))
        commit = hub.commit(summary)
        git_server.publish(hub, "hub.git")
        return commit

    first = publish("first")
    monkeypatch.setenv("HUB_PLUGIN_MIRROR", f"https://gitee.com/mindspore/={git_server.root}")
    assert main(["--registry", str(registry), "lock", cls_uid]) == 0
    [model] = tomllib.loads(Path("hub-plugin.lock").read_text(encoding="utf-8"))["model"]
    assert [(r["card"], r["hub"], r["commit"], r["path"]) for r in model["requires"]] == [
        ("enc_toy", "mindspore", first, f"{enc_uid}.md")]
    assert [a["card"] for a in model["assets"]] == ["enc_toy", "cls_toy"]

    publish("second")
    assert main(["hub", "update", "mindspore"]) == 0
    assert main(["--registry", str(registry), "lock", "--check"]) == 1
    capsys.readouterr()
    assert main(["--registry", str(registry), "download", cls_uid, "--locked"]) == 0
    import hub_plugin

    assert hub_plugin.info(cls_uid, registry=[registry], locked=True).fields["summary"] == "first"
    assert hub_plugin.info(cls_uid, registry=[registry]).fields["summary"] == "second"


def test_a_lock_of_local_cards_holds_where_the_folder_moves(
    registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """A local card is pinned by its place inside its registry (``--registry:pair/...``), not by
    an absolute path: the same lock holds for a colleague whose folder lives elsewhere."""
    assert main(["--registry", str(registry), "lock", "classifier"]) == 0
    moved = tmp_path / "elsewhere" / "registry"
    shutil.copytree(registry, moved)
    capsys.readouterr()
    assert main(["--registry", str(moved), "download", "classifier", "--locked"]) == 0, _err_line(capsys)
    assert main(["--registry", str(moved), "lock", "--check"]) == 0
