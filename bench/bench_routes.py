"""Which route serves each card of a folder of hub cards: package, library, zoo (or none).

Reads every card of ``--cards`` folders (default: ``../shared/cards/mindspore-1.8`` and
``mindspore-2.3``) as hub cards (UID ``mindspore/<version>/<stem>``), and asks the registry's
router (hub_plugin.registry.routes) which route would build it: the bundled packages' ``serves``
rules (SimCLR, mindcv) or the zoo code its repo-link names. Nothing is fetched or built. For the
zoo route it also counts the cards whose folder is one of ``../shared/zoo/r1.8``'s ten.

    .venv/bin/python bench/bench_routes.py [--cards DIR ...]
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("HUB_PLUGIN_SHARED") or ROOT.parent / "shared")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=Path, nargs="*",
                        default=[SHARED / "cards" / "mindspore-1.8", SHARED / "cards" / "mindspore-2.3"])
    parser.add_argument("--zoo", type=Path, default=SHARED / "zoo" / "r1.8")
    args = parser.parse_args()
    from hub_plugin.errors import HubPluginError
    from hub_plugin.registry import Registry
    from hub_plugin.registry.routes import route_for

    with tempfile.TemporaryDirectory() as scratch:
        for folder in args.cards:
            version = folder.name.rsplit("-", 1)[-1]
            target = Path(scratch) / "mindspore" / version
            target.mkdir(parents=True)
            for card in folder.glob("*.md"):
                shutil.copy(card, target / card.name)
        registry = Registry.open([scratch], plugins=False, environment=False)
        counts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
        in_shared_zoo: collections.Counter[str] = collections.Counter()
        for entry in registry.cards():
            if entry.root.source == "bundled":
                continue
            version = (entry.uid or "?/?").split("/")[1]
            try:
                manifest = registry.read(entry)
            except HubPluginError:
                counts[version]["invalid card"] += 1
                continue
            route = route_for(registry, manifest)
            name = route.kind if route.kind != "package" else f"package {route.package.name}"
            if route.kind == "library" and route.package is not None:
                name = f"library {route.package.name}"
            counts[version][name] += 1
            if route.kind == "zoo" and route.link is not None:
                if (args.zoo / route.link.folder).is_dir():
                    in_shared_zoo[version] += 1
                host = route.link.repository.split("/")[3] if route.link.repository.count("/") > 3 else "?"
                counts[version][f"  zoo: {host}/{route.link.repository.rsplit('/', 1)[-1]}"] += 1
    for version, counter in sorted(counts.items()):
        print(f"mindspore {version}: {sum(v for k, v in counter.items() if not k.startswith('  '))} cards")
        for name, count in sorted(counter.items(), key=lambda item: (item[0].startswith("  "), -item[1])):
            print(f"  {name:40s} {count}")
        print(f"    zoo cards whose folder is in {args.zoo}: {in_shared_zoo[version]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
