"""Trust: whether code from outside the bundled registry may run, and what was agreed to.

* :mod:`.gate` decides, asks or refuses before any such code runs;
* :mod:`.code_digest` digests every file of a model package that can run or steer what runs;
* :mod:`.store` keeps what was trusted (packages by digest, repositories by commit).
"""
