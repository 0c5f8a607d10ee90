pytest_plugins = [
    "localcloud.pytest_plugin",
    "tests.tasks_helpers",
    "tests.jobs_helpers",
    "tests.deploy_helpers",
]
