"""RAP against the conventional design, image by image, on the same chips.

Both campaigns use the same seed and images, so trial t is the same die draw on both and each
image's prediction is paired (docs/commands.md, "compare"). From the repository root:
    PYTHONPATH=build/python /usr/bin/python3 examples/compare_designs.py
About 2 minutes on 2 cores.
"""
import os

import rapmc

out = "results/examples"  # gitignored
os.makedirs(out, exist_ok=True)


def design(hardware):
    return {"campaign": {"name": hardware, "seed": 20261206, "trials": 16},
            "data": {"images": 32},
            "hardware": {"file": f"data/hardware/{hardware}.toml"}}


for name in ("rap", "conventional"):
    rapmc.run(design(name), out=f"{out}/{name}.h5", threads=0, force=True)
c = rapmc.compare(f"{out}/rap.h5", f"{out}/conventional.h5", top=5)
for p in c["points"]:
    d = p["accuracy_diff"]
    print(f"accuracy RAP {p['accuracy_a']:.3f}, conventional {p['accuracy_b']:.3f}; "
          f"difference {d['mean']:+.3f}  95 % [{d['ci95_low']:+.3f}, {d['ci95_high']:+.3f}] "
          f"over {p['paired_trials']} paired chips")
    m = p["mcnemar_pooled"]
    print(f"McNemar: {m['a_only']} image evaluations right only on RAP, {m['b_only']} only on "
          f"conventional, p = {m['p']:.2g}")
    for side, flips in (("RAP", p["most_flipped_a"]), ("conventional", p["most_flipped_b"])):
        print(f"most often flipped on {side}:",
              ", ".join(f"image {f['image']} ({f['flips']}/{p['paired_trials']})" for f in flips) or "none")
# The same per image, as arrays: on how many chips each image is right, per design.
ds = {n: rapmc.open(f"{out}/{n}.h5") for n in ("rap", "conventional")}
right = {n: (d.prediction == d.label).sum("trial").values[0] for n, d in ds.items()}
print("chips right per image (RAP):         ", list(right["rap"]))
print("chips right per image (conventional):", list(right["conventional"]))
