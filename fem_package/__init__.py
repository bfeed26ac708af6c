"""flipstack shared core: case model, materials, units, MPI and I/O helpers, CLI and pipeline."""

__version__ = "0.1.0"
