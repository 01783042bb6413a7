"""kanidoc: diagnose failing kaniko image builds the way kaniko itself would see them."""

__version__ = "0.1.0"
