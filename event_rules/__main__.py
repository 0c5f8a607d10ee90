"""`python -m event_rules COMMAND ...`; see event_rules.cli for the subcommands."""

import sys

from event_rules.cli import main

sys.exit(main())
