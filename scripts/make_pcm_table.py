#!/usr/bin/python3
"""Writes a measured-device table (docs/design.md, "Measured device tables") from the published
PCM programming statistics that rapmc's drift model already cites: the programming-noise fit of
Nandakumar et al. (ICECS 2019) used by Joshi et al. (Nature Communications 11, 2473, 2020) as
IBM aihwkit implements it (PCMLikeNoiseModel): a cell programmed to G_T has G_T plus a normal
error of σ = (0.26348 + 1.9650·x − 1.1731·x²) µS at G_max = 25 µS, x = G_T/G_max, scaled with
G_max, and clipped at 0 S.

    /usr/bin/python3 scripts/make_pcm_table.py [--g-on 50e-6] [--g-off 0.5e-6] [--cell-bits 1] --out FILE.csv

The table gives, per level, the conductance at 41 cumulative probabilities (quantile form,
'level,p,g_siemens'); levels are the hardware's: G_off + l·(G_on − G_off)/(2^bits − 1).
"""

import argparse
from statistics import NormalDist

PROBABILITIES = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075] + \
    [round(0.1 + 0.05 * i, 4) for i in range(17)] + \
    [0.925, 0.95, 0.97, 0.98, 0.99, 0.995, 0.9975, 0.999, 0.9995] + [0.0001, 0.9999]


def sigma_prog(g_target, g_max):
    """aihwkit's programming-noise σ (S) at target g_target for a device of maximum g_max."""
    x = g_target / g_max
    return max(0.26348 + 1.9650 * x - 1.1731 * x * x, 0.0) * 1e-6 * g_max / 25e-6


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--g-on", type=float, default=50e-6, help="S (array.g_on_siemens)")
    ap.add_argument("--g-off", type=float, default=0.5e-6, help="S (array.g_off_siemens)")
    ap.add_argument("--cell-bits", type=int, default=1)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    levels = (1 << a.cell_bits) - 1
    with open(a.out, "w") as f:
        f.write("# PCM programmed-conductance quantiles per level, from aihwkit's PCMLikeNoiseModel\n")
        f.write("# programming noise (Nandakumar et al. 2019; Joshi et al. 2020), made by\n")
        f.write(f"# scripts/make_pcm_table.py --g-on {a.g_on:g} --g-off {a.g_off:g} "
                f"--cell-bits {a.cell_bits}\n")
        f.write("level,p,g_siemens\n")
        for level in range(levels + 1):
            target = a.g_off + level * (a.g_on - a.g_off) / levels
            dist = NormalDist(target, sigma_prog(target, a.g_on))
            for p in sorted(PROBABILITIES):
                f.write(f"{level},{p:g},{max(dist.inv_cdf(p), 0.0):.6e}\n")


if __name__ == "__main__":
    main()
