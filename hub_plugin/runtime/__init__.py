"""The runtime layer: what runs model code.

* :mod:`.device` chooses and checks the MindSpore device target;
* :mod:`.launch` plans and starts data-parallel jobs through ``msrun``;
* :mod:`.trust`: whether code from outside the bundled registry may run (the gate, the code digest,
  the store);
* :mod:`.hubconf_import` imports a model package's hubconf under a namespace of its own;
* :mod:`.loading` is the one build path (``build``: a ``LoadRequest`` in, a typed ``LoadedModel``
  out) that ``load``, ``export``, the tasks and the Python API share: verified weights, trusted
  code, device;
* :mod:`.zoo`: building it from the model zoo's code a hub card's ``repo-link`` names, each folder
  isolated, with one actionable line when zoo code fails;
* :mod:`.export`: a network to a checked MINDIR or ONNX file with its card, and running such files;
* :mod:`.input_shape` works out the input shape of a card's network, in one place;
* :mod:`.extras` says which optional install a command needs when it is missing.

It sits above the assets and the registry and below the CLI. Nothing here imports MindSpore at
module level: each function that needs it imports it when called.
"""
