"""Serving hub cards with model packages.

* :mod:`.hub_cards`: what the serving package adds to a hub card (the cards it requires, the
  hubconf's ``serve_hub_card`` arguments and shape, the library versions on a strict-load failure).
"""
