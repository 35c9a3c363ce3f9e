"""nkmap's exceptions: one root, and input errors that say where and how to fix them."""

from __future__ import annotations


class NkmapError(Exception):
    """Root of every error nkmap raises on purpose; the CLI prints it as one line, exit 2."""


class InputError(NkmapError, ValueError):
    """Bad input: names the file, the place in it (line, feature index, field) and the problem.

    >>> str(InputError("data/g.geojson", "feature 12, field 'coordinates'", "latitude 95.0 is outside [-90, 90]"))
    "data/g.geojson: feature 12, field 'coordinates': latitude 95.0 is outside [-90, 90]"
    """

    def __init__(self, path: object, where: str, problem: str) -> None:
        self.path = str(path)
        self.where = where
        self.problem = problem
        super().__init__(": ".join(part for part in (self.path, where, problem) if part))

    def __reduce__(self) -> tuple[type, tuple[str, str, str]]:
        """Pickled as its three parts, so a worker process's error reaches the parent unchanged."""
        return type(self), (self.path, self.where, self.problem)
