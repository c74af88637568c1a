#!/usr/bin/python3
"""Chip failure probability 1 − yield by plain Monte Carlo, importance sampling over the die and
scaled-sigma sampling, from rapmc results files (docs/design.md, "Chip yield at the network
level").

    /usr/bin/python3 plots/yield_estimates.py --plain P.h5 [--importance I.h5 [J.h5 ...]]
                                              [--labels A B ...] [--scaled S.h5] [--title T]
                                              --out fig.png

Left: each estimate of P(fail) as trials accumulate, with its 95 % interval as a band (plain:
Wilson; importance: the weighted mean's normal interval), so the variance reduction shows as a
narrower band for the same trials. Right: the failing fraction at each σ scale of the
scaled-sigma file (Wilson intervals) and the three estimates at σ × 1 (the scaled-sigma one
extrapolated by `rapmc report --scaled-sigma`). A chip fails when its accuracy is below the
campaign's yield threshold or its trial failed. Only the documented schema is read
(docs/formats.md, "Results file").
"""

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import rapmc_results as rr

Z95 = 1.959963984540054


def trials_of(point):
    """Per complete trial: fails (bool), weight."""
    t = point.group["trials"]
    n = t["trial"].shape[0]
    status = t["status"][:n]
    acc = t["accuracy"][:n]
    w = t["weight"][:n] if "weight" in t else np.ones(n)
    threshold = point.yield_()["accuracy_threshold"]
    fails = (status != 0) | ~(acc >= threshold)
    return fails, w


def wilson(k, n):
    p = k / n
    d = 1 + Z95**2 / n
    c = (p + Z95**2 / (2 * n)) / d
    h = Z95 / d * np.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n))
    return p, np.maximum(c - h, 0), c + h


def running(fails, w):
    """Running estimate and 95 % band after 1..n trials (weighted mean; variance with denominator
    n, as rapmc report computes it)."""
    n = np.arange(1, fails.size + 1)
    wx = np.where(fails, w, 0.0)
    if np.all(w == 1):
        return wilson(np.cumsum(fails), n)
    p = np.cumsum(wx) / n
    var = np.maximum(np.cumsum(wx * wx) / n - p * p, 0) / n
    se = np.sqrt(var)
    return p, np.maximum(p - Z95 * se, 0), p + Z95 * se


def scaled_fit(path):
    """rapmc report's scaled-sigma fit of the file (rapmc.report, the C++ code)."""
    rapmc = rr._import_rapmc()
    try:
        return rapmc.report(path, scaled_sigma=True)["scaled_sigma"][0]
    except rapmc.Error as e:
        raise rr.ResultsError(f"{path}: rapmc report --scaled-sigma failed: {e}") from None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plain", required=True)
    ap.add_argument("--importance", nargs="+", default=[])
    ap.add_argument("--labels", nargs="+", help="one per --importance file")
    ap.add_argument("--scaled")
    ap.add_argument("--title", default="Chip failure probability P(accuracy < threshold)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.4), gridspec_kw={"width_ratios": [3, 2]})
    at_one = []
    ends = []  # (final upper bound, chips) per run
    labels = a.labels or [f"importance {k + 1}" for k in range(len(a.importance))]
    if len(labels) != len(a.importance):
        raise rr.ResultsError(f"--labels: {len(labels)} labels for {len(a.importance)} --importance files")
    runs = [(a.plain, "plain Monte Carlo", "C0")]
    runs += [(f, name, f"C{3 + k}") for k, (f, name) in enumerate(zip(a.importance, labels))]
    for path, name, color in runs:
        with rr.Results(path) as r:
            fails, w = trials_of(r.points[0])
        p, lo, hi = running(fails, w)
        n = np.arange(1, p.size + 1)
        ax.plot(n, p, color=color, lw=1.4, label=f"{name}: {p[-1]:.4f} [{lo[-1]:.4f}, {hi[-1]:.4f}]")
        ax.fill_between(n, lo, hi, color=color, alpha=0.18, lw=0)
        at_one.append((name, p[-1], lo[-1], hi[-1], color))
        ends.append((hi[-1], p.size))
    ax.set_xscale("log")
    ax.set_xlabel("chips drawn (trials)")
    ax.set_ylabel("P(chip fails), 95 % interval")
    # From 10 chips on, and up to three times the widest final interval (a Wilson interval of
    # the first few chips spans most of [0, 1]).
    ax.set_xlim(left=min(10, max(1, min(e[1] for e in ends))))
    ax.set_ylim(0, min(1.0, 3 * max(e[0] for e in ends)))
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(alpha=0.3)
    if a.scaled:
        with rr.Results(a.scaled) as r:
            for pt in r.points:
                fails, _ = trials_of(pt)
                s = float(pt.group["trials"]["sigma_scale"][0])
                p, lo, hi = wilson(fails.sum(), fails.size)
                bx.errorbar(s, p, yerr=[[p - lo], [hi - p]], fmt="o", color="C2", capsize=3)
        fit = scaled_fit(a.scaled)
        if fit["found"]:
            at_one.append(("scaled sigma, extrapolated", fit["failure_p"], fit["failure_ci95_low"],
                           fit["failure_ci95_high"], "C2"))
    width = 0.06 / max(len(at_one) - 1, 1)
    for k, (name, p, lo, hi, color) in enumerate(at_one):
        bx.errorbar(1.0 - 0.03 + width * k, p, yerr=[[p - lo], [hi - p]], fmt="D", color=color, capsize=3,
                    label=f"{name} at σ × 1")
    bx.set_yscale("log")
    bx.set_xlabel("σ scale s (scaled-sigma points, Wilson 95 %)")
    bx.set_ylabel("P(chip fails)")
    bx.legend(fontsize=7.5, loc="lower right")
    bx.grid(alpha=0.3, which="both")
    fig.suptitle(a.title, fontsize=10)
    rr.save(fig, a.out)


if __name__ == "__main__":
    rr.run(main)
