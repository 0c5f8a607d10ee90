"""`python -m event_rules COMMAND ...`; see event_rules.cli for the subcommands."""

import sys

from event_rules.cli import main
from workflows.interrupts import run_interruptibly

sys.exit(run_interruptibly(main, "python -m event_rules"))
