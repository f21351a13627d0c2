"""hub-plugin's own files: where they are, and how they are written and joined safely.

* :mod:`.resources` says where the bundled registry (``models/``) and the JSON Schemas are;
* :mod:`.config_folder` is the config folder (``HUB_PLUGIN_CONFIG``) and the move-once from the old
  place;
* :mod:`.file_tree` walks and removes folder trees without recursion, whatever their depth;
* :mod:`.atomic_file` writes a file whole or not at all;
* :mod:`.contained_path` parses untrusted relative paths once and joins them inside their root.
"""
