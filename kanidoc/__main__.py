from kanidoc.cli import main

raise SystemExit(main())
