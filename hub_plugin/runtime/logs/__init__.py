"""What hub-plugin lets third-party libraries print: :mod:`.mindspore_log` quiets MindSpore."""
