"""Model cards: their text and YAML front matter, the typed manifest, the repo-link and asset links, the
schema profiles and the checks a schema can't express, and completing a card for publication."""
