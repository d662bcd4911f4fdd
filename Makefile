# Everyday entry points; the README's two commands (scripts/run, scripts/test) need no make.
.PHONY: bench bench-reuse

SHELL := /bin/bash
SCALE ?= county

# Data at SCALE (small, county or city) on PostgreSQL, the whole benchmark suite, docs/benchmarks.md.
bench:
	. scripts/_setup.sh && setup_env dev && python -m bench.run --scale $(SCALE)

# Measure again on the data of the last run.
bench-reuse:
	. scripts/_setup.sh && setup_env dev && python -m bench.run --scale $(SCALE) --reuse
