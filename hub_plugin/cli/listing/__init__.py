"""``hub-plugin list`` and ``info``: what the registry and the hubs hold.

* :mod:`.registry_listing` is ``list`` and ``info NAME`` over the registry, as tables or JSON;
* :mod:`.hub_listing` is ``list --hub NAME``, read from a hub's index.
"""
