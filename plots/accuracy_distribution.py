#!/usr/bin/python3
"""Per-trial accuracy distribution of one or more campaigns (or sweep points) side by side.

    /usr/bin/python3 plots/accuracy_distribution.py A.h5 B.h5 ... --out fig.png [--labels a b ...]

Each campaign (or each point of a sweep file) gets a box (quartiles, whiskers at the 5th and 95th
percentiles) over its trials' accuracies with every trial drawn as a dot, the mean with its
95 % confidence interval, and the yield P(accuracy >= threshold) with its Wilson 95 % interval.
The short dashed line over each box is the accuracy of the same pipeline on exact digital MVMs
(the file's reference), so the gap is what the chip instances cost.
"""

import argparse
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import rapmc_results as rr


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+", help="rapmc results files (HDF5)")
    ap.add_argument("--out", required=True, help="PNG to write")
    ap.add_argument("--labels", nargs="*", help="one label per file (default: pipeline on hardware)")
    ap.add_argument("--title", default="Accuracy over Monte Carlo trials (chip instances)")
    a = ap.parse_args()
    files = rr.open_all(a.files)
    if a.labels and len(a.labels) != len(files):
        ap.error(f"--labels has {len(a.labels)} entries for {len(files)} files")

    entries = []  # (label, point, results)
    for fi, r in enumerate(files):
        for p in r.points:
            base = a.labels[fi] if a.labels else r.design()
            label = base if not p.label else f"{base}\n{rr.point_text(p.settings)}"
            entries.append((label, p, r))

    fig, ax = plt.subplots(figsize=(max(5.0, 1.9 * len(entries) + 1.5), 4.6))
    rng = np.random.default_rng(0)  # jitter of the dots only
    threshold = None
    for i, (label, p, r) in enumerate(entries):
        acc = p.column("accuracy") * 100
        s = p.stat("accuracy")
        y = p.yield_()
        threshold = y["accuracy_threshold"] * 100
        ax.boxplot(acc, positions=[i], widths=0.5, whis=(5, 95), showfliers=False,
                   medianprops=dict(color="0.3"))
        ax.scatter(i + rng.uniform(-0.18, 0.18, acc.size), acc, s=9, alpha=0.55, color="C0", zorder=3)
        mean, err = rr.ci_errorbars([s], "accuracy")
        ax.errorbar(i + 0.33, mean * 100, yerr=err * 100, fmt="D", color="C3", capsize=4, zorder=4, label="mean, 95 % CI" if i == 0 else None)
        ref = p.reference_accuracy()
        if ref is not None:
            ax.hlines(ref * 100, i - 0.3, i + 0.3, colors="k", linestyles="--", lw=1.2,
                      label="exact digital MVMs" if i == 0 else None)
        ax.annotate(f"{s['mean'] * 100:.1f} %\n[{s['ci95_low'] * 100:.1f}, {s['ci95_high'] * 100:.1f}]\n"
                    f"yield {p.yield_text().replace(' [', chr(10) + '[', 1)}",
                    (i, 1.0), xycoords=("data", "axes fraction"), xytext=(0, -4), textcoords="offset points",
                    ha="center", va="top", fontsize=7.5)
    ax.axhline(threshold, color="C2", ls=":", lw=1.2, label=f"yield threshold {threshold:.0f} %")
    wrap = max(14, int(95 / max(len(entries), 1)))
    ax.set_xticks(range(len(entries)), ["\n".join(textwrap.wrap(e[0], wrap)) for e in entries], fontsize=8)
    ax.set_ylabel("top-1 accuracy on the evaluation subset (%)")
    counts = rr.counts_text([(r, p) for _, p, r in entries])
    ax.set_title(f"{a.title}\n{counts} (Fashion-MNIST test); dots = trials, box 25–75 %, whiskers 5–95 %",
                 fontsize=10)
    ax.set_ylim(0, 118)
    ax.set_yticks(range(0, 101, 20))
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    rr.save(fig, a.out)


if __name__ == "__main__":
    rr.run(main)
