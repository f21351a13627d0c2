"""Git repositories, fetched under the same mirror and link rules as assets.

* :mod:`.transport` runs the ``git`` command: shallow, partial and sparse, with no prompts;
* :mod:`.hub_sync` syncs a hub's card folder into a new snapshot, switched to atomically;
* :mod:`.zoo_checkout` keeps one folder of a model zoo at one commit, fetched once, read-only.
"""
