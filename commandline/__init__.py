"""What every command line of the project shares (Ctrl-C handling and its exit code).

The bottom floor: every package's ``__main__`` may import it, and it imports none of them.
"""
