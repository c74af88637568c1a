#!/usr/bin/python3
"""Per-trial metrics against a swept parameter, with 95 % confidence intervals.

    /usr/bin/python3 plots/sweep.py RESULTS.h5 --x KEY [--metrics accuracy code_error_rate]
                                   [--group KEY ...] [--logy code_error_rate] --out fig.png

KEY is a swept key as written in the campaign (e.g. hardware.adc.enob, operating_point.temp_c);
one panel per metric, one line per combination of the --group keys (default: every other swept
key). Points are the mean over trials with the Student-t 95 % CI of /statistics; the dashed
line in the accuracy panel is the pipeline on exact digital MVMs. Metrics are the /trials
column names (README, "Results file").
"""

import argparse
import itertools

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import rapmc_results as rr


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", help="rapmc results file with a [[sweep]]")
    ap.add_argument("--x", required=True, help="swept key on the x axis")
    ap.add_argument("--metrics", nargs="+", default=["accuracy", "code_error_rate"])
    ap.add_argument("--group", nargs="*", help="swept keys that make separate lines (default: all others)")
    ap.add_argument("--logy", nargs="*", default=["code_error_rate", "dcode_ge2_rate", "saturation_rate"],
                    help="metrics drawn on a log axis")
    ap.add_argument("--logx", action="store_true")
    ap.add_argument("--title", help="figure title (default: campaign name)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    (r,) = rr.open_all([a.file])
    keys = r.swept_keys()
    if a.x not in keys:
        ap.error(f"{a.file}: '{a.x}' is not swept (swept keys: {', '.join(keys) or 'none'})")
    group = a.group if a.group is not None else [k for k in keys if k != a.x]
    for g in group:
        if g not in keys:
            ap.error(f"{a.file}: --group '{g}' is not swept (swept keys: {', '.join(keys)})")
    # Points not on the x axis or a group key must all agree: otherwise lines would mix them.
    other = [k for k in keys if k != a.x and k not in group]
    if other:
        ap.error(f"{a.file}: also swept: {', '.join(other)}; add them to --group")

    lines = {}
    for p in r.points:
        lines.setdefault(tuple(p.settings[g] for g in group), []).append(p)
    fig, axes = plt.subplots(1, len(a.metrics), figsize=(5.2 * len(a.metrics), 4.2), squeeze=False)
    categorical = any(isinstance(p.settings[a.x], str) for p in r.points)
    xs_all = sorted({p.settings[a.x] for p in r.points}, key=lambda v: (isinstance(v, str), v))
    markers = itertools.cycle("osD^vP*X")
    styles = {}
    for key in lines:
        styles[key] = next(markers)
    for ax, metric in zip(axes[0], a.metrics):
        label, scale = rr.metric_axis(metric)
        for ci, (key, pts) in enumerate(lines.items()):
            pts = sorted(pts, key=lambda p: xs_all.index(p.settings[a.x]))
            x = np.array([xs_all.index(p.settings[a.x]) if categorical else p.settings[a.x] for p in pts], float)
            mean, err = rr.ci_errorbars([p.stat(metric) for p in pts])
            name = ", ".join(f"{rr.short(g)}={v}" for g, v in zip(group, key)) or None
            ax.errorbar(x, mean * scale, yerr=err * scale, marker=styles[key], ms=5, capsize=3, lw=1.2,
                        color=f"C{ci % 10}", label=name)
            if metric == "accuracy":
                ref = [p.reference_accuracy() for p in pts]
                if all(v is not None for v in ref):
                    ax.plot(x, np.array(ref) * scale, ls="--", lw=0.9, color=f"C{ci % 10}", alpha=0.6)
        if metric in a.logy and metric != "accuracy":
            ax.set_yscale("symlog", linthresh=1e-6)  # linear below 1e-6: a rate of 0 stays drawable
        if a.logx:
            ax.set_xscale("log")
        if categorical:
            ax.set_xticks(range(len(xs_all)), [str(v) for v in xs_all], rotation=30, ha="right", fontsize=8)
        ax.set_xlabel(rr.short(a.x))
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        if metric == "accuracy":
            ax.set_ylim(0, 100)
    handles, labels = axes[0][0].get_legend_handles_labels()
    if labels:
        axes[0][-1].legend(handles, labels, fontsize=8, loc="best")
    n = r.points[0].stat(a.metrics[0])["n"]
    imgs = r.campaign.get("data", {}).get("images", "?")
    fig.suptitle(f"{a.title or r.name()}: mean and 95 % CI over {n:.0f} trials × {imgs} images"
                 + (" (dashed: exact digital MVMs)" if "accuracy" in a.metrics else ""), fontsize=10)
    fig.tight_layout()
    rr.save(fig, a.out)


if __name__ == "__main__":
    main()
