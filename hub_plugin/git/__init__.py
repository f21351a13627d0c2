"""Git repositories fetched under the same mirror and link rules as assets: the ``git`` command (shallow,
partial, sparse, no prompts) and rolling a sparse checkout back."""
