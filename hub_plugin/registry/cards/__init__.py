"""Model cards: their text, their typed manifest, and the fields that point elsewhere.

* :mod:`.card_files` says which files are cards, for the CI gate, a hub's index and the lookup;
* :mod:`.card` parses a card's YAML front matter into positioned nodes (nothing is constructed);
* :mod:`.json_instance` turns those nodes into the JSON instance the schema checks;
* :mod:`.manifest` is the typed, immutable :class:`~.manifest.Manifest` a valid card becomes;
* :mod:`.repo_link` reads a card's ``repo-link`` into a repository, a ref and a folder.
"""
