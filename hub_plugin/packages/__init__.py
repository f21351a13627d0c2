"""Model packages and the one build path: from a name to a working network with verified weights.

:mod:`.contract` declares the model-package contract once (the hooks a ``hubconf.py`` may define,
what is a network); :mod:`.hubconf_reader` reads what a hubconf offers without running it and
:mod:`.hubconf_import` imports a package under a namespace of its own, every module through the
one importer (:mod:`hub_plugin.trust.verified_import`). :mod:`.loading` is the one build
path (``build(LoadRequest) -> LoadedModel``) that ``load``, ``export``, ``train``, ``eval``,
``predict`` and the API share; :mod:`.input_shape` works the input shape out once,
:mod:`.hub_cards` builds the hub cards a package serves, :mod:`.device` picks the device,
:mod:`.launch` runs data-parallel jobs through ``msrun`` and :mod:`.mindspore_log` sets MindSpore's
log level before it is imported. It imports the core, the errors and the features a build needs
(:mod:`hub_plugin.cards`, :mod:`hub_plugin.registry`, :mod:`hub_plugin.hubs`,
:mod:`hub_plugin.downloads`, :mod:`hub_plugin.trust`, :mod:`hub_plugin.zoo`); MindSpore only inside
the functions that build or run.
"""
