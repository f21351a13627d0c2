"""The small core that every feature of hub-plugin stands on, and that imports none of them.

One home for each concern shared by the features:

- ``settings``: every ``HUB_PLUGIN_*`` variable and global option, read once into one object;
- ``http``: the one HTTP client (link rules, redirects checked hop by hop, one retry policy, a
  deadline per request);
- ``console``: every line that reaches a terminal, a log or a CI report, untrusted text shown as data;
- ``yamlio``: the one YAML reader (depth, alias and size limits) and the one card writer.

The errors of every feature live in :mod:`hub_plugin.errors`, beside this folder.
"""
