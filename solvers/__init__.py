"""Solver stage: the physics (thermo-elasticity now; thermal, inelastic and moisture to come)."""
