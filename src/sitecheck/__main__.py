from sitecheck.cli import main

raise SystemExit(main())
