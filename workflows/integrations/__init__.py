"""Service-integration tasks: Task states whose Arguments are the service API's request body."""
