"""Downloading one asset: the transfer, the partial file, its running sha256, the progress bar.

* :mod:`.fetch` ties the steps together: cache, mirrors, offline, download, verify, store;
* :mod:`.transfer` moves bytes over HTTP(S) with resume, retries and timeouts;
* :mod:`.response_body` keeps a body as sent (undecoded) and no longer than announced;
* :mod:`.local_file` copies a local asset (a regular file, no symbolic link followed);
* :mod:`.partial` is a download in progress and its running digest;
* :mod:`.hashing` is the one sha256 path;
* :mod:`.progress` draws the ``rich`` bar on a terminal.
"""
