"""Sweep the ADC comparator's gate area from Python and plot chip yield against it.

From the repository root, after building (docs/python.md):
    PYTHONPATH=build/python /usr/bin/python3 examples/sweep_comparator_area.py
About 2 minutes on 2 cores (16 chips x 32 images per area, the untrimmed RAP design).
"""
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

import os

import rapmc

out = "results/examples"  # gitignored
os.makedirs(out, exist_ok=True)

areas = [0.02, 0.05, 0.1, 0.2, 0.5]  # µm² (hardware key adc.comparator_wl_um2)
campaign = rapmc.Campaign({
    "campaign": {"name": "comparator area", "seed": 1, "trials": 16},
    "data": {"images": 32},
    "hardware": {"file": "data/hardware/rap.toml", "calibration.offset_trim": "none"},
    "sweep": [{"key": "hardware.adc.comparator_wl_um2", "values": areas}],
})
rapmc.run(campaign, out=f"{out}/comparator_area.h5", threads=0, force=True,
          progress=lambda done, total: print(f"\r{done}/{total} trials", end="", flush=True))
ds = rapmc.open(f"{out}/comparator_area.h5")
x = ds["hardware.adc.comparator_wl_um2"]
low, high = ds.yield_p - ds.yield_ci95_low, ds.yield_ci95_high - ds.yield_p
plt.errorbar(x, 100 * ds.yield_p, yerr=[100 * low, 100 * high], marker="o", capsize=3)
plt.xscale("log")
plt.xlabel("comparator W·L (µm²)")
plt.ylabel(f"yield: chips with accuracy ≥ {float(ds.yield_accuracy_threshold[0]):.0%} (%)")
plt.title("RAP without offset trim: yield against comparator area (95 % Wilson)")
plt.savefig(f"{out}/comparator_area.png", dpi=120, bbox_inches="tight")
print(f"\nwrote {out}/comparator_area.png")
