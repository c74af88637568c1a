#!/usr/bin/python3
"""Sensing-margin and |Δcode| distributions of the ADC conversions, one line per campaign point.

    /usr/bin/python3 plots/margin_histogram.py RESULTS.h5 [MORE.h5 ...] [--where KEY=VALUE ...] --out fig.png

Left: the share of conversions per 1/64-LSB bin of the signed sensing margin (how far inside the
ideal code's decision interval the analog value sat, negative when a decision went wrong; the
nominal margin of an ideal chip is 1/2 LSB, a margin near 0 is a conversion that noise or an
offset can flip; the first bin holds ≤ −63/64, the last ≥ 63/64 LSB, e.g. saturated reads). Right: the share of conversions whose code differs from the
ideal code by 0..6 and ≥ 7. Summed over all trials of each point (/trials/margin_hist,
/trials/dcode_hist). --where keeps only the points whose swept KEY equals VALUE.
"""

import argparse
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import rapmc_results as rr


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--where", nargs="*", default=[], help="KEY=VALUE filters on swept keys")
    ap.add_argument("--title", default="Sensing margin of the ADC conversions")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    filters = rr.parse_where(a.where, ap.error)
    files = rr.open_all(a.files)
    entries = []
    for r in files:
        for p in rr.matching(r.points, filters):
            name = rr.point_text(p.settings, skip=filters)
            if len(files) > 1 or not name:
                name = f"{r.design()}, {name}" if name else r.design()
            entries.append((name, p))
    if not entries:
        ap.error(f"no point matches {a.where}")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.3), gridspec_kw={"width_ratios": [1.6, 1]})
    width = 0.8 / len(entries)
    for i, (name, p) in enumerate(entries):
        m = p.histogram("margin_hist").astype(float)
        if m.size != 128:
            sys.exit(f"plot: error: {p.group.file.filename}: margin_hist has {m.size} bins: an unsigned "
                     "sensing margin of results format < 1.2; run the campaign again")
        d = p.histogram("dcode_hist").astype(float)
        edges = rr.MARGIN_LOW_LSB + np.arange(m.size + 1) * rr.MARGIN_BIN_LSB
        with np.errstate(divide="ignore", invalid="ignore"):
            ax1.stairs(m / m.sum(), edges, color=f"C{i % 10}", lw=1.3, label=name)
            ax2.bar(np.arange(d.size) + (i - (len(entries) - 1) / 2) * width, d / d.sum(), width,
                    color=f"C{i % 10}", label=name)
    ax1.axvline(0.5, color="k", ls=":", lw=1)
    ax1.axvline(0.0, color="C3", ls="--", lw=1)
    ax1.text(0.0, 0.90, " wrong decision ← ", transform=ax1.get_xaxis_transform(), va="top", ha="right",
             fontsize=8, color="C3")
    ax1.text(0.5, 0.98, " nominal ½ LSB", transform=ax1.get_xaxis_transform(), va="top", fontsize=8)
    ax1.set_yscale("log")
    ax1.set_xlabel("signed sensing margin (LSB; bins of 1/64 LSB over [−1, 1), end bins open)")
    ax1.set_ylabel("share of conversions per bin")
    ax1.grid(alpha=0.3)
    ax1.legend(fontsize=7.5, loc="lower left")
    ax2.set_yscale("log")
    ax2.set_xticks(range(8), ["0", "1", "2", "3", "4", "5", "6", "≥7"])
    ax2.set_xlabel("|code − ideal code| (LSB)")
    ax2.set_ylabel("share of conversions")
    ax2.grid(alpha=0.3, axis="y")
    where = (" (" + ", ".join(f"{rr.short(k)}={v}" for k, v in filters.items()) + ")") if filters else ""
    counts = rr.counts_text([(r, p) for r in files for p in rr.matching(r.points, filters)])
    fig.suptitle(f"{a.title}{where}: all conversions of {counts} per line", fontsize=10)
    fig.tight_layout()
    rr.save(fig, a.out)


if __name__ == "__main__":
    rr.run(main)
