"""rapmc from Python (docs/python.md).

    import rapmc
    c = rapmc.Campaign("experiments/default/campaign.toml")   # or a dict of the same keys
    rapmc.run(c, out="R.h5", threads=2)
    ds = rapmc.open("R.h5")                # xarray.Dataset: (point, trial[, layer, image])
    print(ds.accuracy_mean.values, ds.yield_p.values)

Everything numerical runs in rapmc's C++ library (the module _rapmc): campaigns, trials, the
statistics of `rapmc report` and the paired tests of `rapmc compare`. Errors raise rapmc.Error
with the command line's message (naming the file, key or option) and its `exit_code`.
"""
import builtins
import json
import math
import os

from . import _rapmc
from ._rapmc import Error

__all__ = ["Campaign", "Error", "run", "run_trial", "eval", "report", "compare", "open",
           "import_torch", "quantize"]


def _toml_value(v, key):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return ("-" if v < 0 else "") + ("nan" if math.isnan(v) else "inf")
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a TOML basic string is a JSON string
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x, key) for x in v) + "]"
    raise Error(f"campaign dict: key '{key}' has a value of type {type(v).__name__} "
                "(expected a number, string, bool or list)")


def _to_toml(d):
    """TOML text of a campaign given as a dict: {"campaign": {...}, "sweep": [{...}, ...], ...}."""
    lines = []
    for table, body in d.items():
        if isinstance(body, dict):
            lines.append(f"[{table}]")
            lines += [f"{k} = {_toml_value(v, table + '.' + k)}" for k, v in body.items()]
        elif isinstance(body, list) and all(isinstance(x, dict) for x in body):
            for item in body:
                lines.append(f"[[{table}]]")
                lines += [f"{k} = {_toml_value(v, table + '.' + k)}" for k, v in item.items()]
        else:
            raise Error(f"campaign dict: '{table}' must be a table (dict) or a list of tables")
    return "\n".join(lines) + "\n"


class Campaign:
    """A campaign from a TOML file or from a dict of the same tables and keys, checked on
    construction (every bad key named at once, as `rapmc run` does)."""

    def __init__(self, source):
        if isinstance(source, Campaign):
            self.text, self.source = source.text, source.source
        elif isinstance(source, dict):
            self.text, self.source = _to_toml(source), "<dict>"
        else:
            path = os.fspath(source)
            try:
                with builtins.open(path, encoding="utf-8") as f:
                    self.text = f.read()
            except OSError as e:
                raise Error(f"{path}: cannot open ({e.strerror})") from None
            self.source = path
        info = _rapmc.campaign_info(self.text, self.source)
        self.name, self.seed, self.trials = info["name"], info["seed"], info["trials"]
        self.images, self.points, self.sha256 = info["images"], info["points"], info["sha256"]

    def __repr__(self):
        return (f"rapmc.Campaign({self.source!r}: {self.trials} trials x {self.images} images, "
                f"{len(self.points)} point(s), seed {self.seed})")


def run(campaign, out, threads=0, progress=None, resume=False, force=False, trials=None):
    """Runs the campaign into the results file `out` (as `rapmc run`); returns its summary.
    progress(done, total) is called after every block of trials; Ctrl-C stops the run with the
    trials committed so far kept (KeyboardInterrupt), and resume=True continues it, bit-identical
    to an uninterrupted run."""
    c = Campaign(campaign)
    return _rapmc.run(c.text, c.source, os.fspath(out), threads, resume, force, trials, progress)


def run_trial(campaign, trial, point=0, threads=0):
    """Runs one trial alone: its metrics, per-layer metrics and counters, and predictions."""
    c = Campaign(campaign)
    return _rapmc.run_trial(c.text, c.source, trial, point, threads)


def eval(model="data/models/vit_fmnist.h5", pipeline="fp32", hardware=None, dataset=None,  # noqa: A001
         limit=0, threads=0, requant="emsb", int_model=None, calib=None, calib_size=512):
    """One pipeline (fp32, ptq-dqq, flare) over a dataset, optionally on a nominal chip
    (hardware file), as `rapmc eval --json`: accuracy, n, the fp32 reference and, on hardware,
    the code error rate, SQNR and cost. The dataset and calibration set default to the model's
    own kind (fashion-mnist or wordnet)."""
    return json.loads(_rapmc.eval_json(
        os.fspath(model), pipeline, os.fspath(hardware) if hardware else "", dataset or "", limit,
        threads, requant, os.fspath(int_model) if int_model else "", calib or "", calib_size))


def quantize(model, out, calib=None, calib_size=512, calibrator="percentile", percentile=99.99,
             force=False, threads=0):
    """`rapmc quantize`: calibrates the FP32 model on the first calib_size samples of `calib`
    (default: the model's own kind of training data) and writes the integer model `out`."""
    return _rapmc.quantize(os.fspath(model), os.fspath(out), calib or "", calib_size, calibrator,
                           percentile, force, threads).strip()


def report(path, flip_rate_max=None, scaled_sigma=False):
    """The statistics of a results file, as `rapmc report --json` prints them."""
    return json.loads(_rapmc.report_json(os.fspath(path), flip_rate_max, scaled_sigma))


def compare(a, b, top=10):
    """Paired per-image comparison of two results files, as `rapmc compare --json`."""
    return json.loads(_rapmc.compare_json(os.fspath(a), os.fspath(b), top))


def import_torch(model, config, out, arch=None, vocab=None, info=None):
    """Converts a PyTorch encoder (a torch.nn.Module, a state_dict or a checkpoint path) into a
    rapmc model file `out`, in-process, with scripts/import_torch.py's rules and refusals
    (docs/formats.md, "Importing PyTorch models"): `config` a dict or JSON file of what the
    tensors do not say (heads, eps, input normalisation), `arch` "vit" or "bert" (default from
    the tensors), `vocab` a text model's vocabulary file. Returns the model's attributes."""
    from . import torch_import
    try:
        return torch_import.import_torch(model, config, out, arch, vocab, info)
    except torch_import.ImportError_ as e:
        err = Error(str(e))
        err.exit_code = 2
        raise err from None


def open(path, **report_options):  # noqa: A001 (rapmc.open, as xarray.open_dataset)
    """The results file as an xarray.Dataset (see rapmc.results.open_results)."""
    from .results import open_results
    return open_results(path, **report_options)
