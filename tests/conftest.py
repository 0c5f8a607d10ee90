pytest_plugins = ["localcloud.pytest_plugin"]
