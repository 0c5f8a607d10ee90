"""`python scripts/deploy.py plan|apply|rollback|destroy|unlock|template|permissions [...]`: the
deploy verbs from a clone without installing, the same as `selfheal plan|deploy|...`
(`selfheal.deploy_commands`)."""

import sys
from pathlib import Path

# Ahead of scripts/, Python's first place to look: `deploy` is the package, not this file.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from commandline.interrupts import run_interruptibly
from commandline.process_exit import exit_with
from selfheal.deploy_commands import main

if __name__ == "__main__":
    exit_with(run_interruptibly(main, "deploy"))
