"""Trust: code from outside the bundled registry runs only once someone said yes, and any change to
any file that can run (not only ``hubconf.py``) is asked about again, naming what changed."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import py_compile
from pathlib import Path

import pytest
from card_samples import card_text, write_card

from hub_plugin.errors import CodeChangedSinceTrust, TrustStoreError, UntrustedCode
from hub_plugin.packages.hubconf_import import import_hubconf
from hub_plugin.registry import Registry
from hub_plugin.registry.registry import ModelPackage
from hub_plugin.trust.gate import ensure_repository_trusted, ensure_trusted, is_trusted
from hub_plugin.trust.store import TrustStore


def open_package(registry_folder: Path) -> ModelPackage:
    registry = Registry.open([registry_folder], environment=False, plugins=False)
    return registry.package("outsider")


@pytest.fixture
def package(tmp_path: Path) -> ModelPackage:
    folder = tmp_path / "registry" / "outsider"
    write_card(folder, "outsider_card", card_text())
    (folder / "__init__.py").write_text("")
    (folder / "hubconf.py").write_text(
        "def outsider():\n    'Code from elsewhere.'\n    from .network import build\n\n"
        "    return build()\n"
    )
    (folder / "network.py").write_text("def build():\n    return 'a network'\n")
    (folder / "package.yaml").write_text(
        "cards:\n  outsider_card: {network: outsider}\ntrust-files: [presets/*.yaml]\n"
    )
    (folder / "presets").mkdir()
    (folder / "presets" / "small.yaml").write_text("width: 8\n")
    return open_package(tmp_path / "registry")


def never(question: str) -> bool:
    raise AssertionError(f"asked: {question}")


def trusted_once(package: ModelPackage, store: TrustStore) -> None:
    ensure_trusted(package, store=store, ask=lambda q: True, interactive=True)


def refusal(package: ModelPackage, store: TrustStore) -> str:
    with pytest.raises(UntrustedCode) as caught:
        ensure_trusted(package, store=store, interactive=False)
    return str(caught.value)


def question(package: ModelPackage, store: TrustStore) -> str:
    asked: list[str] = []
    with pytest.raises(UntrustedCode, match="not trusted"):
        ensure_trusted(package, store=store, ask=lambda q: asked.append(q) or False,
                       interactive=True)
    assert len(asked) == 1
    return asked[0]


def test_the_bundled_registry_is_trusted_without_asking() -> None:
    bundled = Registry.open(plugins=False).package("simclr")
    ensure_trusted(bundled, ask=never, interactive=True)


def test_outside_code_in_a_non_interactive_run_is_a_clear_error(package) -> None:
    message = refusal(package, TrustStore())
    assert "--trust" in message and str(package.path) in message
    assert "not trusted yet" in message and "hub-plugin trust add outsider" in message


def test_trust_true_runs_once_without_remembering(package, tmp_path: Path) -> None:
    store = TrustStore(tmp_path / "home")
    ensure_trusted(package, True, store=store, ask=never, interactive=False)
    assert not is_trusted(package, store)


def test_trust_false_refuses(package, tmp_path: Path) -> None:
    with pytest.raises(UntrustedCode, match="refusing"):
        ensure_trusted(package, False, store=TrustStore(tmp_path / "home"))


def test_a_yes_is_asked_once_and_remembered(package, tmp_path: Path) -> None:
    store = TrustStore(tmp_path / "home")
    questions: list[str] = []
    ensure_trusted(package, store=store, ask=lambda q: questions.append(q) or True, interactive=True)
    assert len(questions) == 1 and "outsider" in questions[0]
    assert "6 files (hubconf.py, __init__.py, network.py" in questions[0]  # what will run
    assert is_trusted(package, store)
    ensure_trusted(package, store=TrustStore(tmp_path / "home"), ask=never, interactive=True)
    ensure_trusted(package, store=TrustStore(tmp_path / "home"), interactive=False)


def test_an_unchanged_package_opened_again_is_not_asked(package, tmp_path: Path) -> None:
    store = TrustStore(tmp_path / "home")
    trusted_once(package, store)
    cache = Path(importlib.util.cache_from_source(str(package.path / "network.py")))
    cache.parent.mkdir(exist_ok=True)
    cache.write_bytes(b"Python's own cache of a source: never read, so not covered")
    again = open_package(tmp_path / "registry")
    ensure_trusted(again, store=store, ask=never, interactive=True)
    ensure_trusted(again, store=store, interactive=False)


def test_any_other_file_added_is_asked_about(package, tmp_path: Path) -> None:
    """Issue 17: the digest covers every regular file but declared data (a README the code reads
    steers it as a preset does)."""
    store = TrustStore(tmp_path / "home")
    trusted_once(package, store)
    (package.path / "README.md").write_text("notes the code may read\n")
    assert "added README.md" in refusal(open_package(tmp_path / "registry"), store)


def _plant_bytecode(source: Path, evil: str, mode: py_compile.PycInvalidationMode) -> Path:
    """A pyc of ``evil`` where Python looks for ``source``'s cache, which Python's own loader
    would run: a timestamp pyc recording the source's mtime and size, or an unchecked-hash one."""
    fake = source.with_name("evil_source.py")
    fake.write_text(evil + " " * max(0, source.stat().st_size - len(evil) - 1) + "\n")
    stamp = source.stat()
    os.utime(fake, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    cache = Path(importlib.util.cache_from_source(str(source)))
    py_compile.compile(str(fake), cfile=str(cache), invalidation_mode=mode, doraise=True)
    fake.unlink()
    return cache


@pytest.mark.parametrize("mode", [py_compile.PycInvalidationMode.TIMESTAMP,
                                  py_compile.PycInvalidationMode.UNCHECKED_HASH])
def test_planted_bytecode_in_a_trusted_package_never_runs(
    package, tmp_path: Path, mode: py_compile.PycInvalidationMode
) -> None:
    """Issue 17, case 4: a planted ``__pycache__/*.pyc`` ran in place of the trusted source.
    Now the source bytes that were hashed are compiled; the pyc is never read."""
    store = TrustStore(tmp_path / "home")
    trusted_once(package, store)
    marker = tmp_path / "pwned"
    _plant_bytecode(package.path / "network.py",
                    f"open({str(marker)!r}, 'w').write('ran')\ndef build(): return 'evil'", mode)
    again = open_package(tmp_path / "registry")
    code = ensure_trusted(again, store=store, ask=never, interactive=False)
    assert code is not None
    hubconf = import_hubconf(again.path, code.files, code.scope)
    assert hubconf.outsider() == "a network"
    assert not marker.exists()


def test_a_module_changed_after_the_trust_check_is_refused_when_imported(
    package, tmp_path: Path
) -> None:
    """Issue 17, case 6: hubconf imports ``network`` lazily (inside the entry point); a file
    rewritten between the trust check and that import is refused, before it runs."""
    store = TrustStore(tmp_path / "home")
    trusted_once(package, store)
    code = ensure_trusted(package, store=store, ask=never, interactive=False)
    assert code is not None
    hubconf = import_hubconf(package.path, code.files, code.scope)
    marker = tmp_path / "pwned"
    (package.path / "network.py").write_text(
        f"open({str(marker)!r}, 'w').write('ran')\ndef build():\n    return 'evil'\n")
    with pytest.raises(CodeChangedSinceTrust, match=r"network.*changed since trust was checked"):
        hubconf.outsider()
    assert not marker.exists()


def test_a_module_added_after_the_trust_check_is_refused(package, tmp_path: Path) -> None:
    store = TrustStore(tmp_path / "home")
    trusted_once(package, store)
    code = ensure_trusted(package, store=store, ask=never, interactive=False)
    assert code is not None
    hubconf = import_hubconf(package.path, code.files, code.scope)
    (package.path / "extra.py").write_text("raise SystemExit('ran')\n")
    with pytest.raises(CodeChangedSinceTrust, match="not in the code trust was given for"):
        importlib.import_module(hubconf.__name__.rpartition(".")[0] + ".extra")


def test_a_no_is_refused_and_not_remembered(package, tmp_path: Path) -> None:
    store = TrustStore(tmp_path / "home")
    with pytest.raises(UntrustedCode, match="not trusted"):
        ensure_trusted(package, store=store, ask=lambda q: False, interactive=True)
    assert not is_trusted(package, store)
    assert not store.path.exists()


def test_an_edited_hubconf_is_asked_about_again(package, tmp_path: Path) -> None:
    store = TrustStore(tmp_path / "home")
    trusted_once(package, store)
    package.hubconf.write_text("import os\nos.system('echo changed')\n")
    assert not is_trusted(package, store)
    assert "modified hubconf.py" in refusal(package, store)


def test_an_edited_module_that_is_not_the_hubconf_is_asked_about_again(
    package, tmp_path: Path
) -> None:
    store = TrustStore(tmp_path / "home")
    trusted_once(package, store)
    (package.path / "network.py").write_text("import os\nos.system('echo other code')\n")
    message = refusal(package, store)
    assert "changed since it was trusted on 20" in message
    assert message.count("modified") == 1 and "modified network.py" in message
    assert "\n" not in message
    asked = question(package, store)
    assert "modified network.py" in asked and "Run it?" in asked
    assert not is_trusted(package, store)  # the no was not remembered


def test_an_added_module_is_asked_about_again(package, tmp_path: Path) -> None:
    store = TrustStore(tmp_path / "home")
    trusted_once(package, store)
    (package.path / "layers").mkdir()
    (package.path / "layers" / "attack.py").write_text("print('more code')\n")
    (package.path / "_speedups.so").write_bytes(b"\x7fELF")
    message = refusal(package, store)
    assert "added _speedups.so and layers/attack.py" in message
    assert "added _speedups.so and layers/attack.py" in question(package, store)


def test_a_removed_module_a_changed_package_yaml_and_preset_are_asked_about(
    package, tmp_path: Path
) -> None:
    store = TrustStore(tmp_path / "home")
    trusted_once(package, store)
    (package.path / "network.py").unlink()
    (package.path / "presets" / "small.yaml").write_text("width: 8\ncommand: rm -rf /\n")
    message = refusal(package, store)
    assert "modified presets/small.yaml" in message and "removed network.py" in message
    trusted_once(package, store)
    (package.path / "package.yaml").write_text("cards:\n  outsider_card: {network: outsider}\n")
    # package.yaml changed; the presets, no longer declared, are still covered (every file is)
    message = refusal(open_package(tmp_path / "registry"), store)
    assert "modified package.yaml" in message and "presets/small.yaml" not in message


def test_a_yes_after_a_change_trusts_the_new_code(package, tmp_path: Path) -> None:
    store = TrustStore(tmp_path / "home")
    trusted_once(package, store)
    (package.path / "network.py").write_text("def build():\n    return 'version 2'\n")
    trusted_once(package, store)
    ensure_trusted(package, store=store, ask=never, interactive=False)
    assert len(store.entries()) == 1


def test_the_store_lives_in_the_config_folder(package, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HUB_PLUGIN_CONFIG", str(tmp_path / "custom-config"))
    ensure_trusted(package, ask=lambda q: True, interactive=True)
    data = json.loads((tmp_path / "custom-config" / "trusted.json").read_text())
    (entry,) = data["entries"]
    assert entry["kind"] == "package" and entry["folder"] == str(package.path.resolve())
    assert set(entry["files"]) == {
        "__init__.py", "hubconf.py", "network.py", "outsider_card.md", "package.yaml",
        "presets/small.yaml",
    }


def test_a_store_that_is_not_json_is_a_clear_error(package, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "trusted.json").write_text("{not json")
    with pytest.raises(TrustStoreError, match="is not valid JSON"):
        ensure_trusted(package, store=TrustStore(home), interactive=False)
    assert (home / "trusted.json").read_text() == "{not json"  # left for a person to look at


URL = "https://gitee.com/mindspore/models"
COMMIT = "4f1c2a9e0b7d" + "0" * 28


def test_a_repository_is_trusted_at_a_commit(tmp_path: Path) -> None:
    store = TrustStore(tmp_path / "home")
    with pytest.raises(UntrustedCode, match="not trusted yet") as caught:
        ensure_repository_trusted(URL, COMMIT, store=store, interactive=False)
    assert f"trust add {URL} --commit {COMMIT}" in str(caught.value)
    asked: list[str] = []
    ensure_repository_trusted(URL, COMMIT, name="resnet50", source="hub mindspore", store=store,
                              ask=lambda q: asked.append(q) or True, interactive=True)
    assert URL in asked[0] and COMMIT[:12] in asked[0]
    assert store.is_repository_trusted(URL + ".git/", COMMIT)
    assert not store.is_repository_trusted(URL, COMMIT[:7])  # a prefix is not the commit
    ensure_repository_trusted(URL, COMMIT, store=store, ask=never, interactive=False)
    newer = "9" * 40
    assert store.is_repository_trusted(URL) and not store.is_repository_trusted(URL, newer)
    with pytest.raises(UntrustedCode, match=f"trusted at commit {COMMIT[:12]}"):
        ensure_repository_trusted(URL, newer, store=store, interactive=False)
    ensure_repository_trusted(URL, newer, store=store, ask=lambda q: True, interactive=True)
    first, second = store.entries()
    assert first.kind == second.kind == "repository"
    assert [first.commit, second.commit] == [COMMIT, newer]  # both stay trusted
    ensure_repository_trusted(URL, COMMIT, store=store, ask=never, interactive=False)


def test_a_commit_that_only_shares_a_prefix_is_not_trusted(tmp_path: Path) -> None:
    """Issue 17, case 7: a commit ground to share 7 digits with the trusted one ran."""
    store = TrustStore(tmp_path / "home")
    store.trust_repository(URL, COMMIT)
    ground = COMMIT[:7] + "f" * 33
    with pytest.raises(UntrustedCode, match="a different commit"):
        ensure_repository_trusted(URL, ground, store=store, interactive=False)


def test_the_question_for_a_repository_names_the_files_that_will_run(tmp_path: Path) -> None:
    from hub_plugin.trust.code_digest import CodeDigest

    code = CodeDigest(tmp_path, {"mindspore_hub_conf.py": "a" * 64, "src/net.py": "b" * 64})
    asked: list[str] = []
    ensure_repository_trusted(URL, COMMIT, store=TrustStore(tmp_path / "home"), code=code,
                              ask=lambda q: asked.append(q) or True, interactive=True)
    assert "It runs 2 files (mindspore_hub_conf.py, src/net.py)" in asked[0]


def test_a_file_name_with_control_characters_is_refused_before_anything_is_listed(
    package, tmp_path: Path
) -> None:
    """Issue 27, hole 1: no question is asked about a package holding a file whose name could
    redraw it; the error names the file with the name made visible."""
    from hub_plugin.errors import UnsafeFileName

    (package.path / "\x1b]0;title\x07\x1b[2J\u202eyp.evil").write_text("")
    with pytest.raises(UnsafeFileName) as caught:
        ensure_trusted(open_package(tmp_path / "registry"), store=TrustStore(tmp_path / "home"),
                       ask=never, interactive=True)
    message = str(caught.value)
    assert "\\x1b]0;title\\x07\\x1b[2J\\u202eyp.evil" in message
    assert not any(c in message for c in "\x1b\x07\u202e")


def test_the_question_shows_stored_names_and_urls_as_data(tmp_path: Path) -> None:
    """What the question quotes from elsewhere (file names, the repository URL) goes through the
    console: no escape sequence and no password reaches the terminal."""
    from hub_plugin.trust.code_digest import CodeDigest, describe_changes

    code = CodeDigest(tmp_path, {"mindspore_hub_conf.py": "a" * 64, "src/\x1b[2Jx.py": "b" * 64})
    asked: list[str] = []
    ensure_repository_trusted("https://deploy:SECRET@example.org/zoo", COMMIT, code=code,
                              store=TrustStore(tmp_path / "home"),
                              ask=lambda q: asked.append(q) or True, interactive=True)
    assert "src/\\x1b[2Jx.py" in asked[0] and "\x1b" not in asked[0] and "SECRET" not in asked[0]
    assert describe_changes({}, {"\x1b[2J.py": "c" * 64}) == "added \\x1b[2J.py"
