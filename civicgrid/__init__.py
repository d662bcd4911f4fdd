"""civicgrid: grid-based grassroots governance."""

__version__ = "0.1.0"
