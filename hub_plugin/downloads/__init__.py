"""Downloading a card's assets: the steps (cache, mirrors, offline, transfer, verify, store), the HTTP
transfer, the partial file, local files, where a link points and whether it may be followed, and the
mirrors."""
