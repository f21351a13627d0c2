"""Hubs: git repositories of cards that ``hub-plugin hub ls|add|update|rm`` keeps, found by UID.

:mod:`.store` holds their settings and synced snapshots, :mod:`.sync` fetches a hub's card folder
into a new snapshot and switches to it atomically, :mod:`.index` is the card index written at sync
time, and :mod:`.lookup` finds a card by its UID (syncing a hub on its first use). It imports the
core, the errors, :mod:`hub_plugin.cards` (which files are cards), :mod:`hub_plugin.git` (the
fetch), :mod:`hub_plugin.validation` (the index validates each card) and
:mod:`hub_plugin.registry`; never MindSpore.
"""
