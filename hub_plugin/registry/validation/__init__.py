"""Validating cards and ``package.yaml`` files: the schema, the rules it can't express, the reports.

* :mod:`.schema_profiles` compiles the JSON Schema in ``schemas/`` into its two profiles;
* :mod:`.card_checks` checks a parsed card against a profile and the rules a schema can't express;
* :mod:`.report` holds the reports those checks produce;
* :mod:`.rules` says in a sentence what each rule id of a defect means (for SARIF);
* :mod:`.validator` validates files and folders (cards and ``package.yaml``);
* :mod:`.changed_cards` finds the cards that differ from a git ref (``--changed-since``).
"""
