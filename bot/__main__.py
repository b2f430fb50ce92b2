"""`python -m bot` runs the `mentor-minutes` command line."""

from bot.cli.main import main

raise SystemExit(main())
