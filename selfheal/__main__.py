"""`python -m selfheal VERB ...`: the same as the installed `selfheal` command."""

from commandline.process_exit import exit_with
from selfheal.cli import run

if __name__ == "__main__":
    exit_with(run())
