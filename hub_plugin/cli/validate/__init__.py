"""``hub-plugin validate``: the command and how its report is printed.

* :mod:`.command` parses the options and runs the validation;
* :mod:`.output` prints a report as ``text``, ``json``, ``github`` or ``sarif``;
* :mod:`.sarif_log` builds the SARIF 2.1.0 log;
* :mod:`.step_summary` writes every finding to GitHub's step summary (``--format github``).
"""
