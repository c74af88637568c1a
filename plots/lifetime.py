#!/usr/bin/python3
"""Lifetime yield against age: the share of chips whose accuracy has not yet fallen below the
mission's target, with Wilson 95 % intervals, from /lifetime of lifetime campaigns.

    /usr/bin/python3 plots/lifetime.py RESULTS.h5 [MORE.h5 ...] [--labels A B ...] --out fig.png

One line per /lifetime group of each file (docs/formats.md, "Results file"); the time axis is
logarithmic, so age 0 is drawn at a tenth of the first non-zero age.
"""

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import rapmc_results as rr


def groups(results):
    """(group, ages, yield, low, high) for every /lifetime group of an open results file."""
    f = results.file
    if "lifetime" not in f:
        raise rr.ResultsError(f"{results.path}: no /lifetime group (not a lifetime campaign, or "
                              "its run has not ended)")
    for key in sorted(f["lifetime"], key=int):
        g = f["lifetime"][key]
        n = max(len(g["trial"]), 1)
        yield (g.attrs["group"], g["ages_s"][()], g["alive"][()] / n, g["yield_ci95_low"][()],
               g["yield_ci95_high"][()])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--labels", nargs="*", help="one name per file (default: the file name)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    labels = a.labels or [p.rsplit("/", 1)[-1].removesuffix(".h5") for p in a.files]
    if len(labels) != len(a.files):
        raise rr.ResultsError("--labels needs one name per file")
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for results, label in zip(rr.open_all(a.files), labels):
        for group, ages, y, lo, hi in groups(results):
            first = ages[ages > 0].min() if (ages > 0).any() else 1.0
            x = np.where(ages > 0, ages, first / 10)
            name = label + (f" ({group})" if group else "")
            line = ax.step(x, y, where="post", label=name)[0]
            ax.fill_between(x, lo, hi, step="post", alpha=0.15, color=line.get_color())
    ax.set_xscale("log")
    ax.set_xlabel("age since first programming (s)")
    ax.set_ylabel("lifetime yield (chips not yet below target)")
    ax.set_ylim(-0.02, 1.05)
    for t, text in [(86400, "1 d"), (3.156e7, "1 y"), (3.156e8, "10 y")]:
        ax.axvline(t, color="0.85", lw=0.8, zorder=0)
        ax.text(t, 1.01, text, fontsize=7, ha="center", va="bottom", color="0.4")
    ax.legend(fontsize=7)
    rr.save(fig, a.out)


if __name__ == "__main__":
    rr.run(main)
