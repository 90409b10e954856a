"""`use_as_keras()`: make `tf.keras`, `keras` and `tf_keras` resolve to kengine.

Most tf.keras 2 code never writes `import kengine`: it spells Keras as attribute
chains on `tf.keras` (its `layers.Dense`), `from tensorflow import keras`,
`from tensorflow.keras.layers import Dense`, `import keras` or
`import tf_keras as keras`. Under TensorFlow 2.16+ those names reach Keras 3 (or
tf_keras with `TF_USE_LEGACY_KERAS=1`). `use_as_keras()` reroutes all of them to
kengine for the current process only; `python -m kengine.run` calls it before
running a script. Nothing happens on `import kengine`: the switch is explicit.

How, in three pieces:

- A finder at the front of `sys.meta_path` answers every module name under the
  roots `tensorflow.keras`, `tf_keras` and `keras`. `kengine_module_for` maps a
  Keras path to kengine's module of the same path (`keras.layers` ->
  `kengine.layers`, `keras.utils.np_utils` -> `kengine.utils.np_utils`), after
  `RENAMED` has translated the Keras 2 paths kengine spells differently
  (`keras.optimizers.optimizer_v2` -> `kengine.optimizers.legacy`). Keras modules
  imported before the switch (TensorFlow imports part of Keras 3 at start-up) are
  dropped from `sys.modules`, so the next import meets the finder.
- Each Keras name becomes a `KerasAlias` module that forwards attribute reads and
  writes to its kengine module. A name kengine lacks raises `KengineGapError`
  (an `AttributeError`), or `KengineGapImportError` from an import statement,
  naming the Keras path, the kengine module and the attribute.
- `tf.keras` and TensorFlow's other Keras shortcuts (`tf.losses`,
  `tf.optimizers`, `tf.compat.v2.keras`, ...) are TensorFlow lazy loaders on the
  TensorFlow module objects. They are replaced by the aliases in this process;
  no installed file is touched. The TF1 shortcuts (`tf.compat.v1.keras`) stay.

There is no Keras 2 counterpart: tf_keras reaches users through TensorFlow's
lazy loader (`tensorflow/python/util/lazy_loader.py`), which this module bypasses.
"""

import importlib
import importlib.abc
import importlib.util
import pkgutil
import sys
import types
from functools import cache
from pathlib import Path

import tensorflow  # noqa: F401  (its start-up must run before the loaders are replaced)

__all__ = [
    "KengineGapError",
    "KengineGapImportError",
    "KerasAlias",
    "gap_message",
    "is_active",
    "kengine_module_for",
    "kengine_modules",
    "use_as_keras",
]

# The module names that mean "Keras"; longest first, so `tensorflow.keras` wins.
KERAS_ROOTS = ("tensorflow.keras", "tf_keras", "keras")

# Keras 2 module paths whose kengine module has another name, as path prefixes
# below a root: `keras.layers.merge.Add` is `kengine.layers.merging.Add`.
RENAMED = {
    "backend.experimental": "backend",
    "callbacks.experimental": "callbacks",
    "layers.advanced_activations": "layers.activation",
    "layers.dense_attention": "layers.attention",
    "layers.merge": "layers.merging",
    "layers.noise": "layers.regularization",
    "metrics.experimental": "metrics",
    "models.experimental": "models",
    "optimizers.experimental": "optimizers",
    "optimizers.optimizer_experimental": "optimizers",
    "optimizers.optimizer_v2": "optimizers.legacy",
    "utils.all_utils": "utils",
    "utils.experimental": "utils",
    "utils.generic_utils": "utils",
    "utils.legacy": "utils",
}

# kengine's own entry points have no Keras counterpart to stand in for.
KENGINE_ONLY = frozenset({"kengine.demo", "kengine.keras_alias", "kengine.run"})


class KengineGapError(AttributeError):
    """A Keras attribute that kengine does not have, read through the switch."""


class KengineGapImportError(ImportError):
    """A Keras module (or `from ... import` name) that kengine does not have."""


@cache
def kengine_modules() -> frozenset:
    """Every module name of the kengine package, read from its files (no import)."""
    names = {"kengine"}
    pending = [(Path(__file__).resolve().parent, "kengine.")]
    while pending:
        folder, prefix = pending.pop()
        for info in pkgutil.iter_modules([str(folder)]):
            names.add(prefix + info.name)
            if info.ispkg:
                pending.append((folder / info.name, f"{prefix}{info.name}."))
    return frozenset(names - KENGINE_ONLY)


def keras_root(name: str) -> str | None:
    """The Keras root `name` sits under (`"keras"` for `keras.layers`), or None."""
    for root in KERAS_ROOTS:
        if name == root or name.startswith(root + "."):
            return root
    return None


def _renamed(path: str) -> str:
    """`path` below a Keras root, with `RENAMED` prefixes translated."""
    # Keras 2.13+ and tf_keras keep their sources under `keras.src`: the same
    # tree as kengine's, so `keras.src.engine.training` is `engine.training`.
    if path == "src" or path.startswith("src."):
        path = path[len("src.") :]
    for keras_path in sorted(RENAMED, key=len, reverse=True):
        if path == keras_path or path.startswith(keras_path + "."):
            return RENAMED[keras_path] + path[len(keras_path) :]
    return path


@cache
def kengine_module_for(name: str) -> str | None:
    """The kengine module a Keras module name stands for, or None.

    Args:
        name: a dotted module name such as `"tensorflow.keras.layers"`.

    Returns:
        The kengine module's dotted name, or None when `name` is not under a
        Keras root or kengine has no such module.

    >>> kengine_module_for("tensorflow.keras.layers")
    'kengine.layers'
    >>> kengine_module_for("keras.optimizers.optimizer_v2.adam")
    'kengine.optimizers.legacy.adam'
    >>> kengine_module_for("keras.wrappers") is None
    True
    """
    root = keras_root(name)
    if root is None:
        return None
    path = _renamed(name[len(root) + 1 :])
    candidate = ".".join(part for part in ("kengine", *path.split(".")) if part)
    return candidate if candidate in kengine_modules() else None


def gap_message(keras_module: str, attribute: str, kengine_module: str) -> str:
    """The error text for `keras_module.attribute`, which kengine lacks."""
    return (
        f"{keras_module}.{attribute} is a kengine gap: kengine.use_as_keras() "
        f"routes {keras_module} to {kengine_module}, which has no {attribute!r}. "
        "Run the program without the switch to use the installed Keras."
    )


def _import_gap_message(name: str) -> str:
    """The error text for importing `name`, a Keras module kengine lacks."""
    parts = name.split(".")
    for end in range(len(parts) - 1, 0, -1):
        parent = ".".join(parts[:end])
        target = kengine_module_for(parent)
        if target is not None:
            return gap_message(parent, parts[end], target)
    return f"{name} is a kengine gap: kengine has no module for it."


class KerasAlias(types.ModuleType):
    """A Keras module name that stands for a kengine module.

    Reads and writes of public attributes go to the kengine module, so
    `Dense` reached through `tf.keras` is `kengine.layers.Dense`. Submodules come back as
    aliases too, so a missing name deep in a chain still says it is a kengine
    gap. Module bookkeeping (`__spec__`, `__path__`, child aliases) stays on the
    alias, where the import system puts it.

    Args:
        name: the Keras module name (`"tensorflow.keras.layers"`).
        target: the kengine module it stands for.
    """

    def __init__(self, name: str, target: types.ModuleType):
        super().__init__(name, target.__doc__)
        self._kengine_target = target

    def __getattr__(self, attribute: str):
        target = self.__dict__["_kengine_target"]
        if attribute == "__all__":
            return getattr(target, "__all__", None) or [
                n for n in dir(target) if not n.startswith("_")
            ]
        dunder = attribute.startswith("__")
        child = f"{self.__name__}.{attribute}"
        if not dunder and kengine_module_for(child) is not None:
            return importlib.import_module(child)
        if not dunder or attribute == "__version__":
            try:
                return getattr(target, attribute)
            except AttributeError:
                pass
        if dunder:
            raise AttributeError(f"module {self.__name__!r} has no {attribute!r}")
        raise KengineGapError(gap_message(self.__name__, attribute, target.__name__))

    def _is_local(self, attribute: str, value=None) -> bool:
        # The import system stores dunders and child modules on the module
        # object; those belong to the alias, everything else to kengine.
        return attribute.startswith(("__", "_kengine")) or isinstance(
            value, types.ModuleType
        )

    def __setattr__(self, attribute: str, value) -> None:
        if self._is_local(attribute, value):
            super().__setattr__(attribute, value)
        else:
            setattr(self._kengine_target, attribute, value)

    def __delattr__(self, attribute: str) -> None:
        if self._is_local(attribute) or attribute in self.__dict__:
            super().__delattr__(attribute)
        else:
            delattr(self._kengine_target, attribute)

    def __dir__(self) -> list:
        return sorted(set(dir(self._kengine_target)) | set(self.__dict__))

    def __repr__(self) -> str:
        return f"<module {self.__name__!r} -> {self._kengine_target.__name__}>"


class _KerasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers imports under the Keras roots with `KerasAlias` modules."""

    def find_spec(self, fullname, path=None, target=None):
        if keras_root(fullname) is None:
            return None
        if kengine_module_for(fullname) is None:
            # An ImportError (not ModuleNotFoundError): `from a import b` would
            # swallow the latter and replace this message with a vaguer one.
            raise KengineGapImportError(_import_gap_message(fullname), name=fullname)
        return importlib.util.spec_from_loader(fullname, self, is_package=True)

    def create_module(self, spec):
        target = importlib.import_module(kengine_module_for(spec.name))
        return KerasAlias(spec.name, target)

    def exec_module(self, module) -> None:
        """Nothing to run: the kengine module was imported in `create_module`."""


_FINDER = _KerasFinder()


def is_active() -> bool:
    """Whether `use_as_keras()` has been called in this process."""
    return _FINDER in sys.meta_path


def _forget_imported_keras() -> None:
    """Drops Keras modules imported before the switch from `sys.modules`."""
    for name in [n for n in sys.modules if keras_root(n) is not None]:
        del sys.modules[name]


def _tensorflow_keras_loaders():
    """(module, attribute, Keras submodule) for TF's TF2 lazy Keras loaders."""
    for name, module in list(sys.modules.items()):
        if name != "tensorflow" and not name.startswith("tensorflow."):
            continue
        for attribute, value in list(getattr(module, "__dict__", {}).items()):
            if type(value).__name__ != "KerasLazyLoader":
                continue
            settings = vars(value)  # Reading the loader's own dict does not load it.
            submodule = settings.get("_tfll_submodule") or ""
            if settings.get("_tfll_mode") == "v1" or submodule.startswith("__"):
                continue
            yield module, attribute, submodule


def use_as_keras() -> None:
    """Makes `tf.keras`, `keras` and `tf_keras` resolve to kengine in this process.

    Call it before the program's own imports. It is idempotent and cannot be
    undone: modules that already hold a Keras object keep it.

    Example (not run here, since it would switch the test process):

        import kengine
        kengine.use_as_keras()
        import tensorflow as tf
        keras = tf.keras  # now kengine
        model = keras.Sequential([keras.layers.Dense(1)])
    """
    if is_active():
        return
    _forget_imported_keras()
    sys.meta_path.insert(0, _FINDER)
    for module, attribute, submodule in _tensorflow_keras_loaders():
        alias = "tensorflow.keras" + (f".{submodule}" if submodule else "")
        setattr(module, attribute, importlib.import_module(alias))
