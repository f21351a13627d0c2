"""Choosing a zoo folder's YAML config for a card, by the file names alone (a folder the test
writes, shaped like resnet's); and the class keyword a network accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub_plugin.errors import UsageError
from hub_plugin.zoo.config_choice import choose_config, class_attempts

NAMES = ("resnet50_cifar10_config.yaml", "resnet50_imagenet2012_config.yaml",
         "resnet50_imagenet2012_GPU_Thor_config.yaml", "resnet18_imagenet2012_config_gpu.yaml",
         "resnet18_imagenet2012_config.yaml", "se-resnet50_imagenet2012_config.yaml",
         "resnet101_imagenet2012_config.yaml")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "src" / "model_utils").mkdir(parents=True)
    (tmp_path / "src" / "model_utils" / "config.py").write_text(
        'parser.add_argument("--config_path")\n', encoding="utf-8")
    (tmp_path / "config").mkdir()
    for name in NAMES:
        classes = 10 if "cifar" in name else 1001
        (tmp_path / "config" / name).write_text(
            f"class_num: {classes}\nimage_size: 224\n---\nclass_num: 'help text'\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("model", "dataset", "device", "expected"), [
    ("resnet50", "imagenet2012", "cpu", "resnet50_imagenet2012_config.yaml"),
    ("resnet50", "cifar10", "cpu", "resnet50_cifar10_config.yaml"),
    ("resnet18", "ImageNet2012", "gpu", "resnet18_imagenet2012_config_gpu.yaml"),
    ("resnet18", "imagenet2012", "cpu", "resnet18_imagenet2012_config.yaml"),
    ("se_resnet50", "imagenet2012", "cpu", "se-resnet50_imagenet2012_config.yaml"),
])
def test_the_config_matching_model_dataset_and_device(
    folder: Path, model: str, dataset: str, device: str, expected: str
) -> None:
    chosen = choose_config(folder, {"model-name": model, "train-dataset": dataset}, f"{model}_x", device)
    assert chosen is not None and chosen.path.name == expected
    assert chosen.class_count == (10 if dataset == "cifar10" else 1001)
    assert chosen.image_size == (224, 224)


def test_no_config_reader_no_config_and_a_missing_override(folder: Path, tmp_path: Path) -> None:
    (folder / "src" / "model_utils" / "config.py").unlink()
    assert choose_config(folder, {"model-name": "resnet50"}, "resnet50", "cpu") is None
    given = choose_config(folder, {"model-name": "resnet50", "train-dataset": "imagenet2012"}, "r",
                          "cpu", override="config/resnet50_cifar10_config.yaml")
    assert given is not None and given.class_count == 10 and "--zoo-config" in given.reason
    with pytest.raises(UsageError, match="no such file"):
        choose_config(folder, {}, "r", "cpu", override="nope.yaml")


def test_the_class_count_goes_by_the_keyword_the_network_takes() -> None:
    def resnet(name: str, class_num: int = 10) -> tuple[str, int]:
        return name, class_num

    def create_network(name: str, *args: object, **kwargs: object) -> object:
        return resnet(name, *args, **kwargs)  # type: ignore[arg-type]

    assert class_attempts(create_network, "resnet50", (), {}, 1001) == ("resnet50", 1001)
    assert class_attempts(create_network, "resnet50", (), {"class_num": 3}, 1001) == ("resnet50", 3)
    assert class_attempts(lambda name: name, "lenet", (), {}, 10) == "lenet"
