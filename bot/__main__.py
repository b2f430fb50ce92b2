"""`python -m bot` runs the `mentor-minutes` command line."""

from bot.cli import main

raise SystemExit(main())
