"""Building a card's network from the model zoo's own code, isolated.

* :mod:`.loading` finds the zoo folder's entry point and builds the network;
* :mod:`.importer` imports each zoo folder in a private namespace with argv, path and cwd shielded;
* :mod:`.failures` turns zoo code's failures into one line a user can act on.
"""
