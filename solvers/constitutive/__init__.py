"""Constitutive models evaluated at quadrature points (numpy, vectorized over points).

Every model follows :class:`solvers.constitutive.base.ConstitutiveModel`: given the mechanical
strain at the end of a step, the temperatures and the time increment, it returns the stress, the
consistent tangent and the new internal variables. Tensors are 6-vectors in Mandel notation.
"""
