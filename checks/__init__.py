"""Built-in checks, shipped as ``kanidoc.checks`` and registered through entry points."""
