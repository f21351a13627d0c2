"""Each kind of drift :func:`hub_plugin.lock.verify.difference` names, on entries as ``lock`` writes
them, and the zoo config pinned for a folder that reads ``--config_path``."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from hub_plugin.cards.manifest import Manifest
from hub_plugin.lock.resolution import _zoo_config
from hub_plugin.lock.verify import difference, versions_difference

ZOO_ENTRY: dict[str, Any] = {
    "name": "mindspore/1.8/x",
    "hub": {"name": "mindspore", "url": "https://gitee.com/mindspore/hub.git", "commit": "a" * 40},
    "card": {"path": "mindspore/1.8/x.md", "sha256": "1" * 64},
    "route": {"kind": "zoo", "repository": "https://gitee.com/mindspore/models", "ref": "r1.8",
              "commit": "b" * 40, "folder": "official/cv/x", "digest": "2" * 64,
              "config": "default_config.yaml"},
    "assets": [{"card": "x", "link": "https://example.org/x.ckpt", "sha256": "3" * 64, "size": 9}],
}


def _changed(path: str, value: Any) -> dict[str, Any]:
    entry = copy.deepcopy(ZOO_ENTRY)
    *parents, last = path.split(".")
    place: Any = entry
    for part in parents:
        place = place[int(part)] if isinstance(place, list) else place[part]
    place[last] = value
    return entry


@pytest.mark.parametrize(("path", "value", "words"), [
    ("hub.commit", "c" * 40, None),  # the hub moved on, the card's bytes did not: no difference
    ("hub.url", "https://example.org/hub.git", "the card now comes from the hub mindspore"),
    ("card.sha256", "4" * 64, "the card mindspore/1.8/x.md was edited"),
    ("route.commit", "d" * 40, f"the ref r1.8 of https://gitee.com/mindspore/models moved: locked at "
                               f"commit {'b' * 12}, now {'d' * 12}"),
    ("route.digest", "5" * 64, "the zoo code of https://gitee.com/mindspore/models folder official/cv/x"),
    ("route.config", "gpu_config.yaml", "the zoo config chosen for the card changed"),
    ("route.folder", "official/cv/y", "its zoo code moved"),
    ("route.kind", "package", "its route changed: locked zoo, now package"),
    ("assets.0.sha256", "6" * 8, "the card gives sha256 66666666, locked 3333"),
    ("assets.0.sha256", "3" * 8, None),  # the card's prefix of the locked digest: no difference
    ("assets.0.size", 10, "10 bytes, locked 9"),
    ("assets.0.link", "https://example.org/y.ckpt", "its assets changed"),
])
def test_each_drift_is_named(path: str, value: Any, words: str | None) -> None:
    found = difference(ZOO_ENTRY, _changed(path, value))
    assert found is None if words is None else (found is not None and words in found), found


def test_versions_python_counts_major_minor_and_mindspore_only_when_building() -> None:
    locked = {"hub-plugin": "1.0", "python": "3.11.7", "mindspore": "2.10.0"}
    assert versions_difference(locked, {**locked, "python": "3.11.9"}, builds=True) is None
    assert versions_difference(locked, {**locked, "python": "3.12.1"}, builds=True) == \
        "python 3.12 is installed, locked 3.11"
    light = {"hub-plugin": "1.0", "python": "3.11.7"}
    assert versions_difference(locked, light, builds=False) is None
    assert versions_difference(locked, light, builds=True) == "mindspore is not installed, locked 2.10.0"


@pytest.mark.mindspore
def test_the_zoo_config_is_the_one_load_hands_the_code(tmp_path: Path) -> None:
    (tmp_path / "model_utils").mkdir()
    (tmp_path / "model_utils" / "config.py").write_text("parser.add_argument('--config_path')\n")
    (tmp_path / "default_config.yaml").write_text("num_classes: 10\n")
    (tmp_path / "x_imagenet_config.yaml").write_text("num_classes: 1000\n")
    card = Manifest(name="x_imagenet", path=str(tmp_path / "x.md"), positions={},
                    fields={"model-name": "x", "train-dataset": "imagenet"})
    assert _zoo_config(tmp_path, card) == "x_imagenet_config.yaml"
    (tmp_path / "model_utils" / "config.py").write_text("# reads no config path\n")
    assert _zoo_config(tmp_path, card) is None


def test_a_hub_the_lock_names_that_is_not_a_hub_here_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hub_plugin.core.settings import Settings
    from hub_plugin.errors import LockMismatch
    from hub_plugin.lock.lock_file import LockFile
    from hub_plugin.lock.resolution import machine_versions
    from hub_plugin.lock.verify import locked_load

    monkeypatch.setenv("HUB_PLUGIN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HUB_PLUGIN_CONFIG", str(tmp_path / "config"))
    entry = _changed("hub.name", "elsewhere")
    lock = LockFile(machine_versions(), [entry], tmp_path / "hub-plugin.lock")
    with pytest.raises(LockMismatch, match="reads it from the hub elsewhere, which is not a hub here") \
            as raised:
        locked_load(entry["name"], lock, Settings.from_environment(), builds=False)
    assert raised.value.hint == "add it: hub-plugin hub add elsewhere https://gitee.com/mindspore/hub.git"
