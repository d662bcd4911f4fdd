"""One module per benchmark; each `run(ctx)` returns its figures as a dict (see bench/run.py)."""
