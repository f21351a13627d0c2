"""Routes: a package's ``serves`` rules against hub cards' repo-links; package.yaml validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from card_samples import VALID_FRONT_MATTER, card_text, replace_field

from hub_plugin.cli import main
from hub_plugin.registry import Registry
from hub_plugin.registry.routes import repository_identity, route_for
from hub_plugin.validation.validator import validate_file

SIMCLR = "https://gitee.com/mindspore/models/tree/{ref}/official/cv/simclr"


def _hub_root(tmp_path: Path, cards: dict[str, str]) -> Path:
    root = tmp_path / "hub"
    for uid, link in cards.items():
        path = root / f"{uid}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(card_text(replace_field(VALID_FRONT_MATTER, "repo-link", f"repo-link: <{link}>")),
                        encoding="utf-8")
    return root


def test_repository_identity_ignores_scheme_git_suffix_and_host_case() -> None:
    assert repository_identity("https://Gitee.com/mindspore/models.git/") == "gitee.com/mindspore/models"
    assert repository_identity("git://gitee.com/mindspore/models") == "gitee.com/mindspore/models"


def test_bundled_packages_serve_simclr_and_mindcv_cards_and_the_rest_goes_to_the_zoo(tmp_path: Path) -> None:
    root = _hub_root(tmp_path, {
        "mindspore/1.3/simclr_encoder_cifar10": SIMCLR.format(ref="r1.3"),
        "mindspore/1.8/simclr_linearclassifier_cifar10":
            "https://github.com/mindspore-ai/models.git/tree/r1.8/official/cv/simclr",
        "mindspore/1.8/simclr_other_cifar10": SIMCLR.format(ref="r1.8"),
        "mindspore/2.3/resnet50_imagenet2012": "https://github.com/mindspore-lab/mindcv/tree/v0.4.0/configs/resnet",
        "mindspore/1.8/alexnet_cifar10": "https://gitee.com/mindspore/models/tree/r1.8/official/cv/alexnet",
    })
    registry = Registry.open([root], plugins=False, environment=False)

    def route(uid: str) -> tuple[str, str | None, str | None]:
        found = route_for(registry, registry.resolve(uid))
        return found.kind, found.package.name if found.package else None, found.network

    assert route("mindspore/1.3/simclr_encoder_cifar10") == ("package", "simclr", "simclr")
    assert route("mindspore/1.8/simclr_linearclassifier_cifar10") == (
        "package", "simclr", "simclr_classifier")
    assert route("mindspore/1.8/simclr_other_cifar10") == ("zoo", None, None)  # no UID rule matches
    assert route("mindspore/2.3/resnet50_imagenet2012") == ("library", "mindcv", "mindcv_model")
    assert route("mindspore/1.8/alexnet_cifar10") == ("zoo", None, None)
    own_card = registry.package("simclr").path / "simclr_encoder_cifar10.md"
    own = route_for(registry, registry.resolve(str(own_card)))
    assert own.kind == "package" and own.rule is None and own.network == "simclr"


def test_validate_checks_the_serves_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "hubconf.py").write_text("def net():\n    pass\n", encoding="utf-8")
    settings = package / "package.yaml"
    settings.write_text(
        "serves:\n"
        "  - {repository: https://example.org/r, folder: a/*, network: net, card: x}\n"
        "  - {folder: a/*, network: net}\n", encoding="utf-8")
    messages = [str(e) for e in validate_file(settings).errors]
    assert any(":2:5: schema/oneOf:" in m for m in messages), messages
    assert any(":3:5: schema/required: missing field 'repository'" in m for m in messages), messages
    settings.write_text(
        "serves:\n"
        "  - {repository: https://example.org/r, folder: a/*, card: missing}\n"
        "  - {repository: [https://example.org/r], folder: a/*, network: nope}\n"
        "  - {repository: https://example.org/r, folder: a/*, network: net, uid: '*/x_*'}\n",
        encoding="utf-8")
    messages = [str(e) for e in validate_file(settings).errors]
    assert len(messages) == 2, messages
    assert "package/card: no card 'missing'" in messages[0]
    assert "package/network: hubconf.py has no network function 'nope'" in messages[1]
    assert main(["validate", str(settings)]) == 1
    assert main(["validate", str(Path(__file__).parents[2] / "models")]) == 0
