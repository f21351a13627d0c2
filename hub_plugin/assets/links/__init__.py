"""Links: where they point, whether they may be followed, and checking them from ``validate``.

* :mod:`.link_rules` says where an asset link points and whether hub-plugin may follow it;
* :mod:`.mirrors` rewrites links by prefix (``HUB_PLUGIN_MIRROR``), and says where a card's link is
  read from (:func:`.mirrors.card_source`);
* :mod:`.probe` asks whether a link is alive without downloading it;
* :mod:`.served_file` compares what a link serves with the cached file of its digest;
* :mod:`.host_pool` runs network jobs concurrently, bounded in all and per host;
* :mod:`.remote_checks` is ``validate --check-links`` and ``--verify-assets``.
"""
