"""``hub-plugin download``: a card's assets fetched once, verified by sha256 and cached.

:mod:`.fetch` runs the steps (cache, mirrors, offline, transfer, verify, store); :mod:`.transfer`
moves the bytes through the one HTTP client (:mod:`hub_plugin.core.http`) into a
:mod:`.partial` file, :mod:`.response_body` reads a body as sent and :mod:`.local_file` copies a
local asset as safely; :mod:`.link_rules` says where a link points and whether it may be followed,
:mod:`.mirrors` rewrites links (``HUB_PLUGIN_MIRROR``). It imports the core, the errors,
:mod:`hub_plugin.cards` (a card's asset links) and :mod:`hub_plugin.cache` (where the files go);
never MindSpore.
"""
