"""`selfheal`: the one command line of the project, installed as a console script.

Each verb hands its arguments to the package that owns it (``selfheal.cli.VERBS``); this package
is the top floor, so it may import every other one and none imports it.
"""
