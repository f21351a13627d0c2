"""A model package whose network cannot be exported faithfully: it adds fresh noise on every call.

``noisy`` builds ``Dense(4, 3)`` plus ``noise`` times a standard normal sample drawn inside the
graph, so a MINDIR of it gives other numbers than the network did: the planted wrong export the
round-trip check must refuse. With ``noise=0`` the export is exact. Its input shape is [2, 4].
"""

from __future__ import annotations

from pathlib import Path

from card_samples import card_text, write_card

HUBCONF = '''\
"""A network that adds noise drawn inside the graph (tests of the export check)."""


def create_network(name, **kwargs):
    return {"noisy": noisy}[name](**kwargs)


def noisy(*, noise=1.0):
    from mindspore import nn, ops

    class Noisy(nn.Cell):
        def __init__(self):
            super().__init__()
            self.dense = nn.Dense(4, 3)
            self.normal = ops.StandardNormal()
            self.noise = float(noise)

        def construct(self, x):
            return self.dense(x) + self.noise * self.normal((x.shape[0], 3))

    return Noisy()
'''


def noisy_registry(root: Path) -> Path:
    """A registry folder under ``root`` holding the package ``noisy`` (card ``noisy``)."""
    folder = root / "noisy-registry" / "noisy"
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("", encoding="utf-8")
    (folder / "hubconf.py").write_text(HUBCONF, encoding="utf-8")
    (folder / "package.yaml").write_text(
        "default-card: noisy\ncards:\n  noisy: {network: noisy, input-shape: [2, 4]}\n", encoding="utf-8"
    )
    write_card(folder, "noisy", card_text())
    return root / "noisy-registry"


__all__ = ["noisy_registry"]
