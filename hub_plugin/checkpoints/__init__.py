"""Checkpoints without MindSpore (issue 29): a streaming reader of MindSpore's ``.ckpt``
(:mod:`.reader`), the check ``download`` and ``validate --verify-assets`` make of a fetched
checkpoint (:mod:`.check`), what ``hub-plugin inspect`` shows (:mod:`.inspection`) and
``hub-plugin convert`` to and from safetensors (:mod:`.convert`). Part of the light install: it
never imports MindSpore."""
