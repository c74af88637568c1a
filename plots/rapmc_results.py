"""Reading rapmc results files (docs/formats.md, "Results file") for the plot scripts.

Only the documented schema is used: root attributes, /settings, /trials (or /points/<i>/trials
for a sweep), /statistics (or /points/<i>/statistics). Run with Debian's /usr/bin/python3
(h5py, numpy, matplotlib).

Values and statistics come from `rapmc.open` (docs/python.md): the package's xarray dataset,
whose statistics are rapmc report's, computed by the one implementation there is — also for a
running (or killed) campaign's file (docs/formats.md, "Reading a running campaign"). The
package is found on PYTHONPATH or in this repository's build/python.
"""

import math
import os
import sys
import tomllib
from dataclasses import dataclass

import h5py
import numpy as np

FORMAT_MAJOR = 1
# Per-conversion |Δcode| bins (0..6, ≥7); the signed sensing-margin histogram: 128 bins of
# 1/64 LSB from −1 LSB (format 1.2).
MARGIN_BIN_LSB = 1.0 / 64
MARGIN_LOW_LSB = -1.0


class ResultsError(Exception):
    """A file that is not a readable rapmc results file; the message names it."""


def _import_rapmc():
    """The rapmc package (docs/python.md): importable already, else this repository's build."""
    try:
        import rapmc.results  # the package, with its results module
    except ImportError:
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "python"))
        try:
            import rapmc.results  # the package, with its results module
        except ImportError as e:
            raise ResultsError(f"the plot scripts read results through `import rapmc` ({e}): build rapmc "
                               "(cmake --build build) or set PYTHONPATH to <build>/python") from None
    return rapmc


STAT_FIELDS = ("n", "mean", "std", "ci95_low", "ci95_high", "min", "q05", "q50", "q95", "max")


@dataclass
class Point:
    """One campaign point: the whole file, or one grid point of a sweep. Its values and every
    statistic come from rapmc.open (the C++ report's numbers, also for a running campaign)."""

    index: int
    label: str  # "" without a sweep, else "key=value, key=value"
    settings: dict  # swept key -> value (numbers parsed), from the label
    group: h5py.Group  # the group holding trials/ and statistics/
    ds: object = None  # the file as rapmc.open's xarray.Dataset

    def _at(self, name):
        return self.ds[name].isel(point=self.index)

    def _ok(self):
        """Mask of the successful trials among the rows written (padding rows have status −1)."""
        return self._at("status").values == 0

    def column(self, name):
        """Per-trial values of a metric (successful trials only)."""
        if name not in self.ds:
            raise ResultsError(f"{self.group.file.filename}: {self.group['trials'].name}/{name}: missing dataset")
        return self._at(name).values[self._ok()]

    def finished(self):
        """False while the campaign has not written this point's statistics (running or killed)."""
        return "statistics" in self.group

    def _stat_var(self, name, field):
        if name.startswith("layers/"):
            layer, _, metric = name[len("layers/"):].rpartition("/")
            var = f"layer_{metric}_{field}"
            return self._at(var).sel(layer=layer) if var in self.ds and layer in self.ds.layer else None
        var = f"{name}_{field}"
        return self._at(var) if var in self.ds else None

    def stat(self, name):
        """The statistics of a metric as rapmc report gives them (n, mean, std, ci95_low,
        ci95_high, min, q05, q50, q95, max; error_free for a pooled SQNR)."""
        if not self.has_stat(name):
            where = self.group.name.rstrip("/")
            raise ResultsError(f"{self.group.file.filename}: {where}/statistics/{name}: missing statistics "
                               f"(the file has no {name} column)")
        out = {}
        for f in STAT_FIELDS + ("error_free",):
            v = self._stat_var(name, f)
            if v is not None:
                out[f] = float(v)
        return out

    def has_stat(self, name):
        """True if the file has the metric's column (an older format may lack it)."""
        return f"trials/{name}" in self.group and self._stat_var(name, "mean") is not None

    def reference_accuracy(self):
        """Accuracy of the same pipeline on exact digital MVMs (format 1.1), or None."""
        v = float(self._at("reference_accuracy"))
        return None if math.isnan(v) else v

    def yield_(self):
        y = {k[len("yield_"):]: float(self._at(k)) for k in self.ds.data_vars if k.startswith("yield_")}
        y["weighted"] = bool(y.get("weighted", 0))
        return y

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
        return self._at(name).values[self._ok()].sum(axis=0)

    def trials(self):
        """Number of successful trials."""
        return int(self._ok().sum())

    def layers(self):
        """Per-layer names in data-path order ("embed", "blocks/0/qkv", ..., "head/fc")."""
        return sorted((str(l) for l in self.ds.layer.values), key=layer_order) if "layer" in self.ds.dims else []

    def layer_column(self, layer, metric):
        return self._at(f"layer_{metric}").sel(layer=layer).values[self._ok()]


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
    """A swept value as a label writes it (rapmc.results.parse_value)."""
    return _import_rapmc().results.parse_value(text)


def parse_label(label):
    """'hardware.adc.enob=3, variation.avt_mv_um=1.0' -> {'hardware.adc.enob': 3, ...}."""
    return _import_rapmc().results.parse_label(label)


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
    """Opens an HDF5 file for reading, also while its campaign writes it (rapmc.results.open_live:
    swmr=True, waiting out the writer's lock for up to `timeout` s)."""
    rapmc = _import_rapmc()
    try:
        return rapmc.results.open_live(path, timeout)
    except rapmc.Error as e:
        raise ResultsError(str(e)) from None


class Results:
    """An open results file. Use as a context manager."""

    def __init__(self, path):
        self.path = path
        rapmc = _import_rapmc()
        try:
            self.ds = rapmc.open(path)  # checks the file; its statistics are rapmc report's
        except rapmc.Error as e:
            raise ResultsError(str(e)) from None
        self.file = open_live(path)
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
                self.points.append(Point(i, label, parse_label(label), g, self.ds))
        else:
            self.points.append(Point(0, "", {}, self.file, self.ds))

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
