#!/usr/bin/python3
"""Error against energy and area per inference: the ADC trade-off, one marker per campaign point.

    /usr/bin/python3 plots/error_vs_cost.py A.h5 [B.h5 ...] [--y accuracy code_error_rate]
                                        [--cost energy_j area_mm2 reads] --out fig.png

Columns: the --cost metrics, from the cost model (docs/design.md, "Cost model"; assumed parameters):
energy_j (AMS-PiM energy per inference) or energy_adc_j (its ADC part), area_mm2 (chip area of
the analog layers) or area_adc_mm2, reads or conversions per inference. Rows: the --y metrics.
Every point is the mean over its trials with the 95 % CI of /statistics, labelled with its
swept values; one marker style per file. In the accuracy row the dashed line is the best
reference (exact digital MVMs) of the files.
"""

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import rapmc_results as rr

ABBREV = {"hardware.schedule.k": "K", "hardware.adc.enob": "b", "hardware.adc.comparator_wl_um2": "WL"}


def tag(settings):
    return ",".join(f"{ABBREV.get(k, rr.short(k))}{v}" if k in ABBREV else f"{rr.short(k)}={v}"
                    for k, v in settings.items())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--labels", nargs="*", help="one legend entry per file (default: pipeline on hardware)")
    ap.add_argument("--y", nargs="+", default=["accuracy", "code_error_rate"])
    costs = ["energy_j", "energy_adc_j", "area_mm2", "area_adc_mm2", "reads", "conversions"]
    ap.add_argument("--cost", nargs="+", default=["energy_j", "area_mm2", "reads"], choices=costs)
    ap.add_argument("--title", default="Error against cost per inference (cost model, assumed parameters)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    files = rr.open_all(a.files)
    if a.labels and len(a.labels) != len(files):
        ap.error(f"--labels has {len(a.labels)} entries for {len(files)} files")
    fig, axes = plt.subplots(len(a.y), len(a.cost), figsize=(5 * len(a.cost), 3.9 * len(a.y)), squeeze=False)
    refs = []
    for fi, r in enumerate(files):
        name = a.labels[fi] if a.labels else r.design()
        pts = r.points
        # Points whose ADC clips a read's count (K above 2^b − 1) are drawn hollow.
        clips = np.array([p.stat("saturation_rate")["mean"] > 1e-3 for p in pts])
        for row, metric in enumerate(a.y):
            for col, cost in enumerate(a.cost):
                ax = axes[row][col]
                x, _ = rr.ci_errorbars([p.stat(cost) for p in pts], cost)
                y, yerr = rr.ci_errorbars([p.stat(metric) for p in pts], metric)
                _, xscale = rr.metric_axis(cost)
                _, yscale = rr.metric_axis(metric)
                color, marker = f"C{fi % 10}", "osD^v"[fi % 5]
                for hollow in (False, True):
                    sel = clips == hollow
                    if not sel.any():
                        continue
                    label = None
                    if row == 0 and col == 0:
                        label = f"{name}, ADC clips (saturation > 10⁻³)" if hollow else name
                    ax.errorbar(x[sel] * xscale, y[sel] * yscale, yerr=yerr[:, sel] * yscale, fmt=marker, color=color,
                                mfc="none" if hollow else color, ms=5, capsize=3, ls="none", label=label)
                for p, xi, yi in zip(pts, x, y):
                    if p.settings:
                        ax.annotate(tag(p.settings), (xi * xscale, yi * yscale), xytext=(3, 3),
                                    textcoords="offset points", fontsize=6.5, color=color)
        refs += [p.reference_accuracy() for p in pts if p.reference_accuracy() is not None]
    for row, metric in enumerate(a.y):
        for col, cost in enumerate(a.cost):
            ax = axes[row][col]
            ax.set_xscale("log")
            ax.set_xlabel(rr.metric_axis(cost)[0])
            ax.set_ylabel(rr.metric_axis(metric)[0])
            ax.grid(alpha=0.3, which="both")
            if metric in ("code_error_rate", "dcode_ge2_rate", "saturation_rate"):
                ax.set_yscale("symlog", linthresh=1e-6)  # linear below 1e-6: a rate of 0 stays drawable
                ax.set_ylim(0, 1.5)
            if metric == "accuracy":
                ax.set_ylim(0, 100)
    if refs and "accuracy" in a.y:
        row = a.y.index("accuracy")
        for ax in axes[row]:
            ax.axhline(max(refs) * 100, color="k", ls="--", lw=0.9, label="exact digital MVMs")
    handles, labels = axes[0][0].get_legend_handles_labels()  # below the panels: never over a point
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=min(len(labels), 3), fontsize=8)
    counts = rr.counts_text([(r, p) for r in files for p in r.points])
    fig.suptitle(f"{a.title}\nmeans and 95 % CIs over {counts} per point; "
                 "labels: K = rows per read, b = ADC bits", fontsize=10)
    fig.tight_layout()
    rr.save(fig, a.out)


if __name__ == "__main__":
    rr.run(main)
