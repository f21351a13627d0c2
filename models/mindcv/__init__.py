"""The mindcv library package: hub cards of mindcv built with ``mindcv.create_model``."""
