"""``hub-plugin publish``: a model's files uploaded, its card completed, and a hub branch made.

:mod:`.publication` runs the steps: it completes the card (:mod:`hub_plugin.cards.completion`,
written by the one card writer) for files inside the card's folder only, each with a digest to
check; :mod:`.object_store` uploads to an S3-compatible bucket (boto3), large files in parts
(:mod:`.multipart`, resumable); :mod:`.public_link` reads each file back from its public link
through the one HTTP client; :mod:`.hub_branch` commits the card on a new branch of your clone. It
imports the core, the errors, :mod:`hub_plugin.cards`, :mod:`hub_plugin.validation` (the card must
pass), :mod:`hub_plugin.downloads.link_rules` and :mod:`hub_plugin.git`; never MindSpore.
"""
