"""`import rapmc` (docs/python.md) against the command line: the same campaigns, statistics,
comparisons and errors. Run by ctest (python_module) with PYTHONPATH=<build>/python, from the
repository root; RAPMC_BINARY is the rapmc executable of the same build."""
import json
import os
import shutil
import signal
import subprocess

import h5py
import numpy as np
import pytest

import rapmc

RAPMC = os.environ.get("RAPMC_BINARY", "build/rapmc")


def small(seed=7, trials=4, hardware=None, images=8):
    c = {"campaign": {"name": "py", "seed": seed, "trials": trials},
         "data": {"images": images},
         "trigger": {"check_every": 2}}
    if hardware:
        c["hardware"] = {"file": hardware}
    return c


def cli(*args):
    return subprocess.run([RAPMC, *args], capture_output=True, text=True)


def test_campaign_from_dict_and_file_are_the_same_campaign(tmp_path):
    d = small()
    a = rapmc.Campaign(d)
    path = tmp_path / "c.toml"
    path.write_text(rapmc._to_toml(d))
    b = rapmc.Campaign(path)
    assert a.sha256 == b.sha256
    assert (a.trials, a.images, a.seed, a.points) == (4, 8, 7, [""])


def test_bad_campaign_raises_with_the_command_lines_message(tmp_path):
    bad = small()
    bad["campaign"]["trials"] = -1
    with pytest.raises(rapmc.Error) as e:
        rapmc.Campaign(bad)
    path = tmp_path / "bad.toml"
    path.write_text(rapmc._to_toml(bad))
    r = cli("run", str(path), "--out", str(tmp_path / "r.h5"))
    assert r.returncode == e.value.exit_code == 2
    # The same problem, named the same way (the source differs: <dict> against the file).
    assert str(e.value).replace("<dict>", str(path)) in r.stderr
    with pytest.raises(rapmc.Error, match="nope.toml: cannot open"):
        rapmc.Campaign(tmp_path / "nope.toml")


def test_run_equals_the_command_line_and_open_equals_report(tmp_path):
    c = rapmc.Campaign(small())
    seen = []
    s = rapmc.run(c, tmp_path / "py.h5", threads=2, progress=lambda done, total: seen.append((done, total)))
    assert s["trials_run"] == 4 and not s["stopped"]
    assert seen[-1] == (4, 4)
    path = tmp_path / "c.toml"
    path.write_text(c.text)
    assert cli("run", str(path), "--out", str(tmp_path / "cli.h5"), "--quiet").returncode == 0
    with h5py.File(tmp_path / "py.h5") as a, h5py.File(tmp_path / "cli.h5") as b:
        for name in ("accuracy", "code_error_rate", "prediction"):
            assert np.array_equal(a[f"trials/{name}"][()], b[f"trials/{name}"][()])
    # rapmc.open: every statistic of `rapmc report --json`, as a variable of the dataset.
    rep = json.loads(cli("report", str(tmp_path / "py.h5"), "--json").stdout)
    ds = rapmc.open(tmp_path / "py.h5")
    assert ds.sizes["trial"] == 4 and ds.sizes["image"] == 8
    assert ds["accuracy"].attrs["units"] == "1"
    checked = 0
    for name, stat in rep["statistics"].items():
        for field, v in stat.items():
            if field not in rapmc.results.STAT_FIELDS:
                continue
            want = rapmc.results._number(v)
            if name.startswith("layers/"):
                layer, _, metric = name[len("layers/"):].rpartition("/")
                got = ds[f"layer_{metric}_{field}"].sel(layer=layer).values[0]
            else:
                got = ds[f"{name}_{field}"].values[0]
            assert got == want or (np.isnan(got) and np.isnan(want)), (name, field)
            checked += 1
    assert checked > 100
    assert ds["yield_p"].values[0] == rep["yield"]["p"]
    assert ds["reference_accuracy"].values[0] == rep["reference_accuracy"]
    # The per-image predictions make each trial's accuracy.
    right = (ds["prediction"] == ds["label"]).mean("image")
    assert np.array_equal(right.values, ds["accuracy"].values)


def test_run_trial_is_the_stored_row(tmp_path):
    c = rapmc.Campaign(small())
    rapmc.run(c, tmp_path / "r.h5", threads=2)
    t = rapmc.run_trial(c, 3, threads=1)
    ds = rapmc.open(tmp_path / "r.h5")
    assert t["status"] == "ok"
    assert t["metrics"]["accuracy"] == ds["accuracy"].values[0, 3]
    assert t["metrics"]["code_error_rate"] == ds["code_error_rate"].values[0, 3]
    assert t["predictions"] == list(ds["prediction"].values[0, 3])
    layer = ds["layer"].values[0]
    assert t["layers"][layer]["code_error_rate"] == ds["layer_code_error_rate"].sel(layer=layer).values[0, 3]
    counters = t["counters"][layer]
    assert counters["code_errors"] == round(counters["code_error_rate"] * counters["conversions"])
    with pytest.raises(rapmc.Error, match="point 2 asked, but the campaign has 1 point"):
        rapmc.run_trial(c, 0, point=2)


def test_sweep_keys_are_coordinates(tmp_path):
    c = small(trials=2)
    c["sweep"] = [{"key": "hardware.adc.enob", "values": [3, 4]}]
    rapmc.run(c, tmp_path / "s.h5", threads=2)
    ds = rapmc.open(tmp_path / "s.h5")
    assert list(ds["hardware.adc.enob"].values) == [3.0, 4.0]
    assert ds["accuracy_mean"].dims == ("point",)


def test_compare_equals_the_command_line(tmp_path):
    rapmc.run(small(), tmp_path / "a.h5", threads=2)
    rapmc.run(small(hardware="data/hardware/conventional.toml"), tmp_path / "b.h5", threads=2)
    py = rapmc.compare(tmp_path / "a.h5", tmp_path / "b.h5", top=3)
    cl = json.loads(cli("compare", str(tmp_path / "a.h5"), str(tmp_path / "b.h5"), "--top", "3", "--json").stdout)
    assert py == cl
    rapmc.run(small(seed=8), tmp_path / "s.h5", threads=2)
    with pytest.raises(rapmc.Error, match="with seed 8"):
        rapmc.compare(tmp_path / "a.h5", tmp_path / "s.h5")


def test_open_reads_an_older_format(tmp_path):
    rapmc.run(small(trials=2), tmp_path / "r.h5", threads=2)
    old = tmp_path / "old.h5"
    shutil.copy(tmp_path / "r.h5", old)
    with h5py.File(old, "r+") as f:  # as written before 1.5: no per-image datasets
        del f["trials/prediction"], f["reference/label"], f["reference/prediction"]
        f.attrs["format_version"] = "1.4"
    ds = rapmc.open(old)
    assert "prediction" not in ds and "image" not in ds.sizes
    assert ds["accuracy_mean"].values[0] == rapmc.report(old)["statistics"]["accuracy"]["mean"]
    with pytest.raises(rapmc.Error, match="has no per-image predictions"):
        rapmc.compare(old, tmp_path / "r.h5")
    with pytest.raises(rapmc.Error, match="missing.h5"):
        rapmc.open(tmp_path / "missing.h5")


def test_interrupted_run_resumes_to_identical_results(tmp_path):
    c = small(trials=16)  # two blocks of 8 trials (without a convergence trigger)
    rapmc.run(c, tmp_path / "whole.h5", threads=2)
    # Ctrl-C after the first block: the committed trials stay, KeyboardInterrupt is raised.
    def interrupt_after_first_block(done, total):
        if done == 8:
            signal.raise_signal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        rapmc.run(c, tmp_path / "cut.h5", threads=2, progress=interrupt_after_first_block)
    with h5py.File(tmp_path / "cut.h5") as f:
        kept = len(f["trials/trial"])
    assert kept == 8
    s = rapmc.run(c, tmp_path / "cut.h5", threads=1, resume=True)
    assert s["trials_run"] == 8
    with h5py.File(tmp_path / "whole.h5") as a, h5py.File(tmp_path / "cut.h5") as b:
        for name in ("trial", "accuracy", "logit_error_power", "prediction", "dcode_hist"):
            assert np.array_equal(a[f"trials/{name}"][()], b[f"trials/{name}"][()]), name


def test_eval_equals_the_command_line_and_follows_the_model():
    py = rapmc.eval("data/models/vit_fmnist_int8.h5", pipeline="flare", hardware="data/hardware/rap.toml",
                    limit=16, threads=2)
    cl = json.loads(cli("eval", "--model", "data/models/vit_fmnist_int8.h5", "--pipeline", "flare",
                        "--hardware", "data/hardware/rap.toml", "--limit", "16", "--threads", "2", "--json").stdout)
    for key in ("accuracy", "n", "correct", "dataset", "pipeline"):
        assert py[key] == cl[key], key
    text = rapmc.eval("data/models/bert_wordnet.h5", pipeline="flare", limit=8, calib_size=16, threads=2)
    assert text["dataset"] == "wordnet:test" and text["n"] == 8
    with pytest.raises(rapmc.Error, match="is images, but model data/models/bert_wordnet.h5 reads token sequences") as e:
        rapmc.eval("data/models/bert_wordnet.h5", dataset="fashion-mnist:test", limit=4)
    assert e.value.exit_code == 2


def test_import_torch_in_process_equals_the_script(tmp_path):
    import sys
    import torch
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__))))
    import torch_models
    tv = torch_models.torchvision_vit(1)
    config = {"num_heads": 2, "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}
    attrs = rapmc.import_torch(tv, config, tmp_path / "py.h5")
    assert (attrs["kind"], attrs["dim"], attrs["depth"]) == ("vit", 32, 2)
    torch.save(tv.state_dict(), tmp_path / "tv.pt")
    (tmp_path / "c.json").write_text(json.dumps(config))
    r = subprocess.run(["/usr/bin/python3", "scripts/import_torch.py", "vit", str(tmp_path / "tv.pt"),
                        "--config", str(tmp_path / "c.json"), "--out", str(tmp_path / "cli.h5")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    with h5py.File(tmp_path / "py.h5") as a, h5py.File(tmp_path / "cli.h5") as b:
        names = []
        a.visit(lambda n: names.append(n) if isinstance(a[n], h5py.Dataset) else None)
        assert len(names) > 10
        for n in names:
            assert np.array_equal(a[n][()], b[n][()]), n
    # The script's refusals, as rapmc.Error with exit code 2; nothing written.
    with pytest.raises(rapmc.Error, match="missing 'num_heads'") as e:
        rapmc.import_torch(tv.state_dict(), {}, tmp_path / "bad.h5")
    assert e.value.exit_code == 2 and not (tmp_path / "bad.h5").exists()


def test_quantize_equals_the_command_line(tmp_path):
    rapmc.quantize("data/models/vit_fmnist.h5", tmp_path / "py.h5", calib_size=32, threads=2)
    r = cli("quantize", "--model", "data/models/vit_fmnist.h5", "--out", str(tmp_path / "cli.h5"),
            "--calib-size", "32", "--threads", "2")
    assert r.returncode == 0, r.stderr
    with h5py.File(tmp_path / "py.h5") as a, h5py.File(tmp_path / "cli.h5") as b:
        names = []
        a.visit(lambda n: names.append(n) if isinstance(a[n], h5py.Dataset) else None)
        for n in names:
            assert np.array_equal(a[n][()], b[n][()]), n
    with pytest.raises(rapmc.Error, match="file exists"):
        rapmc.quantize("data/models/vit_fmnist.h5", tmp_path / "py.h5")


def test_open_reads_a_running_campaign(tmp_path):
    import time
    c = small(trials=64)
    c["trigger"] = {"check_every": 2, "ci_halfwidth": 1e-9}  # blocks of 2 trials, never converges
    path = tmp_path / "c.toml"
    path.write_text(rapmc._to_toml(c))
    out = tmp_path / "live.h5"
    proc = subprocess.Popen([RAPMC, "run", str(path), "--out", str(out), "--quiet", "--threads", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        ds, deadline = None, time.monotonic() + 120
        while time.monotonic() < deadline:
            if out.exists():
                try:
                    ds = rapmc.open(out)
                except rapmc.Error:
                    ds = None  # the file is being created
                if ds is not None and ds.sizes["trial"] >= 2:
                    break
            time.sleep(0.2)
        assert ds is not None and ds.sizes["trial"] >= 2
        rows = ds.sizes["trial"]
        # The statistics are those of the rows written so far, as rapmc report gives them.
        assert ds["accuracy_n"].values[0] == rows
        assert proc.poll() is None or rows == 64  # read while it ran (or it was already done)
    finally:
        proc.terminate()
        proc.wait()
