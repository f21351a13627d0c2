"""Routes: which model package (or library package, or the model zoo's code) builds a card.

* :mod:`.card_routes` reads the ``serves`` rules of every package's ``package.yaml`` and picks the
  route of a card from its package folder or its ``repo-link``.
"""
