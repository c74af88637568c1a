#!/usr/bin/python3
"""Per-layer error attribution: where the chip's errors arise and which layers cost accuracy.

    /usr/bin/python3 plots/layer_attribution.py RESULTS.h5 [--point LABEL_SUBSTRING] --out fig.png

Top: per weight layer, in data-path order, the MVM SQNR at the layer's accumulator (exact
product vs the chip's) and the ADC code error rate, mean and 95 % CI over trials
(/statistics/layers/<layer>/...), of one point: the one whose label contains --point, else the
first point with every layer analog (schedule.analog_layers = "*"), else the first point.
Bottom, when the file sweeps hardware.schedule.analog_layers: the accuracy lost with only that
group of layers on the analog array (reference on exact digital MVMs minus the trial mean,
with the 95 % CI of the mean), largest first.
"""

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import rapmc_results as rr

KEY = "hardware.schedule.analog_layers"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file")
    ap.add_argument("--point", help="use the point whose label contains this text for the per-layer panels")
    ap.add_argument("--title", help="figure title (default: campaign name)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    (r,) = rr.open_all([a.file])
    if a.point:
        chosen = [p for p in r.points if a.point in p.label]
        if not chosen:
            ap.error(f"{a.file}: no point label contains '{a.point}'")
        p0 = chosen[0]
    else:
        p0 = next((p for p in r.points if p.settings.get(KEY) == "*"), r.points[0])
    layers = [l for l in p0.layers() if np.isfinite(p0.stat(f"layers/{l}/mvm_sqnr_db")["mean"])]
    sweep = [p for p in r.points if KEY in p.settings]
    fig, axes = plt.subplots(3 if sweep else 2, 1, figsize=(11, 10 if sweep else 6.5),
                             gridspec_kw={"height_ratios": [1, 1, 1.1] if sweep else [1, 1]})
    x = np.arange(len(layers))
    colors = [f"C{['embed', 'qkv', 'attn_qk', 'attn_pv', 'proj', 'fc1', 'fc2', 'fc', 'pooler'].index(l.split('/')[-1]) % 10}"
              for l in layers]
    for ax, metric, ylabel in [(axes[0], "mvm_sqnr_db", "MVM SQNR at the accumulator (dB)"),
                               (axes[1], "code_error_rate", "ADC code error rate")]:
        mean, err = rr.ci_errorbars([p0.stat(f"layers/{l}/{metric}") for l in layers], metric)
        ax.bar(x, mean, yerr=err, color=colors, capsize=2)
        ax.set_xticks(x, layers, rotation=45, ha="right", fontsize=7.5)
        ax.set_ylabel(ylabel)
        ax.grid(axis="y", alpha=0.3)
    analog = p0.settings.get(KEY, r.campaign.get("hardware", {}).get("schedule", {}).get("analog_layers", "*"))
    others = rr.point_text({k: v for k, v in p0.settings.items() if k != KEY})
    axes[0].set_title(f"per layer, analog layers {analog}{', ' + others if others else ''}: mean and 95 % CI "
                      f"over {rr.counts_text([(r, p0)])} (layers kept digital are left out)", fontsize=9)
    if sweep:
        ax = axes[2]
        rows = []
        for p in sweep:
            s = p.stat("accuracy")
            ref = p.reference_accuracy()
            if ref is None:
                ap.error(f"{a.file}: point {p.index} has no /reference (written by rapmc ≥ format 1.1)")
            rows.append((p.settings[KEY], (ref - s["mean"]) * 100, (s["mean"] - s["ci95_low"]) * 100,
                         (s["ci95_high"] - s["mean"]) * 100))
        rows.sort(key=lambda t: -t[1])
        y = np.arange(len(rows))
        ax.barh(y, [t[1] for t in rows], xerr=[[t[3] for t in rows], [t[2] for t in rows]], color="C3",
                alpha=0.8, capsize=3)
        ax.set_yticks(y, [f"{t[0]}" + (" (whole chip)" if t[0] == "*" else "") for t in rows], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("accuracy lost vs exact digital MVMs, only these layers analog (points of %)")
        ax.grid(axis="x", alpha=0.3)
        ax.set_title("attribution: one group of layers on the analog array at a time, the rest exact", fontsize=9)
    fig.suptitle(a.title or r.name(), fontsize=11)
    fig.tight_layout()
    rr.save(fig, a.out)


if __name__ == "__main__":
    rr.run(main)
