"""Networks from the model zoo's own code: a card's ``repo-link`` fetched, trusted and built, isolated.

* :mod:`.checkout` fetches one folder of a zoo repository at one commit, once, and keeps it;
* :mod:`.loading` finds the zoo folder's entry point and builds the network;
* :mod:`.importer` imports each zoo folder in a private namespace with argv, path and cwd shielded
  (its modules loaded by :mod:`hub_plugin.trust.verified_import`, the one importer);
* :mod:`.failures` turns zoo code's failures into one line a user can act on (:mod:`.api_removals`
  names the NumPy and MindSpore versions when a removed or changed API explains one);
* :mod:`.config_choice` picks the folder's YAML config that matches the card (``--config_path``);
* :mod:`.output_capture` keeps zoo code's prints off the terminal unless it fails (or --verbose).

It imports the core, the errors, :mod:`hub_plugin.cards`, :mod:`hub_plugin.git`,
:mod:`hub_plugin.cache` and :mod:`hub_plugin.trust`; MindSpore only inside the functions that build.
"""
