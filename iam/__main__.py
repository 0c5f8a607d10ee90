"""`python -m iam [--env ENV] [--role NAME]`: the derived roles, linted."""

import sys

from commandline.interrupts import run_interruptibly
from iam.cli import main

if __name__ == "__main__":
    sys.exit(run_interruptibly(lambda: main(sys.argv[1:]), "python -m iam"))
