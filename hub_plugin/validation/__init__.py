"""``hub-plugin validate``: choosing the cards, validating files and folders, the reports,
``--changed-since``, ``--check-links`` and ``--verify-assets``, and the text, JSON, GitHub and SARIF
outputs."""
