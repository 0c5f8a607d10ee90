"""`make demo`: the whole self-healing loop in the embedded cloud (not built yet)."""

from __future__ import annotations

import sys

PLAN = """make demo will:
  1. start the embedded cloud (localcloud) and deploy every state machine, rule and function;
  2. upload a generated churn dataset to S3, so that EventBridge starts the retrain state machine;
  3. show each state as it runs, then a summary: metrics, gate decision, model package, endpoint;
  4. upload drifted capture data, fire the drift-check schedule, and follow the retrain it starts.

It is not built yet: see the open issue "make deploy-workflow and make demo".
"""


def main() -> int:
    sys.stdout.write(PLAN)
    return 1


if __name__ == "__main__":
    sys.exit(main())
