"""The lock file: everything a load uses, pinned (issue 29 items 1 and 2).

``hub-plugin lock NAME...`` resolves each name completely, through the same registry and route
code ``load`` uses (:func:`hub_plugin.packages.loading.open_registry`,
:func:`hub_plugin.registry.routes.route_for`), without building a network, and writes
``hub-plugin.lock`` (TOML): per model the name as given, the hub (name, URL, commit) and the card's
path and sha256, the route (package and its code digest; zoo repository, ref, commit, folder, code
digest and config; or library and version), every asset with its link, full sha256 and size
(those of the cards it requires too), and the versions of hub-plugin, Python, MindSpore and any
library.

``--locked [FILE]`` (``locked=`` in the API) checks what a command would use now against the file
and stops at the first difference with one line naming it and the way to update
(``hub-plugin lock --upgrade NAME``); the assets are then verified against the locked full
digests, not the card's prefixes. ``lock --check`` compares what the hubs serve now (hubs synced
again, zoo branches asked again, assets downloaded again into a throwaway cache).

Modules: :mod:`.toml_writer` (a small TOML writer for this fixed shape), :mod:`.lock_file` (the
file: read, write, find a model), :mod:`.resolution` (a name to its lock entry), :mod:`.verify`
(an entry against the lock: the one line). The light install runs all of it: nothing here imports
MindSpore (its version is read from the installed distribution's metadata).
"""
