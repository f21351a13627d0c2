"""``hub-plugin publish``: completing the card, uploading the files to an S3-compatible store, reading them
back from their public link, and the hub branch."""
