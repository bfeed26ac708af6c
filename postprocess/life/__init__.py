"""Fatigue-life models and statistics (numpy-first, SI units, constants in ``data/life_models.toml``).

- :mod:`.solder`: Coffin-Manson, Engelmaier (IPC-SM-785), DNP shear strain, Darveaux, Syed, Morrow.
- :mod:`.strain_life`: Coffin-Manson-Basquin strain-life for Cu/Au with a robust inverse.
- :mod:`.copper_strain_life`: IPC-TR-579 modified Manson-Coffin for copper (shipped constants).
- :mod:`.mission`: temperature histories, ASTM E1049 rainflow, Miner's rule, Norris-Landzberg.
- :mod:`.weibull`: B-lives, weakest-link package life, joint multiplicities.
- :mod:`.life_csv`: the per-joint ``life.csv``.
- :mod:`.constants`: the published constants with their sources.

This package imports ``fem_package`` only (never ``geometries`` or ``solvers``).
"""
