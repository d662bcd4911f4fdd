"""Demo data: a deterministic, realistic county (`civicgrid demo --scale small|county --seed N`).

What other code may rely on is exported here; none of it needs the models loaded.
"""

from civicgrid.demo.departments import CATEGORIES, DEPARTMENTS, DepartmentSpec

# Every demo login has this password (the README documents it).
DEMO_PASSWORD = "demo-pass-2026"

__all__ = ["CATEGORIES", "DEMO_PASSWORD", "DEPARTMENTS", "DepartmentSpec"]
