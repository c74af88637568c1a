"""A results file as an xarray.Dataset (docs/python.md, "Results as labelled arrays").

The per-trial tables are read from the HDF5 file (also while its campaign runs: SWMR); the
statistics come from rapmc's C++ report (rapmc.report), so they are the numbers `rapmc report`
prints, never a second implementation.
"""
import json
import math
import time

import h5py
import numpy as np
import xarray as xr

from . import _rapmc

STAT_FIELDS = ("n", "mean", "std", "ci95_low", "ci95_high", "min", "q05", "q50", "q95", "max",
               "error_free")


def _text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def _number(v):
    """A report number: JSON null is NaN, the strings "inf"/"-inf" are infinities."""
    if v is None:
        return math.nan
    if isinstance(v, str):
        return float(v)
    return float(v)


def open_live(path, timeout=10.0):
    """h5py.File for reading, also while a campaign writes it (SWMR); files written before
    format 1.3 are not in the live layout and open plainly. Waits out the writer's lock."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            try:
                return h5py.File(path, "r", swmr=True)
            except OSError as e:
                if "lock" in str(e):
                    raise
                return h5py.File(path, "r")
        except FileNotFoundError:
            raise _rapmc.Error(f"{path}: no such file") from None
        except OSError as e:
            if "lock" in str(e) and time.monotonic() < deadline:
                time.sleep(0.05)
                continue
            raise _rapmc.Error(f"{path}: cannot open as HDF5 ({e})") from None


def parse_value(text):
    """A swept value as a label writes it: an int, a float, or a string (quoted: corner='TT')."""
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    return text.strip("'\"")


def parse_label(label):
    """'hardware.adc.enob=3, variation.avt_mv_um=1.0' -> {'hardware.adc.enob': 3, ...}."""
    out = {}
    for part in label.split(", ") if label else []:
        key, _, value = part.partition("=")
        out[key] = parse_value(value)
    return out


def _layers(g):
    """Names of the layers under trials/layers (groups holding an mvm_sqnr_db column)."""
    names = []
    if "trials/layers" not in g:
        return names

    def visit(name, obj):
        if isinstance(obj, h5py.Group) and "mvm_sqnr_db" in obj:
            names.append(name)
    g["trials/layers"].visititems(visit)
    return names


def _meta(ds):
    return {k: _text(ds.attrs[k]) for k in ("units", "description") if k in ds.attrs}


def _stat_vars(report_points, labels):
    """Variables <metric>_<field> (point) and layer_<metric>_<field> (point, layer) from the
    report's statistics, plus the yield and the reference accuracy."""
    out, layer_stats, metric_of = {}, {}, {}
    n = len(report_points)
    for p, rp in enumerate(report_points):
        for name, stat in rp["statistics"].items():
            flat = {}
            for field, v in stat.items():
                if isinstance(v, dict):  # importance-weighted: mean, std_error, ci95_low/high
                    for f2, v2 in v.items():
                        flat[f"{field}_{f2}"] = v2
                elif field in STAT_FIELDS:
                    flat[field] = v
            if name.startswith("layers/"):
                layer, _, metric = name[len("layers/"):].rpartition("/")
                for field, v in flat.items():
                    layer_stats.setdefault(f"layer_{metric}_{field}", {})[(p, layer)] = _number(v)
            else:
                for field, v in flat.items():
                    out.setdefault(f"{name}_{field}", np.full(n, np.nan))[p] = _number(v)
                    metric_of[f"{name}_{field}"] = name
        for field, v in rp["yield"].items():  # `weighted` (a bool) as 0/1
            if isinstance(v, (int, float)):
                out.setdefault(f"yield_{field}", np.full(n, np.nan))[p] = _number(v)
        ref = rp.get("reference_accuracy")
        out.setdefault("reference_accuracy", np.full(n, np.nan))[p] = _number(ref)
    return out, layer_stats, metric_of


def open_results(path, flip_rate_max=None, scaled_sigma=False):
    """The results file `path` as an xarray.Dataset.

    Dimensions: point (sweep points; the swept keys are coordinates along it), trial (rows in
    trial order; coordinate `trial_index` per point), layer, image, dcode_bin, margin_bin.
    Per-trial metrics are variables (point, trial); per-layer ones layer_<metric> (point,
    trial, layer); predictions (point, trial, image) with label and exact_prediction (point,
    image) (format 1.5). Every statistic of `rapmc report` is a variable <metric>_<field>
    (point) or layer_<metric>_<field> (point, layer), with yield_* and reference_accuracy.
    Units and descriptions are the file's own attributes. A campaign still running gives the
    rows written so far (its statistics computed from them, as `rapmc report` does)."""
    from . import report
    path = str(path)
    rep = report(path, flip_rate_max, scaled_sigma)  # checks the file; errors name it
    report_points = rep["points"] if "points" in rep else [rep]
    with open_live(path) as f:
        settings = f["settings"].attrs
        sweep = "points" in f
        groups = [f[f"points/{i}"] for i in range(int(settings["points"]))] if sweep else [f]
        labels = [_text(g.attrs["label"]) for g in groups] if sweep else [""]
        rows = [len(g["trials/trial"]) for g in groups]
        n_pt, n_tr = len(groups), max(rows) if rows else 0

        def table(rel, width=None, fill=np.nan, dtype=float):
            shape = (n_pt, n_tr) + ((width,) if width else ())
            a = np.full(shape, fill, dtype=dtype)
            for p, g in enumerate(groups):
                if rel in g:
                    a[p, :rows[p]] = g[rel][:rows[p]]
            return a

        g0 = groups[0]
        data, attrs_of = {}, {}
        for name, obj in g0["trials"].items():
            if isinstance(obj, h5py.Dataset) and obj.ndim == 1 and name not in ("trial", "status"):
                data[name] = (("point", "trial"), table(f"trials/{name}"))
                attrs_of[name] = _meta(obj)
        data["status"] = (("point", "trial"), table("trials/status", fill=-1, dtype=np.int64))
        for name, dim in (("dcode_hist", "dcode_bin"), ("margin_hist", "margin_bin")):
            if f"trials/{name}" in g0:
                w = g0[f"trials/{name}"].shape[1]
                data[name] = (("point", "trial", dim), table(f"trials/{name}", w, 0, np.int64))
                attrs_of[name] = _meta(g0[f"trials/{name}"])
        layers = _layers(g0)
        if layers:
            for metric in g0[f"trials/layers/{layers[0]}"]:
                a = np.full((n_pt, n_tr, len(layers)), np.nan)
                for p, g in enumerate(groups):
                    for k, layer in enumerate(layers):
                        rel = f"trials/layers/{layer}/{metric}"
                        if rel in g:
                            a[p, :rows[p], k] = g[rel][:rows[p]]
                data[f"layer_{metric}"] = (("point", "trial", "layer"), a)
                attrs_of[f"layer_{metric}"] = _meta(g0[f"trials/layers/{layers[0]}/{metric}"])
        if "trials/prediction" in g0:
            images = g0["trials/prediction"].shape[1]
            data["prediction"] = (("point", "trial", "image"),
                                  table("trials/prediction", images, -1, np.int64))
            attrs_of["prediction"] = _meta(g0["trials/prediction"])
            for name, rel in (("label", "reference/label"), ("exact_prediction", "reference/prediction")):
                a = np.full((n_pt, images), -1, dtype=np.int64)
                for p, g in enumerate(groups):
                    if rel in g:
                        a[p] = g[rel][()]
                data[name] = (("point", "image"), a)
        coords = {"point": np.arange(n_pt), "point_label": ("point", labels),
                  "trial_index": (("point", "trial"), table("trials/trial", fill=-1, dtype=np.int64))}
        if layers:
            coords["layer"] = layers
        swept = [parse_label(l) for l in labels]
        for key in dict.fromkeys(k for s in swept for k in s):
            coords[key] = ("point", [s.get(key, np.nan) for s in swept])
        file_attrs = {
            "file": path,
            "format_version": _text(f.attrs.get("format_version", "")),
            "campaign_toml": _text(settings["campaign_toml"]),
            "campaign_sha256": _text(settings["campaign_sha256"]),
            "master_seed": int(settings["master_seed"]),
        }
    stats, layer_stats, metric_of = _stat_vars(report_points, labels)
    for name, v in stats.items():
        data[name] = (("point",), v)
    for name, values in layer_stats.items():
        a = np.full((n_pt, len(layers)), np.nan)
        for (p, layer), v in values.items():
            if layer in layers:
                a[p, layers.index(layer)] = v
        data[name] = (("point", "layer"), a)
    ds = xr.Dataset(data, coords=coords, attrs=file_attrs)
    for name, a in attrs_of.items():
        ds[name].attrs.update(a)
    for name, metric in metric_of.items():  # a statistic has its metric's units (n: none)
        if not name.endswith("_n") and "units" in attrs_of.get(metric, {}):
            ds[name].attrs["units"] = attrs_of[metric]["units"]
    if "lifetime" in rep:
        ds.attrs["lifetime_json"] = json.dumps(rep["lifetime"])
    return ds
