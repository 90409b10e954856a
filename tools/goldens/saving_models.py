"""Golden whole-model files written by tf_keras 2.21 (and a few by Keras 3).

For each model kind in `KINDS` this sets every weight to `range_like` values,
compiles, trains `STEPS_BEFORE` steps with `train_on_batch` on one fixed batch
(so optimizer slots exist), then writes into `testdata/saving_models/`:

    <kind>.h5              `model.save("<kind>.h5")`: config, training config,
                           weights and optimizer weights (legacy HDF5)
    <kind>.keras           `model.save("<kind>.keras")`: the v3 zip archive
    <kind>_savedmodel/     `model.save(dir, save_format="tf")` (kinds in
                           `SAVEDMODEL_KINDS` only: SavedModels are large)
    <kind>.json            `model.to_json()`
    <kind>_weights.h5      `model.save_weights` (legacy HDF5 layout)
    <kind>.weights.h5      `model.save_weights` (v3 `layers/.../vars/<i>` layout)
    <kind>.npz             x<i> (inputs), t_<output> (targets), y<i>
                           (predictions), w_init<i>, w<i> (weights before and
                           after the first steps, `get_weights()` order),
                           pre_losses, then the `STEPS_AFTER` next steps as
                           <src>_losses and <src>_w_after<i> for src in
                           unsaved / h5 / keras / savedmodel (a reload with
                           `compile=True` continuing training)
    mlp_ckpt/              `model.save_weights("mlp_ckpt/ckpt")` (TF format)
    mlp_tfcheckpoint/      `tf.train.Checkpoint(model=, optimizer=).save`
    <kind>_keras3.*        Keras 3 `.keras`, `.weights.h5` and npz of the same
                           architecture and weights (kinds in `KERAS3_KINDS`)
    payload_lambda*        a `Lambda(lambda x: x * 2)` model saved as h5,
                           `.keras` and JSON: Python bytecode that a safe
                           loader must refuse
    saving_models.json     per kind: names, optimizer variables, file list
    layouts.json           inside every file: h5 groups/attributes, zip
                           members, checkpoint keys, serving signatures
    keras3_layouts.json    the same for the Keras 3 files
    MANIFEST.json          every file with its kind, format and content

Dropout has rate 0.0 so that training continues deterministically (a random
mask cannot be reproduced by another implementation). The Keras 3 files are
written in a subprocess without TF_USE_LEGACY_KERAS (`keras3_files`).
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import tensorflow as tf
import tf_keras as keras

from goldens._common import range_like, write_json, write_npz
from goldens._saving_layouts import (
    ckpt_layout,
    h5_layout,
    keras_zip_layout,
    savedmodel_layout,
)

STEPS_BEFORE = 2
STEPS_AFTER = 2
BATCH = 6
SAVEDMODEL_KINDS = ("mlp", "multi_io", "custom")
KERAS3_KINDS = ("mlp", "multi_io")
TOOLS = Path(__file__).resolve().parents[1]


@keras.saving.register_keras_serializable(package="kengine_test", name="ScaleLayer")
class ScaleLayer(keras.layers.Layer):
    """Multiplies its input by a learned vector and a constant `scale`."""

    def __init__(self, scale: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def build(self, input_shape):
        self.gain = self.add_weight(
            name="gain", shape=(input_shape[-1],), initializer="ones"
        )
        super().build(input_shape)

    def call(self, inputs):
        return inputs * self.gain * self.scale

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


# ---------------------------------------------------------------- architectures
# Each builder takes the Keras module so Keras 3 can build the same model.


def build_mlp(k):
    return k.Sequential(
        [
            k.Input((4,), name="features"),
            k.layers.Dense(8, activation="relu"),
            k.layers.Dropout(0.0),
            k.layers.BatchNormalization(),
            k.layers.Dense(3, activation="softmax"),
        ],
        name="mlp",
    )


def build_multi_io(k):
    in_a = k.Input((4,), name="in_a")
    in_b = k.Input((3,), name="in_b")
    x = k.layers.Concatenate(name="concat")([in_a, in_b])
    x = k.layers.Dense(8, activation="relu", name="trunk")(x)
    reg = k.layers.Dense(2, name="reg")(x)
    cls = k.layers.Dense(3, activation="softmax", name="cls")(x)
    return k.Model([in_a, in_b], [reg, cls], name="multi_io")


def build_nested(k):
    inner_seq = k.Sequential(
        [k.Input((4,)), k.layers.Dense(5, activation="relu"), k.layers.Dense(3)],
        name="inner_seq",
    )
    fn_in = k.Input((3,))
    inner_fn = k.Model(
        fn_in, k.layers.Dense(3, name="fn_dense")(fn_in), name="inner_fn"
    )
    inputs = k.Input((4,), name="x")
    x = k.layers.Dense(4, name="pre")(inputs)
    x = inner_fn(inner_seq(x))
    return k.Model(inputs, k.layers.Dense(2, name="out")(x), name="nested")


def build_shared(k):
    a = k.Input((3,), name="left")
    b = k.Input((3,), name="right")
    shared = k.layers.Dense(4, activation="tanh", name="shared")
    x = k.layers.Subtract(name="diff")([shared(a), shared(b)])
    out = k.layers.Dense(1, activation="sigmoid", name="out")(x)
    return k.Model([a, b], out, name="shared")


def build_rnn(k):
    inputs = k.Input((5,), dtype="int32", name="ids")
    x = k.layers.Embedding(10, 4, mask_zero=True)(inputs)
    x = k.layers.Bidirectional(k.layers.LSTM(3, return_sequences=True))(x)
    x = k.layers.GRU(3)(x)
    return k.Model(inputs, k.layers.Dense(2, name="out")(x), name="rnn")


def build_conv(k):
    return k.Sequential(
        [
            k.Input((8, 8, 2), name="image"),
            k.layers.Conv2D(3, 3, padding="same", activation="relu"),
            k.layers.MaxPooling2D(),
            k.layers.Conv2D(4, 2),
            k.layers.AveragePooling2D(),
            k.layers.Flatten(),
            k.layers.Dense(2),
        ],
        name="conv",
    )


def build_tfop(k):
    inputs = k.Input((3,), name="x")
    x = inputs * 2.0 + 1.0
    x = tf.concat([x, tf.math.sin(x)], axis=-1)
    return k.Model(inputs, k.layers.Dense(2, name="out")(x), name="tfop")


def build_custom(k):
    inputs = k.Input((4,), name="x")
    x = k.layers.Dense(4, name="proj")(inputs)
    x = ScaleLayer(scale=1.5, name="scale")(x)
    return k.Model(inputs, k.layers.Dense(1, name="out")(x), name="custom")


BUILDERS = {
    "mlp": build_mlp,
    "multi_io": build_multi_io,
    "nested": build_nested,
    "shared": build_shared,
    "rnn": build_rnn,
    "conv": build_conv,
    "tfop": build_tfop,
    "custom": build_custom,
}
KINDS = tuple(BUILDERS)
# `compile()` arguments of each kind; the optimizer is Adam(0.01) unless listed
# in OPTIMIZERS (SGD and RMSprop give the h5 other slot names).
COMPILE = {
    "mlp": dict(loss="sparse_categorical_crossentropy", metrics=["accuracy"]),
    "multi_io": dict(
        loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
        loss_weights={"reg": 0.5, "cls": 1.0},
        metrics={"reg": ["mae"], "cls": ["accuracy"]},
    ),
    "nested": dict(loss="mse", metrics=["mae"]),
    "shared": dict(loss="binary_crossentropy", metrics=["accuracy"]),
    "rnn": dict(loss="mse"),
    "conv": dict(loss="mse"),
    "tfop": dict(loss="mse"),
    "custom": dict(loss="mse", metrics=["mae"]),
}
OPTIMIZERS = {
    "rnn": lambda: keras.optimizers.SGD(0.05, momentum=0.9),
    "conv": lambda: keras.optimizers.RMSprop(0.01),
}


def compile_args(kind: str) -> dict:
    optimizer = OPTIMIZERS.get(kind, lambda: keras.optimizers.Adam(0.01))()
    return {"optimizer": optimizer, **COMPILE[kind]}


def _ids() -> np.ndarray:
    ids = (np.arange(BATCH * 5) % 9 + 1).astype(np.int32).reshape(BATCH, 5)
    for row in range(BATCH):
        ids[row, 5 - row % 3 :] = 0  # trailing padding, masked by mask_zero
    return ids


def data(kind: str) -> tuple:
    """The fixed batch of `kind`: (inputs list, targets by output name)."""
    labels = (np.arange(BATCH) % 3).astype(np.int32)
    reg = range_like((BATCH, 2), 1.0, offset=5.0)
    a4, a3 = range_like((BATCH, 4), 1.0), range_like((BATCH, 3), 1.0)
    b3 = range_like((BATCH, 3), 1.0, offset=2.0)
    table = {
        "mlp": ([a4], {"dense_1": labels}),
        "multi_io": ([a4, b3], {"reg": reg, "cls": labels}),
        "nested": ([a4], {"out": reg}),
        "shared": ([a3, b3], {"out": (np.arange(BATCH) % 2)[:, None].astype("f4")}),
        "rnn": ([_ids()], {"out": reg}),
        "conv": ([range_like((BATCH, 8, 8, 2), 1.0)], {"dense": reg}),
        "tfop": ([a3], {"out": reg}),
        "custom": ([a4], {"out": reg[:, :1]}),
    }
    return table[kind]


# ---------------------------------------------------------------- helpers


def set_fixed_weights(model) -> list:
    """Sets every weight to `range_like` values (variances positive); returns them."""
    values = []
    for i, w in enumerate(model.weights):
        value = range_like(tuple(w.shape), 0.5, offset=i)
        if "moving_variance" in w.name:
            value = np.abs(value) + 0.5
        values.append(value)
    model.set_weights(values)
    return values


def _feed(model, xs, targets):
    x = xs[0] if len(xs) == 1 else list(xs)
    names = model.output_names
    y = targets[names[0]] if len(names) == 1 else {n: targets[n] for n in names}
    return x, y


def _train(model, xs, targets, steps) -> np.ndarray:
    x, y = _feed(model, xs, targets)
    rows = [np.atleast_1d(model.train_on_batch(x, y)) for _ in range(steps)]
    return np.asarray(rows, np.float64)


def _predict(model, xs) -> list:
    out = model.predict(xs[0] if len(xs) == 1 else list(xs), verbose=0)
    return [np.asarray(o) for o in tf.nest.flatten(out)]


def _fresh(path: Path) -> Path:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
    return path


def _continue(source: str, model, xs, targets, arrays: dict, ref: list) -> None:
    """Trains a reloaded model `STEPS_AFTER` steps; records losses and weights."""
    preds = _predict(model, xs)
    for got, want in zip(preds, ref):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6, err_msg=source)
    arrays[f"{source}_losses"] = _train(model, xs, targets, STEPS_AFTER)
    for i, w in enumerate(model.get_weights()):
        arrays[f"{source}_w_after{i}"] = w


# ---------------------------------------------------------------- per kind


def _write(model, out_dir: Path, files: dict) -> dict:
    """Writes `model` as each {file name: format} of `files`; returns `files`."""
    for name, fmt in files.items():
        path = _fresh(out_dir / name.rstrip("/"))
        if fmt == "json":
            path.write_text(model.to_json())
        elif fmt.startswith("weights"):
            model.save_weights(str(path))
        else:
            model.save(str(path), save_format="tf" if fmt == "savedmodel" else None)
    return files


def _save_files(model, out_dir: Path, kind: str) -> dict:
    """Writes every format of `kind`; returns {file name: format}."""
    files = {
        f"{kind}.h5": "h5",
        f"{kind}.keras": "keras_v3",
        f"{kind}.json": "json",
        f"{kind}_weights.h5": "weights_h5",
        f"{kind}.weights.h5": "weights_v3",
    }
    if kind in SAVEDMODEL_KINDS:
        files[f"{kind}_savedmodel/"] = "savedmodel"
    return _write(model, out_dir, files)


def _layouts(out_dir: Path, kind: str, files: dict) -> dict:
    layout = {}
    for name, fmt in files.items():
        path = out_dir / name
        if fmt in ("h5", "weights_h5", "weights_v3"):
            layout[name] = h5_layout(path)
        elif fmt == "keras_v3":
            layout[name] = keras_zip_layout(path)
        elif fmt == "savedmodel":
            layout[name] = savedmodel_layout(path)
    return layout


def _reloads(kind: str, out_dir: Path) -> dict:
    sources = {"h5": out_dir / f"{kind}.h5", "keras": out_dir / f"{kind}.keras"}
    if kind in SAVEDMODEL_KINDS:
        sources["savedmodel"] = out_dir / f"{kind}_savedmodel"
    return sources


def generate_kind(kind: str, out_dir: Path) -> tuple:
    """Builds, trains and saves one kind; returns (meta, layouts)."""
    keras.backend.clear_session()
    model = BUILDERS[kind](keras)
    xs, targets = data(kind)
    arrays = {f"x{i}": x for i, x in enumerate(xs)}
    arrays.update({f"t_{n}": t for n, t in targets.items()})
    for i, w in enumerate(set_fixed_weights(model)):
        arrays[f"w_init{i}"] = w
    model.compile(**compile_args(kind))
    arrays["pre_losses"] = _train(model, xs, targets, STEPS_BEFORE)
    for i, w in enumerate(model.get_weights()):
        arrays[f"w{i}"] = w
    preds = _predict(model, xs)
    arrays.update({f"y{i}": y for i, y in enumerate(preds)})
    files = _save_files(model, out_dir, kind)
    layouts = _layouts(out_dir, kind, files)
    if kind == "mlp":
        layouts.update(checkpoints(model, out_dir))
    meta = {
        "model_class": type(model).__name__,
        "input_names": model.input_names,
        "output_names": model.output_names,
        "metrics_names": model.metrics_names,
        "layer_names": [layer.name for layer in model.layers],
        "weight_names": [w.name for w in model.weights],
        "weight_shapes": [list(w.shape) for w in model.weights],
        "optimizer_weight_names": [v.name for v in model.optimizer.variables()],
        "optimizer_config": model.optimizer.get_config(),
        "files": files,
        "h5_model_config_equals_to_json": _h5_config(out_dir / f"{kind}.h5")
        == model.to_json(),
    }
    _continue("unsaved", model, xs, targets, arrays, preds)
    for source, path in _reloads(kind, out_dir).items():
        keras.backend.clear_session()
        _continue(
            source, keras.models.load_model(str(path)), xs, targets, arrays, preds
        )
    meta["continuation_max_abs_diff_vs_unsaved"] = {
        s: float(np.max(np.abs(arrays[f"{s}_losses"] - arrays["unsaved_losses"])))
        for s in _reloads(kind, out_dir)
    }
    write_npz(out_dir, f"{kind}.npz", **arrays)
    return meta, layouts


def _h5_config(path: Path) -> str:
    with h5py.File(path, "r") as f:
        return f.attrs["model_config"]


# ---------------------------------------------------------------- checkpoints


def checkpoints(model, out_dir: Path) -> dict:
    """TF-format `save_weights` and a `tf.train.Checkpoint` of the trained MLP."""
    ckpt_dir = _fresh(out_dir / "mlp_ckpt")
    ckpt_dir.mkdir()
    model.save_weights(str(ckpt_dir / "ckpt"))
    tc_dir = _fresh(out_dir / "mlp_tfcheckpoint")
    tc_dir.mkdir()
    checkpoint = tf.train.Checkpoint(model=model, optimizer=model.optimizer)
    prefix = checkpoint.save(str(tc_dir / "ckpt"))
    return {
        "mlp_ckpt/": ckpt_layout(ckpt_dir / "ckpt"),
        "mlp_tfcheckpoint/": {"prefix": Path(prefix).name, **ckpt_layout(Path(prefix))},
    }


# ---------------------------------------------------------------- payloads


def payload_files(out_dir: Path) -> dict:
    """A `Lambda(lambda x: x * 2)` model as tf_keras writes it: bytecode inside."""
    keras.backend.clear_session()
    inputs = keras.Input((3,), name="x")
    doubled = keras.layers.Lambda(lambda x: x * 2, name="double")(inputs)
    model = keras.Model(
        inputs, keras.layers.Dense(2, name="out")(doubled), name="payload_lambda"
    )
    set_fixed_weights(model)
    x = range_like((BATCH, 3), 1.0)
    write_npz(out_dir, "payload_lambda.npz", x0=x, y0=_predict(model, [x])[0])
    files = {
        "payload_lambda.h5": "h5",
        "payload_lambda.keras": "keras_v3",
        "payload_lambda.json": "json",
    }
    return _write(model, out_dir, files)


def tf_keras_safe_mode(out_dir: Path) -> dict:
    """What tf_keras's own loaders do with the payloads under their defaults."""
    result = {}
    for name in ("payload_lambda.h5", "payload_lambda.keras", "payload_lambda.json"):
        keras.backend.clear_session()
        path = out_dir / name
        try:
            if path.suffix == ".json":
                keras.models.model_from_json(path.read_text())
            else:
                keras.models.load_model(str(path))
            result[name] = "loaded (bytecode executed)"
        except ValueError as err:
            result[name] = f"refused: ValueError: {err}"
    return result


# ---------------------------------------------------------------- Keras 3


def keras3_files(out_dir: Path) -> None:
    """Runs in a Keras 3 subprocess: same architectures and weights as tf_keras."""
    import keras as keras3  # Keras 3 only exists in this subprocess's role

    assert keras3.__version__.startswith("3."), keras3.__version__
    layouts = {}
    for kind in KERAS3_KINDS:
        keras3.utils.clear_session()
        model = BUILDERS[kind](keras3)
        with np.load(out_dir / f"{kind}.npz") as data:
            n_w = len([k for k in data.files if k[0] == "w" and k[1:].isdigit()])
            model.set_weights([data[f"w{i}"] for i in range(n_w)])
            xs = [data[f"x{i}"] for i in range(len(model.inputs))]
        model.compile(optimizer=keras3.optimizers.Adam(0.01), loss="mse")
        out = model.predict(xs[0] if len(xs) == 1 else xs, verbose=0)
        preds = [np.asarray(o) for o in tf.nest.flatten(out)]
        write_npz(
            out_dir,
            f"{kind}_keras3.npz",
            **{f"x{i}": x for i, x in enumerate(xs)},
            **{f"y{i}": y for i, y in enumerate(preds)},
        )
        path = _fresh(out_dir / f"{kind}_keras3.keras")
        model.save(str(path))
        layouts[path.name] = keras_zip_layout(path)
        path = _fresh(out_dir / f"{kind}_keras3.weights.h5")
        model.save_weights(str(path))
        layouts[path.name] = h5_layout(path)
        layouts[f"{kind}_keras3.weight_paths"] = [w.path for w in model.weights]
    layouts["keras_version"] = keras3.__version__
    write_json(out_dir, "keras3_layouts.json", layouts)


def _run_keras3(out_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    code = (
        f"import sys; sys.path.insert(0, {str(TOOLS)!r}); "
        "from pathlib import Path; from goldens.saving_models import keras3_files; "
        f"keras3_files(Path({str(out_dir)!r}))"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    path = out_dir / "keras3_layouts.json"
    layouts = json.loads(path.read_text())
    path.unlink()
    return layouts


# ---------------------------------------------------------------- manifest

_HOLDS = {
    "h5": "whole model, legacy HDF5 (model.save('*.h5')): attrs model_config, "
    "training_config; model_weights/, optimizer_weights/",
    "keras_v3": "whole model, v3 zip: config.json, metadata.json, model.weights.h5",
    "savedmodel": "whole model, SavedModel directory (save_format='tf')",
    "json": "model.to_json() text",
    "weights_h5": "save_weights, legacy HDF5 layout (model weights only)",
    "weights_v3": "save_weights to *.weights.h5, v3 layout (with optimizer, metrics)",
    "npz": "x<i> inputs, t_<output> targets, y<i> predictions, w_init<i>/w<i> "
    "weights, pre_losses, <src>_losses/<src>_w_after<i> for continued training",
    "tf_checkpoint": "model.save_weights('mlp_ckpt/ckpt'), TF format, with optimizer",
    "tf_train_checkpoint": "tf.train.Checkpoint(model=, optimizer=).save(), ckpt-1",
    "keras3_v3": "Keras 3 model.save, same architecture and weights w<i>",
    "keras3_weights": "Keras 3 save_weights, same architecture and weights w<i>",
    "keras3_npz": "x<i> inputs and Keras 3's predictions y<i>",
    "payload": "Lambda(lambda x: x * 2): marshalled Python bytecode a safe "
    "loader must refuse (npz: x0, y0 for safe_mode=False)",
    "saving_models.json": "per kind: names, output/metric names, optimizer "
    "variables, files; versions; ScaleLayer spec; tf_keras payload behaviour",
    "layouts.json": "inside every file: h5 groups/attrs/datasets, .keras zip "
    "members, checkpoint keys, SavedModel signatures",
    "keras3_layouts.json": "same for the Keras 3 files, plus Keras 3 weight paths",
}


def _manifest(meta: dict) -> dict:
    rows = [
        (name, kind, fmt)
        for kind, info in meta["kinds"].items()
        for name, fmt in {**info["files"], f"{kind}.npz": "npz"}.items()
    ]
    rows += [
        ("mlp_ckpt/", "mlp", "tf_checkpoint"),
        ("mlp_tfcheckpoint/", "mlp", "tf_train_checkpoint"),
    ]
    for kind in KERAS3_KINDS:
        for suffix in (".keras", ".weights.h5", ".npz"):
            fmt = {".keras": "keras3_v3", ".weights.h5": "keras3_weights"}
            rows.append((f"{kind}_keras3{suffix}", kind, fmt.get(suffix, "keras3_npz")))
    payloads = {**meta["payload_files"], "payload_lambda.npz": "npz"}
    rows += [(name, "payload_lambda", fmt) for name, fmt in payloads.items()]
    rows += [(n, "all", "json") for n in ("saving_models.json", "layouts.json")]
    rows.append(("keras3_layouts.json", "all", "json"))
    manifest = {}
    for name, kind, fmt in rows:
        holds = _HOLDS["payload" if kind == "payload_lambda" else fmt]
        manifest[name] = {"kind": kind, "format": fmt, "holds": _HOLDS.get(name, holds)}
    return manifest


def generate(out_dir: Path) -> None:
    meta = {
        "versions": {
            "tensorflow": tf.__version__,
            "tf_keras": keras.__version__,
            "python": sys.version.split()[0],
        },
        "custom_object": {
            "class": "ScaleLayer",
            "package": "kengine_test",
            "registered_name": "kengine_test>ScaleLayer",
            "config": {"scale": 1.5},
            "weights": ["gain (shape (units,), initializer ones)"],
            "call": "inputs * gain * scale",
        },
        "steps_before": STEPS_BEFORE,
        "steps_after": STEPS_AFTER,
        "kinds": {},
    }
    layouts = {}
    for kind in KINDS:
        meta["kinds"][kind], layouts[kind] = generate_kind(kind, out_dir)
    meta["payload_files"] = payload_files(out_dir)
    meta["payload_tf_keras_default_behaviour"] = tf_keras_safe_mode(out_dir)
    layouts["payload_lambda"] = _layouts(
        out_dir, "payload_lambda", meta["payload_files"]
    )
    write_json(out_dir, "keras3_layouts.json", _run_keras3(out_dir))
    write_json(out_dir, "saving_models.json", meta)
    write_json(out_dir, "layouts.json", layouts)
    write_json(out_dir, "MANIFEST.json", _manifest(meta))
