"""``kanidoc explain``: job-log signatures mapped to the finding codes of the checks.

* ``signatures``: the table (data): code, pattern, real example line, when the log cannot decide,
  the ``kanidoc check`` command that does.
* ``parser``: one streaming pass with bounded memory; cleaning of CI decorations; unwrapping of
  kaniko's error chains into stages.
* ``scrub``: secrets a log shows about itself are masked before any line is kept.
* ``explain``: the Report, in the same model as ``kanidoc check``.
"""
