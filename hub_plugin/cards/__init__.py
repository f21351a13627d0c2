"""Model cards: what users write and ``validate`` checks, one card at a time.

:mod:`.card` reads a card's text and YAML front matter into positioned nodes (through
:mod:`hub_plugin.core.yamlio`), :mod:`.json_instance` turns them into the instance the schema sees,
:mod:`.profiles` and :mod:`.checks` check it (the schema, then what a schema can't express;
:mod:`.rules` says what each rule id means) and :mod:`.manifest` is the typed result.
:mod:`.repo_link` and :mod:`.asset_link` parse a card's links once into a safe form;
:mod:`.card_files` is the one answer to "is this a card" for the CI gate, the hub index and the
lookup; :mod:`.completion` completes a card for publication. It imports the core and the errors,
and of the features only :mod:`hub_plugin.packages.hubconf_reader` (a ``package.yaml``'s networks)
and :mod:`hub_plugin.validation.report` (the report a check fills).
"""
