from kanidoc.cli import entry

entry()
