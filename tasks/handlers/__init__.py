"""Lambda handlers. Each module's `handler(event, context)` parses its input, calls plain
functions that take their AWS clients as arguments, and returns JSON."""
