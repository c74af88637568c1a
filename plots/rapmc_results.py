"""Reading rapmc results files (docs/formats.md, "Results file") for the plot scripts.

Only the documented schema is used: root attributes, /settings, /trials (or /points/<i>/trials
for a sweep), /statistics (or /points/<i>/statistics). Run with Debian's /usr/bin/python3
(h5py, numpy, matplotlib).

A running (or killed) campaign's file is read too (docs/formats.md, "Reading a running
campaign"): it is opened in HDF5's single-writer/multiple-reader mode, rows count up to the
`trial` column's length, and the statistics of a point not yet finished come from
`rapmc report --json` (the binary in $RAPMC, on PATH, or build/rapmc of this repository), so
they are computed by the one implementation there is.
"""

import json
import math
import os
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field

import h5py
import numpy as np

FORMAT_MAJOR = 1
# Per-conversion |Δcode| bins (0..6, ≥7); the signed sensing-margin histogram: 128 bins of
# 1/64 LSB from −1 LSB (format 1.2).
MARGIN_BIN_LSB = 1.0 / 64
MARGIN_LOW_LSB = -1.0


class ResultsError(Exception):
    """A file that is not a readable rapmc results file; the message names it."""


def _number(v):
    """A value of rapmc report's JSON as the file would hold it: null -> nan, "inf" -> inf."""
    if v is None:
        return math.nan
    if v == "inf":
        return math.inf
    return v


def rapmc_binary():
    """The rapmc executable: $RAPMC, else `rapmc` on PATH, else this repository's build/rapmc."""
    for candidate in (os.environ.get("RAPMC"), shutil.which("rapmc"),
                      os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "rapmc")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise ResultsError("statistics of a running campaign come from `rapmc report`: set RAPMC to the rapmc "
                       "binary (or put it on PATH)")


def live_report(path):
    """`rapmc report --json` of a results file, as a list of per-point dicts."""
    r = subprocess.run([rapmc_binary(), "report", "--json", path], capture_output=True, text=True)
    if r.returncode != 0:
        raise ResultsError(f"{path}: rapmc report failed: {r.stderr.strip()}")
    j = json.loads(r.stdout)
    return j["points"] if "points" in j else [j]


@dataclass
class Point:
    """One campaign point: the whole file, or one grid point of a sweep."""

    index: int
    label: str  # "" without a sweep, else "key=value, key=value"
    settings: dict  # swept key -> value (numbers parsed), from the label
    group: h5py.Group  # the group holding trials/ and statistics/
    report: object = None  # () -> rapmc report's points, asked once per file when first needed

    def live(self):
        """This point's entry of `rapmc report --json` (an unfinished point's statistics)."""
        return self.report()[self.index]

    def _ok(self):
        """Mask of the successful trials among the complete rows. A running or killed campaign
        may have columns of a block half written: rows beyond `trial`'s length are ignored
        (`trial` and `status` are written last)."""
        t = self.group["trials"]
        status = t["status"][()]
        return status[: t["trial"].shape[0]] == 0

    def column(self, name):
        """Per-trial values of a metric (successful trials only)."""
        t = self.group["trials"]
        if name not in t:
            raise ResultsError(f"{self.group.file.filename}: {t.name}/{name}: missing dataset")
        ok = self._ok()
        return t[name][: ok.size][ok]

    def finished(self):
        """False while the campaign has not written this point's statistics (running or killed)."""
        return "statistics" in self.group

    def _statistics(self):
        return self.group["statistics"]

    def stat(self, name):
        """The /statistics/<name> attributes as a dict (n, mean, std, ci95_low, ci95_high, ...);
        for an unfinished point, the same from `rapmc report --json` over the rows so far."""
        if not self.finished():
            live = self.live()["statistics"]
            if name not in live:
                raise ResultsError(f"{self.group.file.filename}: no statistics of {name} in rapmc report")
            return {k: _number(v) for k, v in live[name].items()}
        s = self._statistics()
        if name not in s:
            raise ResultsError(f"{self.group.file.filename}: {s.name}/{name}: missing statistics")
        return dict(s[name].attrs)

    def has_stat(self, name):
        if not self.finished():
            return name in self.live()["statistics"]
        return name in self.group["statistics"]

    def reference_accuracy(self):
        """Accuracy of the same pipeline on exact digital MVMs (format 1.1), or None."""
        if "reference" in self.group:
            return float(self.group["reference"].attrs["accuracy"])
        return None

    def yield_(self):
        if not self.finished():
            y = {k: _number(v) for k, v in self.live()["yield"].items()}
            y["n"] = self.live()["trials"]
            return y
        return dict(self._statistics()["yield"].attrs)

    def yield_text(self):
        """The yield as text: "k/n [lo, hi] %" (Wilson) for plain trials, "p % [lo, hi] %
        (weighted, n chips)" for importance-weighted ones (format 1.4; older files: Wilson)."""
        y = self.yield_()
        if y.get("weighted"):
            return (f"{y['p'] * 100:.2f} % [{y['ci95_low'] * 100:.2f}, {y['ci95_high'] * 100:.2f}] % "
                    f"(weighted, {y['n']:.0f} chips)")
        return f"{y['passing']:.0f}/{y['n']:.0f} [{y['wilson95_low'] * 100:.0f}, {y['wilson95_high'] * 100:.0f}] %"

    def histogram(self, name):
        """Summed histogram (dcode_hist or margin_hist) over successful trials."""
        ok = self._ok()
        return self.group["trials"][name][: ok.size][ok].sum(axis=0)

    def trials(self):
        """Number of successful trials."""
        return int(self._ok().sum())

    def layers(self):
        """Per-layer names in file order ("embed", "blocks/0/qkv", ..., "head/fc")."""
        out = []
        base = self.group["trials/layers"]

        def visit(name, obj):
            if isinstance(obj, h5py.Group) and "mvm_sqnr_db" in obj:
                out.append(name)

        base.visititems(visit)
        return sorted(out, key=layer_order)

    def layer_column(self, layer, metric):
        ok = self._ok()
        return self.group["trials"][f"layers/{layer}/{metric}"][: ok.size][ok]


def layer_order(name):
    """Data-path order: embed, blocks in order (qkv, attn_qk, attn_pv, proj, fc1, fc2), pooler
    (BERT), head."""
    parts = name.split("/")
    if parts[0] == "embed":
        return (0, 0, 0)
    if parts[0] == "pooler":
        return (2, 0, 0)
    if parts[0] == "head":
        return (3, 0, 0)
    kinds = ["qkv", "attn_qk", "attn_pv", "proj", "fc1", "fc2"]
    return (1, int(parts[1]), kinds.index(parts[2]) if parts[2] in kinds else len(kinds))


def parse_value(text):
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    return text.strip("'\"")  # strings are quoted in labels: corner='TT'


def parse_label(label):
    """'hardware.adc.enob=3, variation.avt_mv_um=1.0' -> {'hardware.adc.enob': 3, ...}."""
    out = {}
    if not label:
        return out
    for part in label.split(", "):
        key, _, value = part.partition("=")
        out[key] = parse_value(value)
    return out


def parse_where(items, error):
    """['key=value', ...] -> {key: value}; calls error(message) on a malformed item."""
    out = {}
    for w in items or []:
        key, sep, value = w.partition("=")
        if not sep:
            error(f"--where '{w}': expected KEY=VALUE")
        out[key] = parse_value(value)
    return out


def matching(points, filters):
    """The points whose swept values equal every filter."""
    return [p for p in points if all(p.settings.get(k) == v for k, v in filters.items())]


def open_live(path, timeout=10.0):
    """Opens an HDF5 file for reading, also while its campaign writes it (swmr=True). While the
    writer holds HDF5's lock between its live phases (milliseconds), waits up to `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return h5py.File(path, "r", swmr=True)
        except FileNotFoundError:
            raise ResultsError(f"{path}: no such file") from None
        except OSError as e:
            if "lock" in str(e) and time.monotonic() < deadline:
                time.sleep(0.05)
                continue
            raise ResultsError(f"{path}: cannot open as HDF5 ({e})") from None


class Results:
    """An open results file. Use as a context manager."""

    def __init__(self, path):
        self.path = path
        self.file = open_live(path)
        self._report = None
        ft = self.file.attrs.get("filetype")
        if isinstance(ft, bytes):
            ft = ft.decode()
        if ft != "rapmc-results":
            self.file.close()
            raise ResultsError(f"{path}: not a rapmc results file (filetype {ft!r})")
        version = str(self.file.attrs.get("format_version"))
        if version.split(".")[0] != str(FORMAT_MAJOR):
            self.file.close()
            raise ResultsError(f"{path}: results format_version {version} not supported (reads {FORMAT_MAJOR}.x)")
        settings = self.file["settings"].attrs
        toml_text = settings["campaign_toml"]
        self.campaign = tomllib.loads(toml_text.decode() if isinstance(toml_text, bytes) else toml_text)
        self.points = []
        if "points" in self.file:
            for i in range(int(settings["points"])):
                g = self.file[f"points/{i}"]
                label = g.attrs["label"]
                label = label.decode() if isinstance(label, bytes) else label
                self.points.append(Point(i, label, parse_label(label), g, self.report))
        else:
            self.points.append(Point(0, "", {}, self.file, self.report))

    def report(self):
        if self._report is None:
            self._report = live_report(self.path)
        return self._report

    def running(self):
        """True if some point has no statistics yet (the campaign runs, or was stopped)."""
        return not all(p.finished() for p in self.points)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.file.close()

    def name(self):
        """A short description: the campaign name, else pipeline on hardware file."""
        c = self.campaign
        if "campaign" in c and "name" in c["campaign"]:
            return c["campaign"]["name"]
        return self.design()

    def design(self):
        c = self.campaign
        pipeline = c.get("pipeline", {}).get("name", "flare")
        hw = c.get("hardware", {}).get("file", "data/hardware/rap.toml").rsplit("/", 1)[-1].removesuffix(".toml")
        return f"{pipeline} on {hw}"

    def swept_keys(self):
        keys = []
        for p in self.points:
            for k in p.settings:
                if k not in keys:
                    keys.append(k)
        return keys


def images(results):
    """Images per trial: data.images of the campaign (default 100, docs/configuration.md, "Campaign keys")."""
    return results.campaign.get("data", {}).get("images", 100)


def counts_text(entries):
    """'12 trials × 32 images' over (Results, Point) pairs; differing counts are listed."""
    trials = sorted({p.trials() for _, p in entries})
    imgs = sorted({images(r) for r, _ in entries})
    running = any(not p.finished() for _, p in entries)
    return (f"{'/'.join(map(str, trials))} trials × {'/'.join(map(str, imgs))} images"
            + (" (campaign running or stopped: trials so far)" if running else ""))


def run(main):
    """Runs a script's main(): a ResultsError (missing dataset, statistics, ...) becomes a
    one-line message and exit status 1 instead of a traceback."""
    try:
        main()
    except ResultsError as e:
        sys.exit(f"plot: error: {e}")


def open_all(paths):
    """Opens every file or exits with a clear message naming the bad one."""
    out = []
    for p in paths:
        try:
            out.append(Results(p))
        except ResultsError as e:
            sys.exit(f"plot: error: {e}")
    return out


# Metrics with a physical range: their Student-t intervals are drawn clipped to it.
RANGE = {"accuracy": (0.0, 1.0), "flip_rate": (0.0, 1.0), "code_error_rate": (0.0, 1.0),
         "dcode_ge2_rate": (0.0, 1.0), "saturation_rate": (0.0, 1.0), "margin_p01_lsb": (None, None),
         "margin_p50_lsb": (None, None), "margin_min_lsb": (None, None)}


def ci_bounds(stat, metric=None):
    """(low, high) of a /statistics Student-t interval, clipped to the metric's range (a rate is
    never below 0)."""
    lo, hi = stat["ci95_low"], stat["ci95_high"]
    low_bound, high_bound = RANGE.get(metric, (None, None))
    return (lo if low_bound is None else max(lo, low_bound)), (hi if high_bound is None else min(hi, high_bound))


def ci_errorbars(stats, metric=None):
    """(mean, [[lower err], [upper err]]) for matplotlib errorbar from /statistics attributes,
    the interval clipped to the metric's range."""
    mean = np.array([s["mean"] for s in stats])
    lo, hi = (np.array(v, dtype=float) for v in zip(*[ci_bounds(s, metric) for s in stats]))
    return mean, np.vstack([np.maximum(mean - lo, 0), np.maximum(hi - mean, 0)])


SHORT = {
    "hardware.schedule.k": "K (rows per read)",
    "hardware.adc.enob": "ENOB (bits)",
    "hardware.schedule.analog_layers": "analog layers",
    "hardware.adc.comparator_wl_um2": "comparator W·L (µm²)",
    "variation.avt_mv_um": "A_VT (mV·µm)",
    "variation.ratiometric": "ratiometric",
    "operating_point.temp_c": "temperature (°C)",
    "operating_point.corner": "corner",
}

UNITS = {
    "accuracy": ("accuracy", 100.0, "%"),
    "flip_rate": ("flip rate vs exact MVMs", 100.0, "%"),
    "code_error_rate": ("ADC code error rate", 1.0, "per conversion"),
    "dcode_ge2_rate": ("|Δcode| ≥ 2 rate", 1.0, "per conversion"),
    "saturation_rate": ("saturation rate", 1.0, "per conversion"),
    "logit_sqnr_db": ("logit SQNR", 1.0, "dB"),
    "margin_p01_lsb": ("signed sensing margin, 1st percentile", 1.0, "LSB"),
    "margin_p50_lsb": ("signed sensing margin, median", 1.0, "LSB"),
    "energy_j": ("energy per inference", 1e6, "µJ"),
    "energy_adc_j": ("ADC energy per inference", 1e6, "µJ"),
    "area_mm2": ("chip area (AMS-PiM part)", 1.0, "mm²"),
    "area_adc_mm2": ("ADC area", 1.0, "mm²"),
    "reads": ("analog reads per inference (latency)", 1.0, ""),
    "conversions": ("ADC conversions per inference", 1.0, ""),
}


def short(key):
    return SHORT.get(key, key)


def metric_axis(metric):
    """(label with unit, scale factor) for a per-trial metric."""
    name, scale, unit = UNITS.get(metric, (metric, 1.0, ""))
    return (f"{name} ({unit})" if unit else name), scale


def point_text(settings, skip=()):
    return ", ".join(f"{short(k)}={v}" for k, v in settings.items() if k not in skip)


def save(fig, out):
    fig.savefig(out, dpi=110, bbox_inches="tight")
    print(f"plot: wrote {out}")
