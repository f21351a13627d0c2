"""``hub-plugin validate``: checking cards and folders of cards, for people and for a hub's CI.

:mod:`.validator` validates files and folders (each card through :mod:`hub_plugin.cards.checks`);
:mod:`.selection` chooses which files are cards (a hub's layout, ``--include``/``--exclude``) and
:mod:`.changed_cards` which differ from a git ref (``--changed-since``); :mod:`.report` holds the
results, :mod:`.output` prints them as text, JSON, GitHub annotations or SARIF (:mod:`.sarif_log`)
and :mod:`.step_summary` writes the job summary, all through :mod:`hub_plugin.core.console`.
``--check-links`` and ``--verify-assets`` are :mod:`.remote_checks`, over :mod:`.probe`,
:mod:`.served_file` and :mod:`.host_pool`. It imports the core, the errors,
:mod:`hub_plugin.cards`, and for the network checks only :mod:`hub_plugin.downloads` and
:mod:`hub_plugin.cache` (a plain validate loads neither); never MindSpore.
"""
