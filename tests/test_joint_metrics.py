"""Per-joint metrics: volume averages, ranges, and the odd shear component of joints cut by symmetry planes."""

from __future__ import annotations

import numpy as np
import pytest
from mpi4py import MPI

from fem_package.model_description import Region
from postprocess.joint_metrics import JointMetrics

REGIONS = [
    Region("die", 1, "die", "silicon"),
    Region("whole", 1000, "bump", "sac305", 0, (4e-4, 4e-4, 0.0), 4, 1.0),
    Region("half_x", 1001, "bump", "sac305", 1, (0.0, 4e-4, 0.0), 2, 0.5),
    Region("quarter", 1002, "bump", "sac305", 2, (0.0, 0.0, 0.0), 1, 0.25),
]


def test_averages_ranges_and_cut_components() -> None:
    tags = np.array([1, 1000, 1000, 1001, 1001, 1002])
    volumes = np.array([5.0, 1.0, 3.0, 1.0, 1.0, 2.0])
    metrics = JointMetrics(MPI.COMM_SELF, REGIONS, tags, volumes)
    for step, scale in enumerate((1.0, -0.5)):
        vm = scale * np.array([1.0, 10.0, 20.0, 30.0, 50.0, 7.0])
        gamma = scale * np.array([[9, 9], [0.01, 0.02], [0.03, 0.04], [0.05, 0.06], [0.07, 0.08], [0.1, 0.2]])
        metrics.add_step(step, np.abs(vm), gamma)
    joints = {j.name: j for j in metrics.joints()}
    whole = joints["whole"]
    assert whole.mean_von_mises == pytest.approx((10 + 60) / 4)
    assert whole.peak_von_mises == 20 and whole.peak_step == 0
    g = np.array([(0.01 + 0.09) / 4, (0.02 + 0.12) / 4])  # volume average of step 0; step 1 is -0.5 of it
    assert whole.shear_strain_peak == pytest.approx(np.linalg.norm(g))
    assert whole.shear_strain_range == pytest.approx(1.5 * np.linalg.norm(g))
    # cut by x = 0: gamma_xz averages to zero over the whole joint, gamma_yz is kept
    assert joints["half_x"].shear_strain_peak == pytest.approx(0.07)
    assert joints["half_x"].shear_strain_range == pytest.approx(1.5 * 0.07)
    # cut by both planes: both transverse components vanish over the whole joint
    assert joints["quarter"].shear_strain_range == 0.0
    assert metrics.regions_peak()["die"]["peak_von_mises"] == 1.0
