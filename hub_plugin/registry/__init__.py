"""The registry layer: reading model cards, validating them, finding cards and model packages.

What is here, one concept per module:

* :mod:`.card` parses a card's YAML front matter into positioned nodes (nothing is constructed);
* :mod:`.manifest` is the typed, immutable :class:`Manifest` a valid card becomes;
* :mod:`.schema_profiles` compiles the JSON Schema in ``schemas/`` into its two profiles;
* :mod:`.card_checks` checks a parsed card against a profile and the rules a schema can't express;
* :mod:`.report` holds the reports those checks produce;
* :mod:`.validation` validates files and folders (cards and ``package.yaml``);
* :mod:`.rules` says in a sentence what each rule id of a defect means (for SARIF);
* :mod:`.changed_cards` finds the cards that differ from a git ref (``--changed-since``);
* :mod:`.hubconf_reader` reads a hubconf's entry points with ``ast``, never running it;
* :mod:`.registry` finds cards and model packages in the bundled folder, extra folders and plugins;
* :mod:`.hubs` holds the hubs (git repositories of cards) and reads their synced snapshots,
  :mod:`.hub_index` the card index written at sync time, :mod:`.hub_lookup` finds a UID in them;
* :mod:`.repo_link` reads a card's ``repo-link`` into a repository, a ref and a folder;
* :mod:`.resources` says where the bundled registry and the schemas are.

This layer imports nothing above it (no assets, no runtime, no MindSpore).
"""

from __future__ import annotations

from .registry import CardEntry, ModelPackage, Registry

__all__ = ["CardEntry", "ModelPackage", "Registry"]
