"""Goldens for `kengine.applications`: structures, seeded weights, transfer learning.

Writes into `testdata/applications/`:
- `structure.json`: for each case (a constructor and its arguments), the layer
  names and classes, weight names and shapes in order, parameter counts and,
  for the cases tests build every run, the `summary()` text.
- `mobilenet_2_5_224_tf_no_top.h5` (MobileNet alpha 0.25, headless), written by
  tf_keras's `save_weights` with deterministic values under the ImageNet file
  name, so tests can put it in a cache directory and load it through
  `weights="imagenet"` or a path; `predictions.npz`: the model's output on a
  fixed batch (the images are stored as uint8, before `preprocess_input`).
- `transfer.npz`: the Keras guide's transfer learning (frozen base called with
  `training=False`, new head, `fit`, then the top layers unfrozen, recompiled
  and `fit` again) on MobileNet alpha 0.25 at 32x32.
- `preprocess.npz`, `class_index.json`, `decode.json`: `preprocess_input` in
  every mode and data format, and `decode_predictions` on a local class index.
"""

import contextlib
import io
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from goldens._common import range_like, write_json, write_npz

# (key, module, constructor, kwargs, full): `full` cases also record summary().
CASES = (
    [
        ("vgg16", "vgg16", "VGG16", {"input_shape": [32, 32, 3], "classes": 10}, True),
        (
            "vgg19",
            "vgg19",
            "VGG19",
            {"include_top": False, "input_shape": [32, 32, 3], "pooling": "max"},
            True,
        ),
        (
            "resnet50",
            "resnet",
            "ResNet50",
            {"input_shape": [32, 32, 3], "classes": 10},
            True,
        ),
        (
            "resnet101",
            "resnet",
            "ResNet101",
            {"include_top": False, "input_shape": [32, 32, 3]},
            False,
        ),
        (
            "resnet152",
            "resnet",
            "ResNet152",
            {"include_top": False, "input_shape": [32, 32, 3]},
            False,
        ),
        (
            "resnet50v2",
            "resnet_v2",
            "ResNet50V2",
            {"input_shape": [32, 32, 3], "classes": 10},
            True,
        ),
        (
            "resnet101v2",
            "resnet_v2",
            "ResNet101V2",
            {"include_top": False, "input_shape": [32, 32, 3]},
            False,
        ),
        (
            "resnet152v2",
            "resnet_v2",
            "ResNet152V2",
            {"include_top": False, "input_shape": [32, 32, 3]},
            False,
        ),
        (
            "mobilenet",
            "mobilenet",
            "MobileNet",
            {"input_shape": [32, 32, 3], "alpha": 0.25, "classes": 10},
            True,
        ),
        (
            "mobilenetv2",
            "mobilenet_v2",
            "MobileNetV2",
            {"input_shape": [32, 32, 3], "alpha": 0.35, "classes": 10},
            True,
        ),
        (
            "mobilenetv2_1",
            "mobilenet_v2",
            "MobileNetV2",
            {"input_shape": [32, 32, 3], "include_top": False, "pooling": "avg"},
            True,
        ),
        (
            "densenet121",
            "densenet",
            "DenseNet121",
            {"input_shape": [32, 32, 3], "classes": 10},
            True,
        ),
        (
            "densenet169",
            "densenet",
            "DenseNet169",
            {"include_top": False, "input_shape": [32, 32, 3]},
            False,
        ),
        (
            "densenet201",
            "densenet",
            "DenseNet201",
            {"include_top": False, "input_shape": [32, 32, 3]},
            False,
        ),
        (
            "efficientnetb0",
            "efficientnet",
            "EfficientNetB0",
            {"input_shape": [32, 32, 3], "classes": 10},
            True,
        ),
    ]
    + [
        (
            f"efficientnetb{i}",
            "efficientnet",
            f"EfficientNetB{i}",
            {"include_top": False, "input_shape": [32, 32, 3]},
            False,
        )
        for i in range(1, 8)
    ]
    + [
        (
            "inception_v3",
            "inception_v3",
            "InceptionV3",
            {"input_shape": [75, 75, 3], "classes": 10},
            True,
        ),
        (
            "xception",
            "xception",
            "Xception",
            {"input_shape": [71, 71, 3], "classes": 10},
            True,
        ),
        (
            "mobilenetv3small",
            "mobilenet_v3",
            "MobileNetV3Small",
            {"input_shape": [32, 32, 3], "alpha": 0.75, "classes": 10},
            True,
        ),
        (
            "mobilenetv3large",
            "mobilenet_v3",
            "MobileNetV3Large",
            {
                "input_shape": [32, 32, 3],
                "minimalistic": True,
                "include_top": False,
                "pooling": "avg",
            },
            True,
        ),
        (
            "convnext_tiny",
            "convnext",
            "ConvNeXtTiny",
            {"input_shape": [32, 32, 3], "classes": 10},
            True,
        ),
        (
            "efficientnetv2b0",
            "efficientnet_v2",
            "EfficientNetV2B0",
            {"input_shape": [32, 32, 3], "classes": 10},
            True,
        ),
        (
            "efficientnetv2s",
            "efficientnet_v2",
            "EfficientNetV2S",
            {"include_top": False, "input_shape": [32, 32, 3]},
            False,
        ),
        (
            "regnetx002",
            "regnet",
            "RegNetX002",
            {"include_top": False, "input_shape": [32, 32, 3], "pooling": "avg"},
            True,
        ),
        (
            "regnety002",
            "regnet",
            "RegNetY002",
            {"input_shape": [32, 32, 3], "classes": 10},
            True,
        ),
        (
            "nasnetmobile",
            "nasnet",
            "NASNetMobile",
            {"input_shape": [32, 32, 3], "classes": 10},
            True,
        ),
        (
            "nasnetlarge",
            "nasnet",
            "NASNetLarge",
            {"input_shape": [32, 32, 3], "include_top": False},
            False,
        ),
        (
            "inception_resnet_v2",
            "inception_resnet_v2",
            "InceptionResNetV2",
            {"input_shape": [75, 75, 3], "classes": 10},
            True,
        ),
    ]
)

MOBILENET_FILE = "mobilenet_2_5_224_tf_no_top.h5"


def _describe(model, full: bool) -> dict:
    record = {
        "name": model.name,
        "layers": [[layer.name, type(layer).__name__] for layer in model.layers],
        "weights": [[w.name, list(w.shape)] for w in model.weights],
        "params": int(model.count_params()),
        "trainable": int(sum(np.prod(w.shape) for w in model.trainable_weights)),
    }
    if full:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            model.summary()
        record["summary"] = buf.getvalue()
    return record


def _structures(keras) -> dict:
    out = {}
    for key, module, ctor, kwargs, full in CASES:
        keras.backend.clear_session()
        # tf_keras exports MobileNetV3 only from the package, not its module.
        build = getattr(getattr(keras.applications, module), ctor, None)
        build = build or getattr(keras.applications, ctor)
        args = {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}
        model = build(weights=None, **args)
        out[key] = {"module": module, "ctor": ctor, "kwargs": kwargs, "full": full}
        out[key].update(_describe(model, full))
        print(f"  {key}: {len(model.layers)} layers")
    return out


def seeded_values(model) -> list:
    """Deterministic weights a network stays finite with (positive variances)."""
    values = []
    for i, w in enumerate(model.weights):
        shape = tuple(w.shape)
        base = range_like(shape, 1.0, offset=i)
        name = w.name.split("/")[-1]
        if "moving_variance" in name:
            values.append(1.0 + 0.5 * np.abs(base))
        elif "gamma" in name:
            values.append(1.0 + 0.1 * base)
        elif "beta" in name or "moving_mean" in name or "bias" in name:
            values.append(0.1 * base)
        else:
            fan_in = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
            values.append((base / np.sqrt(max(fan_in, 1))).astype(np.float32))
    model.set_weights(values)
    return values


def _images(n: int, size: int, seed: int) -> np.ndarray:
    return (
        np.random.default_rng(seed)
        .integers(0, 256, (n, size, size, 3))
        .astype(np.uint8)
    )


def _seeded_files(keras, out_dir: Path) -> dict:
    apps = keras.applications
    keras.backend.clear_session()
    mobilenet = apps.mobilenet.MobileNet(
        input_shape=(32, 32, 3), alpha=0.25, include_top=False, weights=None
    )
    seeded_values(mobilenet)
    mobilenet.save_weights(str(out_dir / MOBILENET_FILE))
    images = _images(2, 32, 1)
    x = apps.mobilenet.preprocess_input(images.astype(np.float32))
    return {"mobilenet_images": images, "mobilenet_y": mobilenet.predict(x, verbose=0)}


def transfer_learning(keras, apps) -> dict:
    """The Keras guide's two phases on MobileNet alpha 0.25; the numbers to compare.

    `apps` is the applications package; the ImageNet file must be cached.
    """
    base = apps.MobileNet(
        weights="imagenet", include_top=False, alpha=0.25, input_shape=(32, 32, 3)
    )
    base.trainable = False
    inputs = keras.Input(shape=(32, 32, 3))
    x = base(inputs, training=False)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dropout(0.0)(x)
    head = keras.layers.Dense(1)
    outputs = head(x)
    model = keras.Model(inputs, outputs)
    head.set_weights([range_like((256, 1), 0.1), np.zeros((1,), np.float32)])
    images = _images(16, 32, 3)
    x_train = apps.mobilenet.preprocess_input(images.astype(np.float32))
    y_train = (np.arange(16) % 2).reshape(16, 1).astype(np.float32)
    loss = keras.losses.BinaryCrossentropy(from_logits=True)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=loss)
    frozen = [len(model.trainable_weights), len(model.non_trainable_weights)]
    first = model.fit(
        x_train, y_train, batch_size=8, epochs=2, shuffle=False, verbose=0
    )
    bn_after_first = base.get_layer("conv1_bn").moving_mean.numpy()
    base.trainable = True
    for layer in base.layers[:-6]:
        layer.trainable = False
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss)
    tuned = [len(model.trainable_weights), len(model.non_trainable_weights)]
    second = model.fit(
        x_train, y_train, batch_size=8, epochs=2, shuffle=False, verbose=0
    )
    return {
        "images": images,
        "y": y_train,
        "counts": np.array([frozen, tuned]),
        "first_loss": np.array(first.history["loss"]),
        "second_loss": np.array(second.history["loss"]),
        "bn_moving_mean": bn_after_first,
        "bn_moving_mean_end": base.get_layer("conv_pw_13_bn").moving_mean.numpy(),
        "predictions": model.predict(x_train, verbose=0),
        "last_kernel": base.get_layer("conv_pw_13").kernel.numpy()[0, 0, :8],
    }


def _preprocess(keras) -> dict:
    import tensorflow as tf

    utils = keras.applications.imagenet_utils
    rng = np.random.default_rng(4)
    last4 = rng.uniform(0, 255, (2, 3, 4, 3)).astype(np.float32)
    first4 = np.transpose(last4, (0, 3, 1, 2)).copy()
    out = {"last4": last4, "first4": first4, "uint8": last4.astype(np.uint8)}
    for mode in ("caffe", "tf", "torch"):
        cases = {
            "last4": (last4, "channels_last"),
            "first4": (first4, "channels_first"),
            "last3": (last4[0], "channels_last"),
            "first3": (first4[0], "channels_first"),
        }
        for key, (x, fmt) in cases.items():
            out[f"{mode}_{key}"] = utils.preprocess_input(x.copy(), fmt, mode)
            out[f"{mode}_{key}_tensor"] = utils.preprocess_input(
                tf.constant(x), fmt, mode
            ).numpy()
        out[f"{mode}_uint8"] = utils.preprocess_input(
            last4.astype(np.uint8), "channels_last", mode
        )
    return out


def _decode(keras, out_dir: Path) -> None:
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    (out_dir / "class_index.json").write_text(json.dumps(index))
    # The public `applications.imagenet_utils` is a re-export; the cached index
    # lives in the module that defines `decode_predictions`.
    from tf_keras.src.applications import imagenet_utils as utils

    utils.CLASS_INDEX = index  # The real file needs the network.
    preds = range_like((2, 1000), 1.0)
    decoded = {
        "top5": utils.decode_predictions(preds),
        "top3": keras.applications.resnet.decode_predictions(preds, top=3),
    }
    decoded = {  # (wordnet id, label, score) tuples as JSON lists of floats.
        k: [[[a, b, float(score)] for a, b, score in row] for row in rows]
        for k, rows in decoded.items()
    }
    utils.CLASS_INDEX = None
    write_json(out_dir, "decode.json", decoded)


def generate(out_dir: Path) -> None:
    import tf_keras as keras

    # Compact (no indent): the summaries alone are over a megabyte.
    (out_dir / "structure.json").write_text(
        json.dumps(_structures(keras), sort_keys=True)
    )
    predictions = _seeded_files(keras, out_dir)
    write_npz(out_dir, "predictions.npz", **predictions)
    home = tempfile.mkdtemp()
    old_home = os.environ.get("HOME")
    try:
        os.makedirs(os.path.join(home, ".keras", "models"))
        shutil.copy(out_dir / MOBILENET_FILE, os.path.join(home, ".keras", "models"))
        os.environ["HOME"] = home  # get_file's cache is ~/.keras.
        keras.backend.clear_session()
        keras.utils.set_random_seed(0)
        write_npz(
            out_dir, "transfer.npz", **transfer_learning(keras, keras.applications)
        )
    finally:
        if old_home is not None:
            os.environ["HOME"] = old_home
        shutil.rmtree(home)
    write_npz(out_dir, "preprocess.npz", **_preprocess(keras))
    _decode(keras, out_dir)
