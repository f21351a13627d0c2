"""Every real MindSpore Hub card of ../shared/cards gets a verdict; SimCLR's pass."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from locations import SHARED

from hub_plugin.validation.validator import read_manifest, validate_paths

CORPUS = SHARED / "cards" / "mindspore-1.8"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/cards is not here")


@pytest.mark.parametrize("profile", ["strict", "mindspore-hub"])
def test_every_real_card_gets_a_verdict(profile: str) -> None:
    report = validate_paths([CORPUS], profile)
    assert len(report.files) == 448
    by_name = {Path(f.path).stem: f for f in report.files}
    for name in ("simclr_encoder_cifar10", "simclr_linearclassifier_cifar10"):
        assert by_name[name].valid, by_name[name].errors
    # Whatever the verdict, it is a report with positions, never an exception.
    for file in report.files:
        assert all(d.line is not None for d in file.errors + file.warnings)
    warnings = Counter(d.rule for f in report.files for d in f.warnings)
    assert warnings["yaml-dash"] == 27  # 'evaluation: -' in 27 real cards
    # strict accepts them all; MindSpore Hub's own validator rejects 13 for their train-dataset
    # (../shared/README.md; tests/cards/test_mindspore_hub_profile.py names them)
    assert report.summary()["valid"] == (448 if profile == "strict" else 435)


def test_real_card_quirks_read_as_written() -> None:
    manifest = read_manifest(CORPUS / "simclr_encoder_cifar10.md")
    assert manifest.model_version == "1.8"
    assert manifest.repo_link == "https://gitee.com/mindspore/models/tree/r1.8/official/cv/simclr"
    assert [(m.name, m.value) for m in manifest.evaluation] == [("acc", 84.88)]


def test_the_bundled_simclr_cards_carry_the_hub_front_matter() -> None:
    from hub_plugin.core.resources import models_dir

    for name in ("simclr_encoder_cifar10", "simclr_linearclassifier_cifar10"):
        ours = read_manifest(models_dir() / "simclr" / f"{name}.md")
        theirs = read_manifest(CORPUS / f"{name}.md")
        # plus what builds them (issue 28): the network and its arguments, the card it requires
        ours_fields = {k: v for k, v in ours.to_card_dict().items() if k not in ("network", "requires")}
        assert ours_fields == theirs.to_card_dict()
        assert ours.network_spec is not None and ours.network_spec.package == "simclr"
