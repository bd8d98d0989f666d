"""The version of inclusiecheck, in a module of its own that imports nothing (so that any stage
may read it without importing the package's front door, :mod:`inclusiecheck`)."""

__version__ = "0.1.0"
