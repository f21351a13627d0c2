"""The small core that every feature of hub-plugin stands on, and that imports none of them.

One home for each concern shared by the features:

- ``settings``: every ``HUB_PLUGIN_*`` variable and global option, read once into one object
  (:class:`~.settings.Settings`, with the trust policy as :class:`~.settings.TrustPolicy`);
- ``http``: the one HTTP client, the only module that imports ``requests`` (redirects checked hop
  by hop by the caller's link rule, one retry policy, a deadline per request);
- ``console``: every line that reaches a terminal, a log or a CI report, untrusted text shown as
  data and secrets redacted; ``progress``: its moving part (download bars, :class:`Activity`);
- ``yamlio``: the one YAML reader (size, depth and alias limits) and the one card writer;
- ``file_tree``: folder trees walked and removed without recursion; ``contained_path``: untrusted
  relative paths joined inside their root; ``atomic_file``, ``hashing``, ``config_folder``,
  ``resources`` (the bundled ``models/`` and ``schemas/``) and ``extras`` (which install a command
  needs).

It imports only :mod:`hub_plugin.errors` (where the errors of every feature live, beside this folder)
and ``_version``: no feature, no CLI module, not the API (``tests/test_layers.py``).
"""
