"""Replays the image golden cases (`testdata/preprocessing/images.*`).

Deterministic layers record one output; the seeded random layers record two
successive training outputs and the inference output, which kengine must
reproduce exactly: the same `tf.random.Generator` draws feed the same ops.
"""

import numpy as np

import kengine.layers as layers
from tests.goldens import load_json, load_npz
from tests.layers.preprocessing._replay import kwargs_of, plain, without_name

META = load_json("preprocessing", "images.json")
DATA = load_npz("preprocessing", "images.npz")
RTOL, ATOL = 1e-5, 1e-4


def cases(*class_names: str) -> list[str]:
    """The image case names whose layer is one of `class_names`."""
    return sorted(k for k, v in META.items() if v["class_name"] in class_names)


def make(case: str):
    """The kengine layer of a case and its input images."""
    meta = META[case]
    layer = getattr(layers, meta["class_name"])(**kwargs_of(meta))
    return layer, DATA[f"input/{meta['input']}"]


def check_config_rebuilds(case: str) -> None:
    """tf_keras's config deserializes into a layer with the same config."""
    meta = META[case]
    clone = layers.deserialize(
        {"class_name": meta["class_name"], "config": meta["config"]}
    )
    assert plain(clone.get_config()) == meta["config"]


def check_deterministic(case: str) -> None:
    """Output and config of a layer without randomness."""
    layer, x = make(case)
    y = layer(x)
    assert y.dtype.name == META[case]["dtype"]
    np.testing.assert_allclose(y.numpy(), DATA[f"{case}/y"], rtol=RTOL, atol=ATOL)
    assert without_name(layer.get_config()) == without_name(META[case]["config"])
    check_config_rebuilds(case)


def check_random(case: str) -> None:
    """Two seeded training calls, one inference call, and the config."""
    layer, x = make(case)
    for key in ("train1", "train2"):
        y = layer(x, training=True)
        np.testing.assert_allclose(
            y.numpy(), DATA[f"{case}/{key}"], rtol=RTOL, atol=ATOL
        )
    np.testing.assert_allclose(
        layer(x, training=False).numpy(), DATA[f"{case}/infer"], rtol=RTOL, atol=ATOL
    )
    assert without_name(layer.get_config()) == without_name(META[case]["config"])
    check_config_rebuilds(case)
