"""Hubs: git repositories of cards, their settings and synced snapshots, the card index written at sync
time, and finding a card by its UID in them."""
