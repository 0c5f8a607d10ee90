"""`python -m event_rules COMMAND ...`; see event_rules.cli for the subcommands."""

import sys

from commandline.interrupts import run_interruptibly
from event_rules.cli import main

sys.exit(run_interruptibly(main, "python -m event_rules"))
