"""The content-addressed asset cache.

* :mod:`.asset_cache` is :class:`~.asset_cache.AssetCache`, blobs by sha256 with views by card;
* :mod:`.index` holds its records (:class:`~.index.CacheEntry`, :class:`~.index.View`, ...) and
  ``index.json``;
* :mod:`.views` is the readable view, ``cards/<place>/<file>``, one folder per card origin.
"""
