"""Where and how an environment is deployed: its settings (one YAML file per environment, checked
against ``settings.schema.json``), the ARN of every resource it names, and the training job's
typed hyperparameters.

Builders (``workflows``), rules (``event_rules``), IAM derivation (``iam``) and the deploy engine
(``deploy``) all read these; this package reads none of them.
"""
