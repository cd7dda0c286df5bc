"""Bounds on record ids taken from URLs."""

# The largest id a BigAutoField holds: a larger one in a URL names nothing and would overflow the database's integer,
# so views answer 404 before asking.
MAX_ID = 2**63 - 1
