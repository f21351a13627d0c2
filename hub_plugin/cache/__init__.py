"""The cache under ``HUB_PLUGIN_HOME``, and what ``hub-plugin cache ls|rm|prune|verify`` sees of it.

:mod:`.asset_cache` is :class:`~.asset_cache.AssetCache`, verified blobs by sha256 with views by
card; :mod:`.index` holds its records (:class:`~.index.CacheEntry`, :class:`~.index.View`, ...) and
``index.json``; :mod:`.views` is the readable view, ``cards/<place>/<file>``, one folder per card
origin; :mod:`.checkouts` lists what git put there (hub snapshots and zoo checkouts). It imports the
core, the errors, :mod:`hub_plugin.downloads.partial` (temporary files), :mod:`hub_plugin.hubs`
and :mod:`hub_plugin.zoo.checkout` (their folders); never MindSpore.
"""
