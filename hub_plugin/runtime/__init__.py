"""The runtime layer: what runs model code.

* :mod:`.device` chooses and checks the MindSpore device target;
* :mod:`.launch` plans and starts data-parallel jobs through ``msrun``;
* :mod:`.trust` decides whether code from outside the bundled registry may run;
* :mod:`.code_digest` digests every file of a model package that can run, for trust;
* :mod:`.trust_store` keeps what was trusted (packages by digest, repositories by commit);
* :mod:`.hubconf_import` imports a model package's hubconf under a namespace of its own;
* :mod:`.loading` builds a network from a card: verified weights, trusted hubconf, device;
* :mod:`.zoo_loading` builds it from the model zoo's code a hub card's ``repo-link`` names, with
  :mod:`.zoo_import` (each zoo folder in a private namespace) and :mod:`.zoo_failures` (one
  actionable line when zoo code fails);
* :mod:`.export` writes a network to a checked MINDIR or ONNX file with its card, through
  :mod:`.export_check` (the round trip), :mod:`.export_card`, :mod:`.export_errors` and
  :mod:`.input_shape` (the shape a model declares);
* :mod:`.exported_model` runs an exported file on NumPy batches (ONNX Runtime or MindSpore);
* :mod:`.extras` says which optional install a command needs when it is missing.

It sits above the assets and the registry and below the CLI. Nothing here imports MindSpore at
module level: each function that needs it imports it when called.
"""
