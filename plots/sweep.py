#!/usr/bin/python3
"""Per-trial metrics against a swept parameter, with 95 % confidence intervals.

    /usr/bin/python3 plots/sweep.py RESULTS.h5 [MORE.h5 ...] --x KEY [--labels A B ...]
                                   [--metrics accuracy code_error_rate] [--group KEY ...]
                                   [--where KEY=VALUE ...] [--target METRIC=X] --out fig.png

KEY is a swept key as written in the campaign (e.g. hardware.adc.enob, operating_point.temp_c;
--tied names keys swept together with it on one axis);
one panel per metric, one line per combination of the --group keys (default: every other swept
key; --where keeps only the points whose swept KEY equals VALUE). Points are the mean over trials with the Student-t 95 % CI of /statistics; the dashed
line in the accuracy panel is the pipeline on exact digital MVMs; --target draws a dotted
line at X on METRIC's panel. Several files that sweep the same KEY (e.g. two designs) are drawn
together, their lines named by --labels (default: campaign names). Metrics are the /trials column names (docs/formats.md, "Per-trial metrics").
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
    ap.add_argument("files", nargs="+", help="rapmc results files with a [[sweep]] of the same --x")
    ap.add_argument("--labels", nargs="*", help="one name per file for the legend")
    ap.add_argument("--x", required=True, help="swept key on the x axis")
    ap.add_argument("--metrics", nargs="+", default=["accuracy", "code_error_rate"])
    ap.add_argument("--group", nargs="*", help="swept keys that make separate lines (default: all others)")
    ap.add_argument("--logy", nargs="*", default=["code_error_rate", "dcode_ge2_rate", "saturation_rate"],
                    help="metrics drawn on a log axis")
    ap.add_argument("--logx", action="store_true")
    ap.add_argument("--where", nargs="*", default=[], help="KEY=VALUE filters on swept keys")
    ap.add_argument("--tied", nargs="*", default=[],
                    help="swept keys set together with --x (one [[sweep]] keys = [...] axis): not grouped")
    ap.add_argument("--target", nargs="*", default=[], help="METRIC=X: a target line on METRIC's panel")
    ap.add_argument("--title", help="figure title (default: campaign name)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    filters = rr.parse_where(a.where, ap.error)
    targets = rr.parse_where(a.target, ap.error)
    results = rr.open_all(a.files)
    if a.labels is not None and len(a.labels) != len(results):
        ap.error(f"--labels: {len(a.labels)} names for {len(results)} files")
    names = a.labels if a.labels is not None else [r.name() for r in results]
    r = results[0]
    lines, points, pairs = {}, [], []
    for fi, (path, res) in enumerate(zip(a.files, results)):
        pts = rr.matching(res.points, filters)
        if not pts:
            ap.error(f"{path}: no point matches {' '.join(a.where)}")
        keys = [k for k in res.swept_keys() if k not in filters]
        if a.x not in keys:
            ap.error(f"{path}: '{a.x}' is not swept (swept keys: {', '.join(keys) or 'none'})")
        group = a.group if a.group is not None else [k for k in keys if k != a.x and k not in a.tied]
        for g in group:
            if g not in keys:
                ap.error(f"{path}: --group '{g}' is not swept (swept keys: {', '.join(keys)})")
        # Points not on the x axis or a group key must all agree: otherwise lines would mix them.
        other = [k for k in keys if k != a.x and k not in group and k not in a.tied]
        if other:
            ap.error(f"{path}: also swept: {', '.join(other)}; add them to --group")
        for p in pts:
            text = ", ".join(f"{rr.short(g)}={p.settings[g]}" for g in group)
            if len(results) > 1:
                text = names[fi] + (": " + text if text else "")
            lines.setdefault((fi, text), []).append(p)
        points += pts
        pairs += [(res, p) for p in pts]
    fig, axes = plt.subplots(1, len(a.metrics), figsize=(5.2 * len(a.metrics), 4.2), squeeze=False)
    categorical = any(isinstance(p.settings[a.x], str) for p in points)
    xs_all = []  # numbers ascending; strings (corners, layer groups) in the campaign's order
    for p in points:
        if p.settings[a.x] not in xs_all:
            xs_all.append(p.settings[a.x])
    if not categorical:
        xs_all.sort()
    markers = itertools.cycle("osD^vP*X")
    styles = {}
    for key in lines:
        styles[key] = next(markers)
    for ax, metric in zip(axes[0], a.metrics):
        label, scale = rr.metric_axis(metric)
        for ci, (key, pts) in enumerate(lines.items()):
            pts = sorted(pts, key=lambda p: xs_all.index(p.settings[a.x]))
            x = np.array([xs_all.index(p.settings[a.x]) if categorical else p.settings[a.x] for p in pts], float)
            mean, err = rr.ci_errorbars([p.stat(metric) for p in pts], metric)
            name = key[1] or None
            ax.errorbar(x, mean * scale, yerr=err * scale, marker=styles[key], ms=5, capsize=3, lw=1.2,
                        color=f"C{ci % 10}", label=name)
            if metric == "accuracy":
                ref = [p.reference_accuracy() for p in pts]
                if all(v is not None for v in ref):
                    ax.plot(x, np.array(ref) * scale, ls="--", lw=0.9, color=f"C{ci % 10}", alpha=0.6)
        if metric in targets:
            ax.axhline(targets[metric] * scale, color="k", ls=":", lw=1.2)
            ax.annotate(f"target {targets[metric]:g}", (0.01, targets[metric] * scale),
                        xycoords=("axes fraction", "data"), xytext=(0, 2), textcoords="offset points", fontsize=8)
        if metric in a.logy and metric != "accuracy":
            ax.set_yscale("symlog", linthresh=1e-6)  # linear below 1e-6: a rate of 0 stays drawable
            ax.set_ylim(bottom=0)
        if a.logx:
            ax.set_xscale("log")
        if not categorical and not a.logx and len(xs_all) <= 12:
            ax.set_xticks(xs_all)  # the swept values themselves
        if categorical:
            ax.set_xticks(range(len(xs_all)), [str(v) for v in xs_all], rotation=30, ha="right", fontsize=8)
        ax.set_xlabel(rr.short(a.x))
        if a.x == "hardware.adc.comparator_wl_um2" and "variation.avt_mv_um" not in r.swept_keys():
            # Pelgrom: σ = A_VT/√(WL); a second axis in the unit a designer thinks in.
            avt = r.campaign.get("variation", {}).get("avt_mv_um", 3.5)
            top = ax.secondary_xaxis("top", functions=(lambda wl: avt / np.sqrt(np.maximum(wl, 1e-12)),
                                                       lambda sig: (avt / np.maximum(sig, 1e-12)) ** 2))
            top.set_xlabel("comparator offset σ at 27 °C (mV)", fontsize=8)
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        if metric == "accuracy":
            ax.set_ylim(0, 100)
    handles, labels = axes[0][0].get_legend_handles_labels()
    if labels:
        axes[0][-1].legend(handles, labels, fontsize=8, loc="best")
    counts = rr.counts_text(pairs)
    where = (" (" + ", ".join(f"{rr.short(k)}={v}" for k, v in filters.items()) + ")") if filters else ""
    fig.suptitle(f"{a.title or r.name()}{where}: mean and 95 % CI over {counts}"
                 + (" (dashed: exact digital MVMs)" if "accuracy" in a.metrics else ""), fontsize=10)
    fig.tight_layout()
    rr.save(fig, a.out)


if __name__ == "__main__":
    rr.run(main)
