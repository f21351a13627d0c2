"""Hubs: git repositories of cards, their settings and synced snapshots, and finding a UID in them.

* :mod:`.store` holds the hubs' settings and reads their synced snapshots;
* :mod:`.index` is the card index written at sync time;
* :mod:`.lookup` finds a card by its UID in the synced hubs, syncing a hub on first use.
"""
