"""Optimizer cases of the `library_extra` goldens (see `library_extra.py`).

The same quadratic loss, data and starting variables as the `optimizers` area
(`goldens.optimizers`), run for `STEPS` eager steps by tf_keras's `Ftrl`,
`Lion`, `Adafactor` and by the `optimizers.legacy` (OptimizerV2) classes with
their Keras 2.x arguments (`decay`, `lr`, ...). Per case: the variables after
the steps, every optimizer weight in order (`opt.variables` / legacy
`opt.weights`) with its name, and the serialized config. `legacy_h5` is a
tf_keras model trained with a legacy Adam and saved to h5, so the tests can
compare the `optimizer_weights` group kengine writes with tf_keras's.
"""

from pathlib import Path

import numpy as np
import tensorflow as tf
import tf_keras as keras

from goldens._common import range_like, write_json, write_npz
from goldens.optimizers import IDS, INIT, STEPS, X, Y, _loss, _variables

_SPARSE = {"sparse": True}
_EXP = {
    "class_name": "ExponentialDecay",
    "config": {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5},
}

# case id -> (module: "new" | "legacy", class name, kwargs, extras)
CASES = {
    "ftrl": ("new", "Ftrl", {"learning_rate": 0.1}, {}),
    "ftrl_regularized": (
        "new",
        "Ftrl",
        {
            "learning_rate": 0.1,
            "learning_rate_power": -0.3,
            "initial_accumulator_value": 0.2,
            "l1_regularization_strength": 0.01,
            "l2_regularization_strength": 0.02,
            "l2_shrinkage_regularization_strength": 0.01,
            "beta": 0.5,
        },
        {},
    ),
    "ftrl_sparse": ("new", "Ftrl", {"learning_rate": 0.1}, _SPARSE),
    "lion": ("new", "Lion", {"learning_rate": 0.01}, {}),
    "lion_sparse": ("new", "Lion", {"learning_rate": 0.01, "beta_1": 0.8}, _SPARSE),
    "adafactor": ("new", "Adafactor", {"learning_rate": 0.1}, _SPARSE),
    "adafactor_absolute_step_clipped": (
        "new",
        "Adafactor",
        {"learning_rate": 0.05, "relative_step": False, "clip_threshold": 0.5},
        {},
    ),
    "adafactor_schedule": ("new", "Adafactor", {"learning_rate": _EXP}, {}),
    "legacy_sgd": ("legacy", "SGD", {"learning_rate": 0.1}, _SPARSE),
    "legacy_sgd_momentum_nesterov_decay": (
        "legacy",
        "SGD",
        {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True, "decay": 0.1},
        {},
    ),
    "legacy_sgd_momentum_sparse": (
        "legacy",
        "SGD",
        {"learning_rate": 0.1, "momentum": 0.5},
        _SPARSE,
    ),
    "legacy_sgd_schedule": ("legacy", "SGD", {"learning_rate": _EXP}, {}),
    "legacy_rmsprop": ("legacy", "RMSprop", {"learning_rate": 0.01}, {}),
    "legacy_rmsprop_centered_sparse": (
        "legacy",
        "RMSprop",
        {"learning_rate": 0.01, "centered": True},
        _SPARSE,
    ),
    "legacy_rmsprop_momentum_centered": (
        "legacy",
        "RMSprop",
        {"learning_rate": 0.01, "momentum": 0.5, "centered": True},
        {},
    ),
    "legacy_rmsprop_momentum_sparse": (
        "legacy",
        "RMSprop",
        {"learning_rate": 0.01, "momentum": 0.5},
        _SPARSE,
    ),
    "legacy_adagrad_sparse": ("legacy", "Adagrad", {"learning_rate": 0.1}, _SPARSE),
    "legacy_adadelta_sparse": (
        "legacy",
        "Adadelta",
        {"learning_rate": 1.0, "rho": 0.9},
        _SPARSE,
    ),
    "legacy_adam_decay": ("legacy", "Adam", {"learning_rate": 0.05, "decay": 0.1}, {}),
    "legacy_adam_amsgrad_sparse": (
        "legacy",
        "Adam",
        {"learning_rate": 0.05, "amsgrad": True},
        _SPARSE,
    ),
    "legacy_adam_clipped": (
        "legacy",
        "Adam",
        {"learning_rate": 0.05, "clipvalue": 0.5, "clipnorm": 0.8},
        {},
    ),
    "legacy_adam_global_clipnorm": (
        "legacy",
        "Adam",
        {"learning_rate": 0.05, "global_clipnorm": 0.5},
        {},
    ),
    "legacy_adamax_sparse": ("legacy", "Adamax", {"learning_rate": 0.05}, _SPARSE),
    "legacy_nadam": ("legacy", "Nadam", {"learning_rate": 0.05}, {}),
    "legacy_nadam_sparse": (
        "legacy",
        "Nadam",
        {"learning_rate": 0.05, "schedule_decay": 0.01},
        _SPARSE,
    ),
    "legacy_ftrl": ("legacy", "Ftrl", {"learning_rate": 0.1, "beta": 0.5}, {}),
    "legacy_ftrl_shrinkage_sparse": (
        "legacy",
        "Ftrl",
        {
            "learning_rate": 0.1,
            "l1_regularization_strength": 0.01,
            "l2_shrinkage_regularization_strength": 0.02,
        },
        _SPARSE,
    ),
}

DEFAULTS = {
    "new": ("Ftrl", "Lion", "Adafactor"),
    "legacy": (
        "SGD",
        "RMSprop",
        "Adagrad",
        "Adadelta",
        "Adam",
        "Adamax",
        "Nadam",
        "Ftrl",
    ),
}


def _module(kind: str):
    return keras.optimizers if kind == "new" else keras.optimizers.legacy


def _make(kind: str, class_name: str, kwargs: dict):
    kwargs = dict(kwargs)
    if isinstance(kwargs.get("learning_rate"), dict):
        kwargs["learning_rate"] = keras.optimizers.schedules.deserialize(
            kwargs["learning_rate"]
        )
    return getattr(_module(kind), class_name)(**kwargs)


def _run_case(name: str, arrays: dict) -> dict:
    kind, class_name, kwargs, extras = CASES[name]
    variables = _variables(extras.get("sparse", False))
    opt = _make(kind, class_name, kwargs)
    for _ in range(STEPS):
        with tf.GradientTape() as tape:
            loss = _loss(variables)
        opt.apply_gradients(zip(tape.gradient(loss, variables), variables))
    weights = opt.variables if kind == "new" else opt.weights
    for i, v in enumerate(variables):
        arrays[f"{name}/var/{i}"] = v.numpy()
    for j, v in enumerate(weights):
        arrays[f"{name}/opt/{j}"] = v.numpy()
    return {
        "module": kind,
        "class_name": class_name,
        "kwargs": kwargs,
        "extras": extras,
        "variable_names": [v.name for v in variables],
        "optimizer_variable_names": [v.name for v in weights],
        "config": keras.optimizers.serialize(opt),
    }


def _legacy_h5(out_dir: Path) -> dict:
    """A Dense model trained 3 steps with a legacy Adam, saved by tf_keras."""
    keras.backend.clear_session()
    model = keras.Sequential(
        [
            keras.layers.Dense(3, activation="tanh", input_shape=(4,)),
            keras.layers.Dense(2),
        ]
    )
    weights = [
        range_like(tuple(w.shape), 0.5, offset=i) for i, w in enumerate(model.weights)
    ]
    model.set_weights(weights)
    opt = keras.optimizers.legacy.Adam(learning_rate=0.05, decay=0.01, amsgrad=True)
    model.compile(optimizer=opt, loss="mse")
    x, y = range_like((6, 4), 1.0), range_like((6, 2), 1.0, offset=3.0)
    history = model.fit(x, y, batch_size=6, epochs=3, shuffle=False, verbose=0)
    model.save(out_dir / "legacy_adam.h5")
    write_npz(
        out_dir,
        "legacy_adam_data.npz",
        x=x,
        y=y,
        **{f"w{i}": w for i, w in enumerate(weights)},
    )
    return {"loss": history.history["loss"]}


def generate(out_dir: Path) -> None:
    """Writes `optimizers.json`, `optimizers.npz` and the legacy h5 model."""
    arrays, cases = {}, {}
    for name in CASES:
        cases[name] = _run_case(name, arrays)
    defaults = {
        kind: {
            c: keras.optimizers.serialize(getattr(_module(kind), c)()) for c in names
        }
        for kind, names in DEFAULTS.items()
    }
    write_npz(out_dir, "optimizers.npz", **arrays)
    write_json(
        out_dir,
        "optimizers.json",
        {
            "steps": STEPS,
            "x": X.tolist(),
            "y": Y.tolist(),
            "ids": np.asarray(IDS).tolist(),
            "init": {k: np.asarray(v).tolist() for k, v in INIT.items()},
            "cases": cases,
            "defaults": defaults,
            "legacy_h5": _legacy_h5(out_dir),
        },
    )
