"""Section 'Weibull': the package failure distribution F(N) = 1 - exp(-(N/η)^β) on Weibull paper.

Data: the summary's ``life.weibull`` with ``shape`` (β) and ``scale`` (η, cycles). On Weibull
axes (x = ln N, y = ln(-ln(1 - F))) the distribution is the straight line y = β (ln N - ln η);
B-lives N_p = η (-ln(1 - p))^(1/β) are marked (Abernethy, The New Weibull Handbook, 5th ed., ch. 2).
"""

from __future__ import annotations

import numpy as np

from postprocess.life.weibull import b_life, failure_probability
from postprocess.report.html import Html, figure, key_values, number
from postprocess.report.plots import figure_image, new_figure
from postprocess.report.run_data import RunData
from postprocess.report.section import Section

B_LIVES = (1.0, 10.0, 50.0)
"""Percent failed at which the B-lives are listed and marked."""

_TICKS = (0.1, 0.5, 1, 2, 5, 10, 20, 50, 63.2, 90, 99, 99.9)


def _weibull_y(percent: np.ndarray | float) -> np.ndarray:
    return np.log(-np.log1p(-np.asarray(percent, dtype=float) / 100.0))


def build(run: RunData) -> Section | None:
    """Present when summary.json has ``life.weibull`` {shape, scale}."""
    w = run.section("life", "weibull")
    if not isinstance(w, dict) or "shape" not in w or "scale" not in w:
        return None
    beta, eta = float(w["shape"]), float(w["scale"])
    lives = {p: b_life(p, eta, beta) for p in B_LIVES}
    n_lo, n_hi = b_life(0.1, eta, beta), b_life(99.9, eta, beta)
    n = np.geomspace(n_lo, n_hi, 200)
    fig = new_figure(6.5, 4.2)
    ax = fig.add_subplot()
    ax.plot(n, np.log(-np.log1p(-failure_probability(n, eta, beta))), color="tab:blue", lw=2)
    for p, life in lives.items():
        ax.plot([life], [_weibull_y(p)], "o", color="tab:red")
        ax.annotate(
            f"B{p:g} = {number(life, 3)}",
            (life, float(_weibull_y(p))),
            xytext=(8, -4),
            textcoords="offset points",
            fontsize=8,
        )
    ax.axhline(float(_weibull_y(100 * (1 - np.exp(-1)))), color="0.7", ls=":", lw=0.8)
    ax.set_xscale("log")
    ax.set_yticks(_weibull_y(np.array(_TICKS)), [f"{t:g}" for t in _TICKS])
    ax.set_ylim(float(_weibull_y(0.1)), float(_weibull_y(99.9)))
    ax.set_xlabel("cycles N")
    ax.set_ylabel("failed [%]")
    ax.grid(alpha=0.3, which="both")
    facts = key_values(
        [("shape β", number(beta, 4)), ("scale η (63.2 % failed) [cycles]", number(eta, 4))]
        + [(f"B{p:g} life [cycles]", number(life, 4)) for p, life in lives.items()]
        + [(k, number(v, 4) if isinstance(v, int | float) else v) for k, v in w.items() if k not in ("shape", "scale")]
    )
    img = figure(figure_image(fig, "Weibull plot"), "Package failure probability on Weibull axes")
    return Section("weibull", "Weibull failure distribution", Html(facts + img))
