"""Turning Keras objects into plain configs and back, without running foreign code.

Mirrors Keras 2's `saving/serialization_lib.py`, `saving/legacy/serialization.py` and
`saving/object_registration.py`: `serialize_keras_object` writes the dict tf_keras
writes (`module`, `class_name`, `config`, `registered_name`), and
`deserialize_keras_object` reads it back (and the older `{class_name, config}` form).

Deserialization only ever instantiates classes it can find by name: kengine's own
(passed in as `module_objects` by each `get`/`deserialize`, built from classes,
never from a module's namespace), those registered with
`register_keras_serializable`, and those the caller passes as `custom_objects` or
inside a `custom_object_scope`. Nothing is imported from the module named in the
config, so loading a file never runs code it carries. A `registered_name` that
names another class than `class_name` is refused (Keras 2 writes the class's own
name or `"<package>>ClassName"`), so a layer cannot say `Dense` and be built as
something else. A failure inside a class's `from_config` that means the config is
wrong (a missing key, an impossible size) is reported as a `ValueError` naming the
class.

Safe mode (on by default, Keras 3's fix for a Keras 2 wart) additionally refuses
Python bytecode in `Lambda` configs. The outermost `deserialize_keras_object`
decides it once, from an enclosing `SafeModeScope` or its `safe_mode` argument,
and passes it down as an argument (`from_config(..., safe_mode=...)`); nested
loads cannot go below it, and scopes left open by code run during the load are
closed when it ends. `SafeModeScope(False)` turns it off for trusted files.

>>> @register_keras_serializable(package="demo")
... class Scale:
...     def __init__(self, k=2.0):
...         self.k = k
...     def get_config(self):
...         return {"k": self.k}
>>> cfg = serialize_keras_object(Scale(3.0))
>>> cfg["registered_name"], cfg["config"]
('demo>Scale', {'k': 3.0})
>>> deserialize_keras_object(cfg).k
3.0
"""

import inspect
import threading
import types
from collections.abc import Callable

import tensorflow as tf

from kengine.utils import object_registry

__all__ = [
    "register_keras_serializable",
    "get_registered_name",
    "get_registered_object",
    "get_custom_objects",
    "custom_object_scope",
    "CustomObjectScope",
    "serialize_keras_object",
    "deserialize_keras_object",
    "SafeModeScope",
    "in_safe_mode",
    "deserialize_builtin",
    "get_builtin",
]

_GLOBAL_CUSTOM_OBJECTS: dict = {}
_GLOBAL_CUSTOM_NAMES: dict = {}
_LOCAL = threading.local()


def _scoped_objects() -> list:
    if not hasattr(_LOCAL, "scopes"):
        _LOCAL.scopes = []
    return _LOCAL.scopes


def register_keras_serializable(package: str = "Custom", name: str | None = None):
    """Decorator that makes a class or function loadable by name.

    Args:
        package: prefix of the registered name, `"<package>><name>"`.
        name: the object's name; defaults to its `__name__`.

    Returns:
        The decorator, which returns its argument unchanged.

    Raises:
        ValueError: if the name is already registered, or a class has no
            `get_config`.
    """

    def decorator(obj):
        registered = f"{package}>{name or obj.__name__}"
        if inspect.isclass(obj) and not hasattr(obj, "get_config"):
            raise ValueError(
                f"Cannot register {obj.__name__}: a serializable class must define "
                "`get_config()`."
            )
        if registered in _GLOBAL_CUSTOM_OBJECTS:
            raise ValueError(
                f"{registered} has already been registered to "
                f"{_GLOBAL_CUSTOM_OBJECTS[registered]}"
            )
        _GLOBAL_CUSTOM_OBJECTS[registered] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = registered
        return obj

    return decorator


def get_registered_name(obj) -> str:
    """Returns the name `obj` was registered under, or its `__name__`."""
    return _GLOBAL_CUSTOM_NAMES.get(obj, getattr(obj, "__name__", type(obj).__name__))


def get_custom_objects() -> dict:
    """The global dict of custom objects; mutate it to register by plain name."""
    return _GLOBAL_CUSTOM_OBJECTS


class CustomObjectScope:
    """Context manager making `custom_objects` visible to deserialization.

    Args:
        *objects: dicts mapping names to classes or functions.
    """

    def __init__(self, *objects: dict | None):
        self.custom_objects: dict = {}
        for objs in objects:
            self.custom_objects.update(objs or {})

    def __enter__(self):
        _scoped_objects().append(self.custom_objects)
        return self

    def __exit__(self, *exc):
        _scoped_objects().pop()


custom_object_scope = CustomObjectScope


class SafeModeScope:
    """Context manager choosing the safe mode of the loads that start inside it.

    A load decides its safe mode once, when it starts (from this scope, else from
    its `safe_mode` argument), and hands it down to every nested `from_config`.
    Code run while a load is in progress can make a nested load stricter but
    never lift the mode the load started with, and whatever scopes that code
    leaves open are closed when the load ends: a file cannot switch safe mode
    off for itself or for later loads.

    Args:
        safe_mode: True (or None) refuses `Lambda` bytecode; False allows it for
            trusted files.
    """

    def __init__(self, safe_mode: bool | None = True):
        self.safe_mode = safe_mode is not False

    def __enter__(self):
        _safe_mode_stack().append(self.safe_mode)
        return self

    def __exit__(self, *exc):
        stack = _safe_mode_stack()
        if stack:  # a load that ended inside this scope already restored the stack
            stack.pop()


def _safe_mode_stack() -> list:
    if not hasattr(_LOCAL, "safe_modes"):
        _LOCAL.safe_modes = []
    return _LOCAL.safe_modes


def _effective_safe_mode(requested: bool | None) -> bool:
    """The mode a load asking for `requested` runs in (see `SafeModeScope`).

    Only an explicit False lifts safe mode: None, a default left unset, is safe.
    """
    stack = _safe_mode_stack()
    if stack:
        requested = stack[-1]
    floor = getattr(_LOCAL, "load_safe_mode", None)
    # Inside a load, the outer load's choice is a floor nothing can go below.
    return requested is not False or bool(floor)


def in_safe_mode() -> bool:
    """Whether deserialization here and now refuses Python bytecode (default: True)."""
    return _effective_safe_mode(True)


def get_registered_object(
    name: str, custom_objects: dict | None = None, module_objects: dict | None = None
):
    """Looks `name` up in scopes, `custom_objects`, the registry, then `module_objects`.

    Returns:
        The class or function, or None when nothing has that name.
    """
    for scope in reversed(_scoped_objects()):
        if name in scope:
            return scope[name]
    for table in (custom_objects, _GLOBAL_CUSTOM_OBJECTS, module_objects):
        if table and name in table:
            return table[name]
    return None


def _public_module(cls) -> str | None:
    """The `module` tf_keras writes: `keras.layers` for public Keras classes.

    A class may set `_serialized_module` (tf_keras writes private paths for classes
    it does not export, such as `Functional`); user classes get their own module,
    or None when defined in `__main__`, as tf_keras writes.
    """
    if "_serialized_module" in vars(cls):
        return cls._serialized_module
    module = cls.__module__
    if module == "__main__":
        return None
    if not module.startswith("kengine."):
        return module
    part = module.split(".")[1]
    return "keras." + {"engine": "layers", "backend": "backend"}.get(part, part)


def serialize_keras_object(obj):
    """Returns the JSON-compatible config of a Keras object (or its name).

    Args:
        obj: None, a string, a function or an object with `get_config()`.

    Returns:
        None, the string, the function's registered name, or a dict with keys
        `module`, `class_name`, `config`, `registered_name`.

    Raises:
        TypeError: if `obj` is none of the above.
    """
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        return get_registered_name(obj)
    if not hasattr(obj, "get_config"):
        raise TypeError(f"Cannot serialize {obj!r}: it has no `get_config()` method.")
    cls = type(obj)
    registered = _GLOBAL_CUSTOM_NAMES.get(cls)
    if registered is None and "_serialized_module" in vars(cls):
        registered = cls._serialized_registered_name
    elif registered is None and not cls.__module__.startswith("kengine."):
        registered = cls.__name__
    entry = {
        "module": _public_module(cls),
        "class_name": cls.__name__,
        "config": obj.get_config(),
        "registered_name": registered,
    }
    build_config = getattr(obj, "get_build_config", lambda: None)()
    if build_config:  # a built layer: tf_keras writes the shape it was built for
        entry["build_config"] = build_config
    return entry


def _unknown(kind: str, name: str) -> ValueError:
    return ValueError(
        f"Unknown {kind}: '{name}'. Please ensure you are using a "
        "`keras.utils.custom_object_scope` and that this object is included in "
        "the scope, or that it is registered with "
        "`keras.utils.register_keras_serializable`."
    )


def deserialize_keras_object(
    config,
    custom_objects: dict | None = None,
    safe_mode: bool = True,
    *,
    module_objects: dict | None = None,
    printable_module_name: str = "object",
    **kwargs,
):
    """Rebuilds an object from `serialize_keras_object`'s output (or a plain name).

    Args:
        config: a name string, or a dict with `class_name` and `config`.
        custom_objects: user objects by name.
        safe_mode: refuse Python bytecode (`Lambda`) unless False. An enclosing
            `SafeModeScope` takes precedence; inside a load already in progress
            the outer load's safe mode is a floor (see `SafeModeScope`).
        module_objects: kengine's own objects of that kind, by name.
        printable_module_name: what to call the object in errors (`"layer"`).
        **kwargs: none are understood; accepted in tf_keras's signature only to
            be refused by name.

    Returns:
        The object (or, for a function name, the function).

    Raises:
        ValueError: if the name is unknown, `class_name` and `registered_name`
            name different classes, or the config is malformed.
        TypeError: for an unknown keyword argument, or a config of the wrong type.
    """
    if kwargs:
        raise TypeError(
            f"deserialize_keras_object() got unexpected keyword arguments: {sorted(kwargs)}"
        )
    safe_mode = _effective_safe_mode(safe_mode)
    loader = _Loader(custom_objects, module_objects, printable_module_name, safe_mode)
    if getattr(_LOCAL, "load_safe_mode", None) is not None:
        return loader.load(config)
    # The outermost load: fix its safe mode, and undo whatever the code it runs
    # does to the scopes, so nothing in this file reaches a later load.
    saved = list(_safe_mode_stack())
    _LOCAL.load_safe_mode = safe_mode
    try:
        with SafeModeScope(safe_mode):
            return loader.load(config)
    finally:
        _LOCAL.safe_modes = saved
        _LOCAL.load_safe_mode = None


# Failures inside a `from_config` that mean "this config is not what the class
# expects" (a missing key, a size TensorFlow cannot allocate, nesting too deep),
# reported as the ValueError a bad config deserves rather than as an internal error.
CONFIG_ERRORS = (
    LookupError,
    AttributeError,
    ArithmeticError,
    RecursionError,
    MemoryError,
    NotImplementedError,
    tf.errors.OpError,
)


class _Loader:
    """One `deserialize_keras_object` call: finds the class, checks it, builds it."""

    def __init__(self, custom_objects, module_objects, kind: str, safe_mode: bool):
        self.custom_objects = custom_objects
        self.module_objects = module_objects
        self.kind = kind
        self.safe_mode = safe_mode

    def find(self, name: str):
        obj = get_registered_object(name, self.custom_objects, self.module_objects)
        if isinstance(obj, types.ModuleType):
            # A lookup table built from a module's namespace must never hand out
            # a submodule: its functions would become callable from a file.
            raise ValueError(
                f"Could not deserialize {self.kind} '{name}': it names a module, "
                "not a class or function."
            )
        return obj

    def load(self, config):
        if config is None:
            return None
        if isinstance(config, str):
            obj = self.find(config)
            if obj is None:
                raise _unknown(self.kind, config)
            return obj
        if not isinstance(config, dict) or "class_name" not in config:
            raise ValueError(
                f"Could not deserialize {self.kind}: expected a name or a dict with "
                f"keys 'class_name' and 'config'. Received: {config!r}"[:500]
            )
        cls = self.resolve(config)
        inner = config.get("config", {})
        if not inspect.isclass(cls):
            return cls
        if not isinstance(inner, dict):
            raise TypeError(
                f"Could not deserialize {self.kind} '{config['class_name']}': its "
                f"'config' must be a dict. Received: config={inner!r}"[:500]
            )
        try:
            return self.build(cls, inner)
        except CONFIG_ERRORS as err:
            raise ValueError(
                f"Could not deserialize {self.kind} '{config['class_name']}' from its "
                f"config: {type(err).__name__}: {err}"[:1000]
            ) from err

    def resolve(self, config: dict):
        """The class `config` names, refusing a `registered_name` naming another."""
        name, registered = config["class_name"], config.get("registered_name")
        if not isinstance(name, str) or not name:
            raise TypeError(
                f"Could not deserialize {self.kind}: 'class_name' must be a non-empty "
                f"string. Received: class_name={name!r}"[:500]
            )
        if registered is not None and not isinstance(registered, str):
            raise TypeError(
                f"Could not deserialize {self.kind} '{name}': 'registered_name' must "
                f"be a string or None. Received: registered_name={registered!r}"[:500]
            )
        cls = self.find(registered) if registered else None
        if registered and not _names_agree(name, registered, cls):
            raise ValueError(
                f"Could not deserialize {self.kind}: its class_name '{name}' and its "
                f"registered_name '{registered}' name different classes. A config "
                "that claims one class and builds another is refused; if the file "
                f"is yours, pass the class as custom_objects={{'{registered}': ...}}."
            )
        cls = cls or self.find(name)
        if cls is None:
            raise _unknown(self.kind, name)
        return cls

    def build(self, cls, inner: dict):
        with CustomObjectScope(self.custom_objects or {}):
            from_config: Callable = getattr(cls, "from_config", None)
            if from_config is None:
                return cls(**inner)
            params = inspect.signature(from_config).parameters
            kwargs = {}
            if "custom_objects" in params:
                kwargs["custom_objects"] = self.custom_objects
            if "safe_mode" in params:
                kwargs["safe_mode"] = self.safe_mode
            return from_config(inner, **kwargs)


def deserialize_builtin(
    config,
    kind: str,
    custom_objects: dict | None = None,
    *,
    what: str,
    instantiate: bool = True,
    safe_mode: bool = True,
):
    """The `deserialize` of one family of built-ins (activations, losses, ...).

    Every family's `deserialize` is this lookup: kengine's own objects of that
    `kind` (registered in `utils.object_registry` where they are defined), then
    the user's, through `deserialize_keras_object`. A bare class name builds an
    instance with default arguments, as Keras 2's families do.

    Args:
        config: a name, or a dict with `class_name` and `config`.
        kind: the registry kind holding the family's built-ins (`"loss"`).
        custom_objects: user objects by name.
        what: how errors name the family (`"loss function"`).
        instantiate: whether a class found by name is instantiated.
        safe_mode: as for `deserialize_keras_object`.

    Returns:
        The object, function or (with `instantiate=False`) class.

    Raises:
        ValueError: if the name is unknown or the config malformed.
    """
    obj = deserialize_keras_object(
        config,
        custom_objects=custom_objects,
        safe_mode=safe_mode,
        module_objects=object_registry.builtin_objects(kind),
        printable_module_name=what,
    )
    return obj() if instantiate and inspect.isclass(obj) else obj


_NO_DEFAULT = object()


def get_builtin(
    identifier,
    deserialize: Callable,
    *,
    what: str,
    default=_NO_DEFAULT,
    names_are_classes: bool = False,
    instantiate_classes: bool = False,
    accepts: Callable = callable,
    error: type = ValueError,
    hint: str = "",
):
    """The `get` of one family: what a layer argument such as `activation=` may be.

    A name or a config dict is deserialized, an object the family accepts is
    returned as it is, None gives the family's default (or is refused when it
    has none), and anything else is refused.

    Args:
        identifier: None, a name, a config dict, or an object.
        deserialize: the family's `deserialize`.
        what: how the error names the family (`"initializer"`).
        default: what None gives; without it, None is refused.
        names_are_classes: a name is deserialized as `{"class_name": name,
            "config": {}}` (initializers, constraints, optimizers).
        instantiate_classes: a class passed in is instantiated with defaults.
        accepts: which objects are returned unchanged (default: callables).
        error: the exception class for an uninterpretable identifier.
        hint: a sentence appended to the error message.

    Returns:
        The object.

    Raises:
        ValueError (or `error`): if `identifier` cannot be interpreted.
    """
    if identifier is None and default is not _NO_DEFAULT:
        return default
    if isinstance(identifier, str) and names_are_classes:
        identifier = {"class_name": identifier, "config": {}}
    if isinstance(identifier, str | dict):
        return deserialize(identifier)
    if accepts(identifier):
        if instantiate_classes and inspect.isclass(identifier):
            return identifier()
        return identifier
    message = f"Could not interpret {what} identifier: {identifier}"
    raise error(f"{message}. {hint}" if hint else message)


def _names_agree(class_name: str, registered: str, found) -> bool:
    """Whether `registered_name` names the class `class_name` does.

    Keras 2 writes the class's own name, `"<package>>ClassName"`, or (for a class
    registered under another name) a name whose registered class has that
    `__name__`.
    """
    if registered == class_name or registered.rpartition(">")[2] == class_name:
        return True
    return getattr(found, "__name__", None) == class_name
