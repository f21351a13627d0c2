"""Trust: whether code from outside the bundled registry may run, and that what runs is what was agreed to.

* :mod:`.gate` decides, asks (through :mod:`hub_plugin.core.console`, file names shown as data) or
  refuses before any such code runs;
* :mod:`.code_digest` digests every file of a model package or zoo folder that can run or steer what
  runs (walked without recursion; a file name with control characters refused);
* :mod:`.store` keeps what was trusted (packages by digest, repositories by full commit);
* :mod:`.verified_import` is the one importer of untrusted code: any module whose file lies inside a
  trusted folder runs from its hashed source, whatever ``sys.path`` says, and no bytecode is read.

It imports the core, the errors, :mod:`hub_plugin.cards.repo_link` and :mod:`hub_plugin.registry`;
it reads and hashes files and builds nothing, so it never imports MindSpore.
"""
