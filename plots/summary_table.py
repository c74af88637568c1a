#!/usr/bin/python3
"""Markdown table of per-point statistics (mean [95 % CI]) of one or more results files.

    /usr/bin/python3 plots/summary_table.py A.h5 [B.h5 ...] [--metrics accuracy code_error_rate ...]
                                           [--target code_error_rate=1e-3]

One row per campaign point: its swept values, each metric's mean with the Student-t 95 % CI,
the exact-MVM reference accuracy and the yield with its Wilson interval (importance-weighted
trials: the weighted estimate with its normal interval). With --target METRIC=X a last column
says whether the point's CI upper bound is below X (the point meets the target with 95 %
confidence).
"""

import argparse

import rapmc_results as rr


def fmt(metric, s):
    _, scale, _ = rr.UNITS.get(metric, (metric, 1.0, ""))
    lo, hi = rr.ci_bounds(s, metric)
    if metric in ("code_error_rate", "dcode_ge2_rate", "saturation_rate"):
        return f"{s['mean']:.2e} [{lo:.1e}, {hi:.1e}]"
    return f"{s['mean'] * scale:.3g} [{lo * scale:.3g}, {hi * scale:.3g}]"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--metrics", nargs="+", default=["accuracy", "code_error_rate", "energy_adc_j", "area_adc_mm2"])
    ap.add_argument("--target", help="METRIC=VALUE: does the CI upper bound stay below VALUE?")
    a = ap.parse_args()
    target = None
    if a.target:
        m, sep, v = a.target.partition("=")
        if not sep:
            ap.error(f"--target '{a.target}': expected METRIC=VALUE")
        target = (m, float(v))
    files = rr.open_all(a.files)
    heads = ["campaign", "point"] + [rr.metric_axis(m)[0] for m in a.metrics]
    heads += ["exact-MVM accuracy (%)", "yield"]
    if target:
        heads.append(f"{target[0]} < {target[1]:g} (95 %)")
    print("| " + " | ".join(heads) + " |")
    print("|" + " --- |" * len(heads))
    for r in files:
        for p in r.points:
            ref = p.reference_accuracy()
            row = [r.name(), rr.point_text(p.settings) or "—"]
            row += [fmt(m, p.stat(m)) if p.has_stat(m) else "—" for m in a.metrics]  # "—": not in this file
            row += [f"{ref * 100:.1f}" if ref is not None else "—",
                    p.yield_text()]
            if target:
                t = p.stat(target[0])
                # With fewer than 2 trials there is no interval to judge by.
                row.append("n<2" if t["n"] < 2 else ("yes" if t["ci95_high"] < target[1] else "no"))
            print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    rr.run(main)
