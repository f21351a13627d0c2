"""The commands that look after hub-plugin's local stores: ``cache``, ``hub`` and ``trust``.

* :mod:`.cache` is ``cache ls|rm|prune|verify``;
* :mod:`.hub` is ``hub ls|add|update|rm``;
* :mod:`.trust` is ``trust ls|add|rm``.
"""
