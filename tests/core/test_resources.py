"""The bundled registry and the schemas are found from the checkout, wherever resources.py sits."""

from __future__ import annotations

from locations import REPO

from hub_plugin.core.resources import models_dir, schemas_dir


def test_a_checkout_finds_its_models_and_schemas() -> None:
    assert models_dir() == REPO / "models" and (models_dir() / "simclr" / "package.yaml").is_file()
    assert schemas_dir() == REPO / "schemas"
    assert (schemas_dir() / "model-card.schema.json").is_file()
