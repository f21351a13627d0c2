"""git: repositories of strangers (hub syncs, zoo checkouts) fetched under the same mirror and link
rules as assets.

:mod:`.transport` runs the ``git`` command (shallow, partial, sparse, no prompts; no system or
global git configuration, no filter and no LFS for a stranger's repository, your own for
``publish``'s push); :mod:`.sparse_rollback` widens a shared sparse checkout by one folder, all or
nothing. It imports the core, the errors, :mod:`hub_plugin.cards.repo_link` and
:mod:`hub_plugin.downloads` (link rules and mirrors); never MindSpore.
"""
