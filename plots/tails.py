#!/usr/bin/python3
"""Per-count code-error probability of one conversion, from rapmc tails files.

    /usr/bin/python3 plots/tails.py TAILS.h5 [MORE.h5 ...] [--labels A B ...]
                                    [--methods importance scaled_sigma] [--target P] --out fig.png

One line per file and method: P(code wrong) against the count, on a log axis, with the 95 %
interval of each estimate as a band; estimates whose effective sample size is below 100 are
drawn hollow (unreliable, docs/design.md "High-sigma estimation"); --target draws a dotted line
at P (e.g. 1e-9). Only the documented schema is read (docs/formats.md, "Tails file").
"""

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import rapmc_results as rr


def open_tails(path):
    """The open tails file, or a ResultsError naming the file."""
    f = rr.open_live(path)
    ft = f.attrs.get("filetype")
    if isinstance(ft, bytes):
        ft = ft.decode()
    if ft != "rapmc-tails":
        f.close()
        raise rr.ResultsError(f"{path}: not a rapmc tails file (filetype {ft!r})")
    version = str(f.attrs.get("format_version"))
    if version.split(".")[0] != "1":
        f.close()
        raise rr.ResultsError(f"{path}: tails format_version {version} not supported (reads 1.x)")
    return f


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+", help="rapmc tails files (rapmc tails --out)")
    ap.add_argument("--labels", nargs="*", help="one name per file for the legend")
    ap.add_argument("--methods", nargs="*", help="methods to draw (default: every one in the file)")
    ap.add_argument("--target", type=float, help="a dotted line at this probability")
    ap.add_argument("--title")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    if a.labels and len(a.labels) != len(a.files):
        ap.error(f"--labels: {len(a.labels)} names for {len(a.files)} files")
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for i, path in enumerate(a.files):
        f = open_tails(path)
        label = a.labels[i] if a.labels else str(f.attrs["hardware"])
        counts = f["count"][()]
        methods = a.methods or sorted(f["estimates"].keys())
        for m in methods:
            if m not in f["estimates"]:
                have = ", ".join(f["estimates"].keys())
                raise rr.ResultsError(f"{path}: /estimates/{m}: missing (methods: {have})")
            g = f[f"estimates/{m}"]
            p, lo, hi = g["p"][()], g["ci95_low"][()], g["ci95_high"][()]
            found, ess = g["found"][()] > 0, g["effective_samples"][()]
            ok = found & (p > 0)
            line, = ax.plot(counts[ok], p[ok], marker="o", label=f"{label}, {m.replace('_', ' ')}")
            ax.fill_between(counts[ok], np.maximum(lo[ok], p[ok] * 1e-3), hi[ok], alpha=0.2,
                            color=line.get_color())
            weak = ok & (ess < 100)
            ax.plot(counts[weak], p[weak], "o", mfc="white", color=line.get_color())
        f.close()
    if a.target:
        ax.axhline(a.target, ls=":", color="k", lw=1)
    ax.set_yscale("log")
    ax.set_xlabel("count (on-cells the read drives)")
    ax.set_ylabel("P(code wrong) per conversion")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7)
    ax.set_title(a.title or "one conversion's code-error probability (95 % intervals)", fontsize=10)
    fig.tight_layout()
    rr.save(fig, a.out)


if __name__ == "__main__":
    rr.run(main)
