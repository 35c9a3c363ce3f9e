"""Plumbing with no geoparsing in it: atomic writes, locks, the on-disk cache."""
