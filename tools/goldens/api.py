"""The public API of tf_keras, recorded so kengine can be checked against it.

`import kengine as keras` must work where `import tf_keras as keras` did. This
generator walks tf_keras's public modules and writes, into `testdata/api/`:

    tf_keras_api.json
        "version":  the tf_keras version recorded.
        "modules":  {"keras.layers": {"Dense": entry, ...}, ...} for every
                    public name (no leading underscore) of each module in
                    `MODULES`. An entry is {"kind": "class" | "function" |
                    "module" | "other"} plus, for classes and functions,
                    "params": the call signature (see `_params`).
        "classes":  {"Model": {"methods": {name: params}, "properties": [...]}}
                    for the base classes in `CLASSES`: every public method and
                    property, inherited ones included, as users see them.

A parameter is `[name, kind, has_default, default]`: `kind` is one of "pos"
(positional-only), "arg" (positional-or-keyword), "*args", "kw" (keyword-only)
or "**kwargs"; `default` is the default value when it is a JSON literal (None,
bool, number, string, or a list of those) and a "<TypeName>" string otherwise.
For classes the signature is `__init__`'s, without `self`.
"""

import inspect
import json
from pathlib import Path

import tf_keras as keras

MODULES = {
    "keras": keras,
    "keras.layers": keras.layers,
    "keras.losses": keras.losses,
    "keras.metrics": keras.metrics,
    "keras.optimizers": keras.optimizers,
    "keras.optimizers.schedules": keras.optimizers.schedules,
    "keras.callbacks": keras.callbacks,
    "keras.activations": keras.activations,
    "keras.initializers": keras.initializers,
    "keras.regularizers": keras.regularizers,
    "keras.constraints": keras.constraints,
    "keras.utils": keras.utils,
    "keras.backend": keras.backend,
    "keras.models": keras.models,
    "keras.saving": keras.saving,
    "keras.datasets": keras.datasets,
    "keras.datasets.mnist": keras.datasets.mnist,
    "keras.datasets.fashion_mnist": keras.datasets.fashion_mnist,
    "keras.datasets.cifar10": keras.datasets.cifar10,
    "keras.datasets.cifar100": keras.datasets.cifar100,
    "keras.datasets.imdb": keras.datasets.imdb,
    "keras.datasets.reuters": keras.datasets.reuters,
    "keras.datasets.boston_housing": keras.datasets.boston_housing,
    "keras.optimizers.legacy": keras.optimizers.legacy,
    "keras.preprocessing": keras.preprocessing,
    "keras.preprocessing.sequence": keras.preprocessing.sequence,
    "keras.preprocessing.text": keras.preprocessing.text,
    "keras.preprocessing.image": keras.preprocessing.image,
    "keras.layers.experimental.preprocessing": keras.layers.experimental.preprocessing,
    "keras.applications": keras.applications,
    **{
        f"keras.applications.{name}": getattr(keras.applications, name)
        for name in (
            "convnext densenet efficientnet efficientnet_v2 imagenet_utils "
            "inception_resnet_v2 inception_v3 mobilenet mobilenet_v2 mobilenet_v3 "
            "nasnet regnet resnet resnet50 resnet_v2 vgg16 vgg19 xception"
        ).split()
    },
}

CLASSES = {
    "Model": keras.Model,
    "Sequential": keras.Sequential,
    "Layer": keras.layers.Layer,
    "Metric": keras.metrics.Metric,
    "Loss": keras.losses.Loss,
    "Optimizer": keras.optimizers.Optimizer,
    "LearningRateSchedule": keras.optimizers.schedules.LearningRateSchedule,
    "Callback": keras.callbacks.Callback,
}

_KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: "pos",
    inspect.Parameter.POSITIONAL_OR_KEYWORD: "arg",
    inspect.Parameter.VAR_POSITIONAL: "*args",
    inspect.Parameter.KEYWORD_ONLY: "kw",
    inspect.Parameter.VAR_KEYWORD: "**kwargs",
}


def _literal(value):
    """`value` if JSON can hold it exactly, else "<TypeName>" (no memory addresses)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple) and all(
        v is None or isinstance(v, bool | int | float | str) for v in value
    ):
        return list(value)
    return f"<{type(value).__name__}>"


def _params(obj, drop_self: bool = False):
    """The signature of `obj` as a list of parameters, or None when it has none."""
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    out = []
    for p in sig.parameters.values():
        has_default = p.default is not inspect.Parameter.empty
        out.append(
            [
                p.name,
                _KINDS[p.kind],
                has_default,
                _literal(p.default) if has_default else None,
            ]
        )
    if drop_self and out and out[0][0] in ("self", "cls"):
        out = out[1:]
    return out


def _init_params(cls):
    """The constructor's parameters: `__init__`'s, without `self`.

    Not `inspect.signature(cls)`: for classes that define `__new__(*args,
    **kwargs)` (Model, Metric) it reports `__new__`. A class without a Python
    `__init__` takes no arguments.
    """
    if inspect.isfunction(cls.__init__):
        return _params(cls.__init__, drop_self=True)
    return _params(cls)


def _entry(value) -> dict:
    if inspect.ismodule(value):
        return {"kind": "module"}
    if inspect.isclass(value):
        return {"kind": "class", "params": _init_params(value)}
    if callable(value):
        return {"kind": "function", "params": _params(value)}
    return {"kind": "other", "type": type(value).__name__}


def _module_api(module) -> dict:
    return {
        name: _entry(getattr(module, name))
        for name in sorted(dir(module))
        if not name.startswith("_")
    }


def _class_api(cls) -> dict:
    """Public methods (with signatures) and properties of `cls`, inherited included."""
    methods, properties = {}, []
    for name in sorted(dir(cls)):
        if name.startswith("_"):
            continue
        raw = inspect.getattr_static(cls, name)
        if isinstance(raw, property) or type(raw).__name__ == "getset_descriptor":
            properties.append(name)
        elif isinstance(raw, staticmethod):
            methods[name] = _params(raw.__func__)
        elif isinstance(raw, classmethod):
            methods[name] = _params(raw.__func__, drop_self=True)
        elif callable(raw):
            methods[name] = _params(raw, drop_self=True)
        else:
            # Class attributes and TF's cached-property descriptors read as values.
            properties.append(name)
    return {"methods": methods, "properties": properties}


def _dumps(value, indent: str = "") -> str:
    """JSON with one line per symbol or method, so diffs between versions read well."""
    if not isinstance(value, dict) or "kind" in value:
        return json.dumps(value, sort_keys=True)
    inner = indent + " "
    items = [
        f"{inner}{json.dumps(k)}: {_dumps(v, inner)}" for k, v in sorted(value.items())
    ]
    return "{\n" + ",\n".join(items) + "\n" + indent + "}"


def generate(out_dir: Path) -> None:
    api = {
        "version": keras.__version__,
        "modules": {name: _module_api(mod) for name, mod in MODULES.items()},
        "classes": {name: _class_api(cls) for name, cls in CLASSES.items()},
    }
    (out_dir / "tf_keras_api.json").write_text(_dumps(api) + "\n")
