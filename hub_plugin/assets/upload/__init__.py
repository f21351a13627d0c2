"""Publishing a model's files: uploaded to an S3-compatible store, read back from their public link.

* :mod:`.object_store` talks to the bucket (boto3, imported only here, from the ``publish`` extra):
  the target ``s3://BUCKET/PREFIX``, credentials from boto3's own chain, errors in one line;
* :mod:`.multipart` uploads a large file in parts, in parallel, resuming an interrupted upload;
* :mod:`.public_link` reads an uploaded file back from where the card will point;
* :mod:`.publication` is ``hub-plugin publish``: card, upload, read-back, hub branch, in that order.
"""
