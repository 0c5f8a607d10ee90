"""`python -m event_rules COMMAND ...`; see event_rules.cli for the subcommands."""

from commandline.interrupts import run_interruptibly
from commandline.process_exit import exit_with
from event_rules.cli import main

exit_with(run_interruptibly(main, "python -m event_rules"))
