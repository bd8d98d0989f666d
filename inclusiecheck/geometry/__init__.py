"""Measures on geometry: pure functions from shapely/numpy geometry (metres) to numbers or shapes."""
