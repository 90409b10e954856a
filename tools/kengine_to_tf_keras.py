"""Opens files written by kengine in tf_keras and reports how its predictions differ.

Run where tf_keras is installed (kengine itself never imports it):

    python tools/kengine_to_tf_keras.py DIR [--out REPORT.json] [--strict]

For each case `<case>` in DIR there is an npz `<case>.npz` holding the inputs
`x0..xn` (in the model's input order) and the expected predictions `y0..ym`
(in its output order), and any of these files written by kengine:

    <case>.h5, <case>.hdf5   whole model             -> `load_model`
    <case>.keras             whole model (v3 zip)    -> `load_model`
    <case>_savedmodel/       SavedModel              -> `load_model`, and the
                                                        `serving_default` signature
                                                        of `tf.saved_model.load`
    <case>.json              `to_json()`             -> `model_from_json`
    <case>_weights.h5        legacy `save_weights`   -> `load_weights` into the
    <case>.weights.h5        v3 `save_weights`          model of `<case>.json`
    <case>_ckpt/             TF-format `save_weights` (prefix `ckpt`)
    <case>_tfcheckpoint/     `tf.train.Checkpoint(model=...)` (latest prefix)

When the npz also holds targets `t_<output name>` and `unsaved_losses` (one
row of `train_on_batch` results per step), whole-model files are reloaded with
`compile=True` and trained that many steps on the same batch, and the losses
are compared too (the optimizer state must have survived the file). Not for
SavedModels: tf_keras's `load_model` gives them a fresh optimizer (iterations
0) even though the variables hold the slots.

The report is JSON: per case and file, the format, `max_abs_diff` of the
predictions (and `continue_max_abs_diff`), `ok` (all diffs <= --atol) or the
`error` tf_keras raised. With `--layouts testdata/saving_models/layouts.json`,
files named as in that folder also get `layout_diff`/`layout_matches`: their
h5 groups, attributes and datasets, `.keras` members and checkpoint keys
against those tf_keras wrote (dates ignored). `testdata/saving_models/` follows the same naming, so
`python tools/kengine_to_tf_keras.py testdata/saving_models` checks the tool on
tf_keras's own files. The custom layer `kengine_test>ScaleLayer` is registered
by importing `tools/goldens/saving_models.py`.
"""

import argparse
import json
import os
import sys
import traceback
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["TF_USE_LEGACY_KERAS"] = "1"
sys.path.insert(0, str(Path(__file__).resolve().parent))

# Importing the generator registers `kengine_test>ScaleLayer` and gives the
# same layout readers that wrote testdata/saving_models/layouts.json.
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402
from goldens.saving_models import (  # noqa: E402
    ckpt_layout,
    h5_layout,
    keras_zip_layout,
)


def _case_data(npz: Path) -> dict:
    with np.load(npz, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    n_in = sum(1 for k in arrays if k[0] == "x" and k[1:].isdigit())
    n_out = sum(1 for k in arrays if k[0] == "y" and k[1:].isdigit())
    return {
        "x": [arrays[f"x{i}"] for i in range(n_in)],
        "y": [arrays[f"y{i}"] for i in range(n_out)],
        "targets": {k[2:]: v for k, v in arrays.items() if k.startswith("t_")},
        "losses": arrays.get("unsaved_losses"),
    }


def _io_names(config_json: Path) -> tuple:
    """Input and output layer names from a `to_json()` file, or (None, None)."""
    if not config_json.exists():
        return None, None
    config = json.loads(config_json.read_text())
    inner = config["config"]
    if "input_layers" in inner:
        return (
            [spec[0] for spec in inner["input_layers"]],
            [spec[0] for spec in inner["output_layers"]],
        )
    layers = inner["layers"]
    first = (
        layers[0]["config"]["name"] if layers[0]["class_name"] == "InputLayer" else None
    )
    return [first], [layers[-1]["config"]["name"]]


def _diff(got: list, want: list) -> float:
    if len(got) != len(want):
        raise ValueError(f"{len(got)} outputs, expected {len(want)}")
    return max(float(np.max(np.abs(np.asarray(g) - w))) for g, w in zip(got, want))


def _predict(model, xs: list) -> list:
    out = model.predict(xs[0] if len(xs) == 1 else list(xs), verbose=0)
    return tf.nest.flatten(out)


def _continue(model, case: dict) -> float:
    names = model.output_names
    targets = case["targets"]
    y = targets[names[0]] if len(names) == 1 else {n: targets[n] for n in names}
    x = case["x"][0] if len(case["x"]) == 1 else list(case["x"])
    want = np.asarray(case["losses"], np.float64)
    got = [np.atleast_1d(model.train_on_batch(x, y)) for _ in range(len(want))]
    return float(np.max(np.abs(np.asarray(got, np.float64) - want)))


def _whole_model(path: Path, case: dict, train: bool = True) -> dict:
    model = keras.models.load_model(path)
    result = {"max_abs_diff": _diff(_predict(model, case["x"]), case["y"])}
    if train and case["losses"] is not None and case["targets"]:
        keras.backend.clear_session()
        model = keras.models.load_model(path, compile=True)
        result["continue_max_abs_diff"] = _continue(model, case)
    return result


def _serving(path: Path, case: dict, config_json: Path) -> dict:
    signature = tf.saved_model.load(str(path)).signatures["serving_default"]
    specs = signature.structured_input_signature[1]
    in_names, out_names = _io_names(config_json)
    if len(specs) == 1:
        in_names = list(specs)
    feed = {
        name: tf.constant(x, dtype=specs[name].dtype)
        for name, x in zip(in_names, case["x"])
    }
    outputs = signature(**feed)
    if len(outputs) == 1:
        out_names = list(outputs)
    return {"max_abs_diff": _diff([outputs[n].numpy() for n in out_names], case["y"])}


def _from_json(config_json: Path):
    return keras.models.model_from_json(config_json.read_text())


def _weights(path: Path, case: dict, config_json: Path) -> dict:
    model = _from_json(config_json)
    model.load_weights(str(path))
    return {"max_abs_diff": _diff(_predict(model, case["x"]), case["y"])}


def _tf_weights(prefix: str, case: dict, config_json: Path, wrapped: bool) -> dict:
    model = _from_json(config_json)
    if wrapped:
        status = tf.train.Checkpoint(model=model).read(prefix)
    else:
        status = model.load_weights(prefix)
    status.expect_partial().assert_existing_objects_matched()
    return {"max_abs_diff": _diff(_predict(model, case["x"]), case["y"])}


def _candidates(directory: Path, case: str) -> list:
    """(file name, format, check function) for every file of `case` present."""
    config_json = directory / f"{case}.json"
    found = []
    for suffix, fmt in ((".h5", "h5"), (".hdf5", "h5"), (".keras", "keras_v3")):
        path = directory / f"{case}{suffix}"
        if path.is_file():
            found.append((path.name, fmt, lambda c, p=path: _whole_model(p, c)))
    saved = directory / f"{case}_savedmodel"
    if saved.is_dir():
        found.append(
            (saved.name + "/", "savedmodel", lambda c: _whole_model(saved, c, False))
        )
        found.append(
            (
                saved.name + "/:serving_default",
                "savedmodel_signature",
                lambda c: _serving(saved, c, config_json),
            )
        )
    if not config_json.is_file():
        return found
    found.append(
        (config_json.name, "json", lambda c: {"built": bool(_from_json(config_json))})
    )
    for suffix, fmt in (("_weights.h5", "weights_h5"), (".weights.h5", "weights_v3")):
        path = directory / f"{case}{suffix}"
        if path.is_file():
            found.append(
                (path.name, fmt, lambda c, p=path: _weights(p, c, config_json))
            )
    for folder, wrapped in (("_ckpt", False), ("_tfcheckpoint", True)):
        prefix = tf.train.latest_checkpoint(str(directory / f"{case}{folder}"))
        if prefix:
            found.append(
                (
                    f"{case}{folder}/",
                    "tf_checkpoint",
                    lambda c, p=prefix, w=wrapped: _tf_weights(p, c, config_json, w),
                )
            )
    return found


def _layout(directory: Path, name: str, fmt: str):
    path = directory / name.rstrip("/")
    if fmt in ("h5", "weights_h5", "weights_v3"):
        return h5_layout(path)
    if fmt == "keras_v3":
        return keras_zip_layout(path)
    if fmt == "tf_checkpoint":
        return ckpt_layout(Path(tf.train.latest_checkpoint(str(path))))
    return None


def _flatten(tree, prefix: str = "") -> dict:
    if isinstance(tree, dict):
        flat = {}
        for key, value in tree.items():
            flat.update(_flatten(value, f"{prefix}{key}|"))
        return flat
    return {prefix.rstrip("|"): json.dumps(tree, sort_keys=True)}


# Values that differ between any two saves (dates) or by design (file names).
_VOLATILE = ("date_saved", "checkpoint_file", "|files", "prefix")


def layout_diff(here, reference) -> dict:
    """Paths (`a|b|c`) only in one layout, and values that differ."""
    mine, theirs = _flatten(here), _flatten(reference)
    keep = [k for k in {**mine, **theirs} if not any(v in k for v in _VOLATILE)]
    return {
        "only_here": sorted(k for k in keep if k not in theirs),
        "only_in_reference": sorted(k for k in keep if k not in mine),
        "values_differ": {
            k: [mine[k], theirs[k]]
            for k in sorted(keep)
            if k in mine and k in theirs and mine[k] != theirs[k]
        },
    }


def _compare_layout(directory: Path, case: str, name: str, entry: dict, ref) -> None:
    reference = (ref or {}).get(case, {}).get(name)
    if reference is None:
        return
    here = _layout(directory, name, entry["format"])
    if here is not None:
        diff = layout_diff(here, reference)
        entry["layout_diff"] = diff
        entry["layout_matches"] = not any(diff.values())


def check_directory(directory: Path, atol: float, reference=None) -> dict:
    """Loads every case's files in tf_keras; returns the report dict.

    Args:
        directory: holds `<case>.npz` and the files to check (module docstring).
        atol: largest absolute difference of predictions and losses still ok.
        reference: the parsed `layouts.json` of testdata/saving_models; files
            named as there are compared with tf_keras's layout.

    Returns:
        The report: versions, per case and file the results, and `all_ok`.
    """
    report = {"tf_keras": keras.__version__, "tensorflow": tf.__version__, "atol": atol}
    cases = {}
    for npz in sorted(directory.glob("*.npz")):
        case_data = _case_data(npz)
        results = {}
        for name, fmt, check in _candidates(directory, npz.stem):
            keras.backend.clear_session()
            try:
                entry = {"format": fmt, **check(case_data)}
                diffs = [v for k, v in entry.items() if k.endswith("max_abs_diff")]
                entry["ok"] = all(d <= atol for d in diffs)
            except Exception as err:  # report every failure, keep going
                last = traceback.extract_tb(err.__traceback__)[-1]
                entry = {
                    "format": fmt,
                    "ok": False,
                    "error": f"{type(err).__name__}: {err}"[:2000],
                    "where": f"{Path(last.filename).name}:{last.lineno}",
                }
            _compare_layout(directory, npz.stem, name, entry, reference)
            results[name] = entry
        if results:
            cases[npz.stem] = results
    report["cases"] = cases
    report["all_ok"] = all(e["ok"] for r in cases.values() for e in r.values())
    return report


def main(argv: list) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--out", type=Path, default=None, help="report path")
    parser.add_argument("--atol", type=float, default=1e-5)
    parser.add_argument("--strict", action="store_true", help="exit 1 unless all ok")
    parser.add_argument(
        "--layouts",
        type=Path,
        default=None,
        help="layouts.json of tf_keras's files to compare file layouts with",
    )
    args = parser.parse_args(argv)
    reference = json.loads(args.layouts.read_text()) if args.layouts else None
    report = check_directory(args.directory, args.atol, reference)
    text = json.dumps(report, indent=1, sort_keys=True)
    if args.out:
        args.out.write_text(text + "\n")
    for case, results in report["cases"].items():
        for name, entry in results.items():
            diffs = {
                k: f"{v:.2g}" for k, v in entry.items() if k.endswith("max_abs_diff")
            }
            error = entry.get("error", "")[:100]
            status = ("ok " if entry["ok"] else "FAIL ") + (error or str(diffs))
            if "layout_matches" in entry:
                status += " layout " + (
                    "same" if entry["layout_matches"] else "DIFFERS"
                )
            print(f"{case:16s} {name:40s} {status}")
    return 1 if args.strict and not report["all_ok"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
