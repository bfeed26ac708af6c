"""History-carrying thermomechanics: quadrature-point state, Newton over load increments, step cutting, cycles.

The finite-element side is generic in the constitutive model: every region's material gets a
model from :func:`solvers.constitutive.select.model_for` (or a caller's own provider), obeying
the contract of :mod:`solvers.constitutive.base`.
"""
