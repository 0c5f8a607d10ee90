"""A local web console over an AWS account: state machines and their executions, the model
registry (with approve/reject), the endpoint, alarms, and what the embedded cloud records of
EventBridge deliveries and SNS messages.

It reads through boto3 clients only (the standard AWS environment; `AWS_ENDPOINT_URL` for the
embedded cloud), so it shows the embedded cloud and a real account alike. Its one write is
UpdateModelPackage, for a package pending manual approval.
"""
