"""``hub-plugin train``, ``eval`` and ``predict``: a model package's own entry points.

* :mod:`.task_command` is what the three share (finding the entry point, its options, its output);
* :mod:`.train`, :mod:`.evaluate` and :mod:`.predict` are the commands.
"""
