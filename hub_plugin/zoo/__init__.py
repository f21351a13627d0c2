"""Building a card's network from the model zoo's own code, isolated.

* :mod:`.loading` finds the zoo folder's entry point and builds the network;
* :mod:`.importer` imports each zoo folder in a private namespace with argv, path and cwd shielded;
* :mod:`.failures` turns zoo code's failures into one line a user can act on (:mod:`.api_removals`
  names the NumPy and MindSpore versions when a removed or changed API explains one);
* :mod:`.config_choice` picks the folder's YAML config that matches the card (``--config_path``);
* :mod:`.output_capture` keeps zoo code's prints off the terminal unless it fails (or --verbose).
"""
