"""The card's own config for a model zoo folder: which YAML file, and what it says about the network.

Most folders of MindSpore's model zoo read their settings from YAML files through
``model_utils/config.py`` (or ``src/model_utils/config.py``), which takes ``--config_path FILE`` from
``sys.argv`` (resnet: ``config/resnet50_imagenet2012_config.yaml``, ``..._config_gpu.yaml``; vgg16:
``imagenet2012_config.yaml``; inceptionv3: ``default_config_cpu.yaml``). Run without arguments they
read the folder's default, often CIFAR-10's. :func:`choose_config` picks the file that matches the
card (see :func:`score`), and :func:`zoo_argv` hands it over the way the folder's code reads it:
``sys.argv = [entry point, "--config_path", FILE]`` inside the shielded scope.

From the chosen file (its first YAML document; the others are help texts) :func:`read_settings`
takes the class count (``class_num``, ``num_classes``) and the image size (``image_size``,
``image_height``/``image_width``, ``eval_image_size``...), so an ImageNet card gets its ImageNet head
and a forward pass. Nothing here runs zoo code; the files are read by :mod:`hub_plugin.core.yamlio`
(the first document only), with its limits on size, depth, aliases and tags: a config it cannot
read is a :class:`~hub_plugin.errors.YamlError`, one line naming the file and the position.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..cards.manifest import Manifest
from ..errors import UsageError

#: Where the folder's config reader lives; a folder without one takes no --config_path.
CONFIG_READERS = ("model_utils/config.py", "src/model_utils/config.py")
#: The config a folder reads when given none.
DEFAULT_CONFIG = "default_config.yaml"
#: The class count of a card's dataset, where the config does not name that dataset.
DATASET_CLASSES = {"imagenet": 1000, "imagenet2012": 1000, "cifar10": 10, "cifar100": 100, "mnist": 10}
#: The image channels of a card's dataset, where the config gives none (LeNet reads MNIST's one).
DATASET_CHANNELS = {"mnist": 1}
_DEVICES = {"cpu", "gpu", "ascend"}
_VARIANTS = {"thor", "boost", "benchmark", "distribute", "quant", "golden", "infer", "acc", "ge"}
_GENERIC = {"config", "default", "yaml", *_DEVICES, *_VARIANTS}
_TOKEN = re.compile(r"[A-Za-z0-9]+")


@dataclass(frozen=True)
class ZooConfig:
    """The config file handed to a zoo folder, why it was chosen, and what it says."""

    path: Path  # inside the folder
    relative: str
    reason: str
    class_count: int | None = None
    image_size: tuple[int, int] | None = None
    channels: int = 3


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def _dataset(value: Any) -> str:
    first = str(value or "").split("|")[0]
    return "".join(_tokens(first))


def takes_config_path(folder: Path) -> bool:
    """Whether the folder's code reads ``--config_path`` (it has a ``model_utils/config.py``)."""
    for reader in CONFIG_READERS:
        path = folder / reader
        if path.is_file() and "config_path" in path.read_text(encoding="utf-8", errors="replace"):
            return True
    return False


def config_files(folder: Path) -> list[Path]:
    """The YAML files at the folder's top and in its ``config/`` folder (no symlinks)."""
    found: list[Path] = []
    for place in (folder, folder / "config"):
        if place.is_dir() and not place.is_symlink():
            found.extend(p for p in sorted(place.iterdir())
                         if p.suffix in (".yaml", ".yml") and p.is_file() and not p.is_symlink())
    return found


def score(path: Path, *, stem: str, model: str, dataset: str, device: str) -> int:
    """How well a config file's name matches the card: its model (+4; another model's name -10),
    its dataset (+3), the device that will run it (+1; another device's -1), and -2 for special
    variants (Thor, Boost, benchmark, distributed)."""
    tokens = _tokens(path.stem)
    named = [t for t in tokens if t not in _GENERIC and t != dataset and t not in DATASET_CLASSES]
    card_tokens = set(_tokens(stem)) | {model}
    model_key = "".join(_tokens(model))
    points = 0
    if any("".join(tokens[:end]) == model_key for end in range(1, len(tokens) + 1)):
        points += 4
    elif any(any(c.isdigit() for c in t) or (t.isalpha() and len(t) > 3) for t in named) and not (
            set(named) <= card_tokens):
        points -= 10
    if dataset and (dataset in tokens or dataset.rstrip("0123456789") in tokens):
        points += 3
    devices = _DEVICES & set(tokens)
    if devices:
        points += 1 if device in devices else -1
    elif device == "ascend":
        points += 1
    if _VARIANTS & set(tokens):
        points -= 2
    return points


def choose_config(folder: Path, card_fields: dict[str, Any], stem: str, device: str,
                  override: str | None = None) -> ZooConfig | None:
    """The config for the card (or ``override``, a path inside the folder or anywhere), or None
    when the folder reads no ``--config_path`` or no file matches better than its default."""
    if override is not None:
        chosen = Path(override)
        if not chosen.is_absolute():
            chosen = (folder / override) if (folder / override).is_file() else Path.cwd() / override
        if not chosen.is_file():
            raise UsageError(f"--zoo-config {override}: no such file (in {folder} or here)")
        return read_settings(chosen.resolve(), folder, "given with --zoo-config", {})
    if not takes_config_path(folder):
        return None
    model = str(card_fields.get("model-name") or stem).lower()
    dataset = _dataset(card_fields.get("train-dataset"))
    ranked = sorted(((score(p, stem=stem, model=model, dataset=dataset, device=device), p)
                     for p in config_files(folder)), key=lambda item: -item[0])
    if not ranked or ranked[0][0] < 3:
        default = next((p for p in config_files(folder) if p.name == DEFAULT_CONFIG), None)
        if default is None:
            return None
        return read_settings(default, folder, "the folder's default: no config names the card's "
                             f"model or dataset ({model}, {dataset or '?'})", card_fields)
    points, best = ranked[0]
    reason = (f"matches the card (model {model}, dataset {dataset or '?'}, device {device}; "
              f"score {points})")
    return read_settings(best, folder, reason, card_fields)


def _first_document(path: Path, folder: Path) -> dict[str, Any]:
    """The config's first YAML document (the later ones are help texts), read by hub-plugin's one
    YAML reader with its limits; ``{}`` when it is not a mapping. An unreadable, invalid, too deep
    or too large file is a :class:`~hub_plugin.errors.YamlError` naming it (before any zoo code
    runs, before the trust question)."""
    from ..core.yamlio import load

    try:
        shown = path.relative_to(folder.resolve()).as_posix()
    except ValueError:
        shown = str(path)
    document = load(path, name=shown, documents="first")
    return document if isinstance(document, dict) else {}


def _size(value: Any) -> tuple[int, int] | None:
    if isinstance(value, int) and value > 0:
        return (value, value)
    if isinstance(value, str):
        value = [part for part in re.split(r"[,x ]+", value.strip("[]() ")) if part]
    if isinstance(value, Sequence) and len(value) == 2:
        try:
            height, width = (int(v) for v in value)
        except (TypeError, ValueError):
            return None
        return (height, width) if height > 0 and width > 0 else None
    return None


def read_settings(path: Path, folder: Path, reason: str, card_fields: dict[str, Any]) -> ZooConfig:
    """What a config file says about the network (see the module docstring); the card's dataset
    (none for a config given with ``--zoo-config``) corrects a class count meant for another."""
    settings = _first_document(path, folder)
    count = next((settings[k] for k in ("class_num", "num_classes", "num_class")
                  if isinstance(settings.get(k), int)), None)
    dataset = _dataset(card_fields.get("train-dataset"))
    known = DATASET_CLASSES.get(dataset)
    if known is not None and (count is None or (dataset not in _tokens(path.stem)
                                                and abs(count - known) > 1)):
        count = known  # the config is for another dataset (mobilenetv2's CPU config: 26 classes)
    size = None
    for key in ("image_size", "eval_image_size", "train_image_size"):
        size = size or _size(settings.get(key))
    for height, width in (("image_height", "image_width"), ("height", "width")):
        if size is None and isinstance(settings.get(height), int):
            size = _size([settings[height], settings.get(width, settings[height])])
    channels = next((settings[k] for k in ("num_channel", "channel", "image_channel")
                     if isinstance(settings.get(k), int)), DATASET_CHANNELS.get(dataset, 3))
    try:
        relative = path.relative_to(folder.resolve()).as_posix()
    except ValueError:
        relative = str(path)
    return ZooConfig(path, relative, reason, count, size, channels)


def card_config(folder: Path, manifest: Manifest, override: str | None = None
                ) -> tuple[ZooConfig | None, int | None]:
    """The config for a card's zoo folder (on the device MindSpore will run), and the class count
    to hand its network: the config's, else the card dataset's."""
    import mindspore

    device = str(mindspore.get_context("device_target") or "CPU").lower()
    stem = (manifest.uid or manifest.name).rsplit("/", 1)[-1]
    config = choose_config(folder, dict(manifest.fields), stem, device, override)
    if config is not None and config.class_count is not None:
        return config, config.class_count
    return config, DATASET_CLASSES.get(_dataset(manifest.fields.get("train-dataset")))


#: The keyword names zoo networks take their class count by (vgg16, resnet, lenet).
CLASS_KEYWORDS = ("num_classes", "class_num", "num_class")


def class_attempts(create_network: Callable[..., Any], name: str, args: Sequence[Any],
                   kwargs: dict[str, Any], class_count: int | None) -> Any:
    """``create_network(name, *args, **kwargs)``, with ``class_count`` handed as the first of
    :data:`CLASS_KEYWORDS` the network accepts when the caller gives no arguments of its own.

    Zoo entry points pass ``**kwargs`` on, so which keyword a network takes shows only when it
    refuses one (``unexpected keyword argument 'num_classes'``): then the next is tried, and at
    last none (the folder's own default).
    """
    if class_count is None or args or any(k in kwargs for k in CLASS_KEYWORDS):
        return create_network(name, *args, **kwargs)
    for keyword in CLASS_KEYWORDS:
        try:
            return create_network(name, **kwargs, **{keyword: class_count})
        except TypeError as error:
            if f"'{keyword}'" not in str(error):
                raise
    return create_network(name, **kwargs)


__all__ = [
    "CLASS_KEYWORDS",
    "ZooConfig",
    "card_config",
    "choose_config",
    "class_attempts",
    "config_files",
    "read_settings",
    "score",
    "takes_config_path",
]
