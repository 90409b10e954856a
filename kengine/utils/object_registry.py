"""The built-in classes and functions of kengine, found by kind and name.

A registry that imports nothing, so the lowest layers can look up what the higher
ones define. Keras 2 reaches upward instead: `layers/serialization.py` imports
`engine/functional.py` and `engine/sequential.py` to put `Model`, `Functional`
and `Sequential` in its lookup table. Here each built-in class registers itself
where it is defined (`register_builtin("layer", Sequential)` right after the class
statement), and `layers.deserialize` reads `builtin_objects("layer")`, so the
layer library never imports the training layer above it.

Kinds in use: `"layer"` (every class `layers.deserialize` can build, models
included) and `"model"` (the classes `models.clone_model` and friends need).
This is not the user-facing registry: `register_keras_serializable` in
`utils/serialization.py` is, and it wins over a built-in of the same name.

>>> class Thing:
...     pass
>>> register_builtin("demo-kind", Thing)
<class 'kengine.utils.object_registry.Thing'>
>>> builtin_objects("demo-kind")["Thing"] is Thing
True
"""

__all__ = ["register_builtin", "register_builtins", "builtin_objects", "builtin_object"]

_BUILTINS: dict[str, dict[str, object]] = {}


def register_builtin(kind: str, obj, name: str | None = None):
    """Records a kengine class or function under `kind` and `name`.

    Args:
        kind: the family the object belongs to (`"layer"`, `"model"`, ...).
        obj: the class or function.
        name: the name configs use; defaults to `obj.__name__`.

    Returns:
        `obj` unchanged, so this also works as a decorator's body.

    Raises:
        ValueError: if another object is already registered under that name.
    """
    table = _BUILTINS.setdefault(kind, {})
    name = name or obj.__name__
    if table.get(name, obj) is not obj:
        raise ValueError(
            f"Cannot register {obj!r} as built-in {kind} '{name}': "
            f"{table[name]!r} is already registered under that name."
        )
    table[name] = obj
    return obj


def register_builtins(kind: str, table: dict) -> None:
    """Registers every `name: obj` of `table` under `kind` (see `register_builtin`)."""
    for name, obj in table.items():
        register_builtin(kind, obj, name)


def builtin_objects(kind: str) -> dict:
    """A copy of the `kind` table, name -> object (empty for an unknown kind)."""
    return dict(_BUILTINS.get(kind, {}))


def builtin_object(kind: str, name: str):
    """The built-in `kind` object registered as `name`.

    Raises:
        KeyError: naming the kind and name, when none is registered; the class
            registers when its module is imported.
    """
    try:
        return _BUILTINS[kind][name]
    except KeyError:
        raise KeyError(
            f"No built-in {kind} named '{name}' is registered; the module "
            "defining it registers it when imported."
        ) from None
