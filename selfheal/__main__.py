"""`python -m selfheal VERB ...`: the same as the installed `selfheal` command."""

import sys

from selfheal.cli import run

if __name__ == "__main__":
    sys.exit(run())
