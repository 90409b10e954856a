"""The `Lambda` layer: wraps a plain function of tensors as a layer.

Mirrors Keras 2's `layers/core/lambda_layer.py` and the `func_dump`/`func_load`
helpers of `utils/generic_utils.py`.

Saving a Lambda is the awkward part. A named function (`def double(x)`) is
written by name, with its module, and found again at load time through
`custom_objects` or `register_keras_serializable`. A Python `lambda` has no name,
so its bytecode is written instead (`marshal`, base64), as Keras 2 does. Loading
that bytecode would run code from the file, so `from_config` refuses it unless
safe mode is off (`SafeModeScope(False)`, or `safe_mode=False` on the loading
function) - Keras 3's fix for a Keras 2 hole (CVE-2024-3660). The loaders hand
`from_config` the safe mode of the load in progress as an argument, so nothing
run while loading can switch it off. kengine also writes `def` functions by name
where Keras 2 wrote their bytecode too.

>>> import tensorflow as tf
>>> Lambda(lambda x: x * 2)(tf.constant([[1.0, 2.0]])).numpy()
array([[2., 4.]], dtype=float32)
"""

import base64
import inspect
import marshal
import sys
import types

import numpy as np
import tensorflow as tf

from kengine.engine.base_layer import Layer
from kengine.utils import serialization

__all__ = ["Lambda"]

_SAFE_MODE_MESSAGE = (
    "Requested the deserialization of a Lambda layer with a Python `lambda` inside "
    "it. This carries a potential risk of arbitrary code execution and thus it is "
    "disallowed by default. If you trust the source of the saved model, you can pass "
    "`safe_mode=False` to the loading function in order to allow Lambda layer loading."
)


def func_dump(func: types.FunctionType) -> tuple:
    """Returns `(base64 bytecode, defaults, closure values)` of a function."""
    code = base64.encodebytes(marshal.dumps(func.__code__)).decode("ascii")
    closure = (
        tuple(c.cell_contents for c in func.__closure__) if func.__closure__ else None
    )
    return code, func.__defaults__, closure


def func_load(code, defaults=None, closure=None, globs: dict | None = None):
    """Rebuilds a function from `func_dump` output. Runs the file's code: unsafe."""
    if isinstance(code, list | tuple):
        code, defaults, closure = code
    cells = tuple(types.CellType(v) for v in closure) if closure is not None else None
    raw = marshal.loads(base64.decodebytes(code.encode("ascii")))
    return types.FunctionType(
        raw,
        globs if globs is not None else {},
        name=raw.co_name,
        argdefs=tuple(defaults) if defaults is not None else None,
        closure=cells,
    )


def _is_lambda(fn) -> bool:
    return isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>"


def _serialize_function(fn, allow_raw: bool = False) -> tuple:
    """Returns `(value, type, module)` for a function, lambda or raw value."""
    if _is_lambda(fn):
        return func_dump(fn), "lambda", fn.__module__
    if callable(fn) and hasattr(fn, "__name__"):
        return serialization.get_registered_name(fn), "function", fn.__module__
    if allow_raw:
        return fn, "raw", None
    raise ValueError(f"Invalid input for serialization, type: {type(fn)} ")


class Lambda(Layer):
    """Wraps `function(inputs, **arguments)` as a layer with no weights.

    Args:
        function: the function to apply; it may take `mask` and `training`.
        output_shape: the output shape without the batch axis, or a function of
            the input shape; only needed where the output cannot be inferred.
        mask: a mask to attach to the output, or `mask(inputs, mask)` computing it.
        arguments: extra keyword arguments passed to `function`.
        **kwargs: base `Layer` arguments.
    """

    def __init__(
        self, function, output_shape=None, mask=None, arguments=None, **kwargs
    ):
        super().__init__(**kwargs)
        self.arguments = arguments or {}
        self.function = function
        if mask is not None:
            self.supports_masking = True
        self.mask = mask
        self._output_shape = output_shape
        params = inspect.signature(function).parameters
        self._fn_expects_training = "training" in params
        self._fn_expects_mask = "mask" in params

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_expects_mask:
            kwargs["mask"] = mask
        if self._fn_expects_training:
            kwargs["training"] = training
        created = []

        def record(next_creator, **var_kwargs):
            created.append(next_creator(**var_kwargs))
            return created[-1]

        with tf.variable_creator_scope(record):
            result = self.function(inputs, **kwargs)
        if created:
            # A fresh variable per call would never be trained or saved.
            names = ", ".join(v.name for v in created)
            raise ValueError(
                f"The following Variables were created within Lambda layer "
                f"'{self.name}': {names}. Lambda layers cannot own weights; subclass "
                "`Layer` and create the weights in `build` instead."
            )
        return result

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return _to_shapes(self._output_shape(input_shape))
        first = tf.nest.flatten(_to_shapes(input_shape))[0] if input_shape else None
        batch = first[0] if first is not None and first.rank else None
        out = _to_shapes(self._output_shape)
        return tf.nest.map_structure(
            lambda s: tf.TensorShape([batch, *s.as_list()]), out
        )

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def get_config(self) -> dict:
        config = super().get_config()
        value, kind, module = _serialize_function(self.function)
        config.update({"function": value, "function_type": kind, "module": module})
        value, kind, module = _serialize_function(self._output_shape, allow_raw=True)
        config.update(
            {
                "output_shape": value,
                "output_shape_type": kind,
                "output_shape_module": module,
            }
        )
        if self.mask is not None:
            value, kind, module = _serialize_function(self.mask)
            config.update({"mask": value, "mask_type": kind, "mask_module": module})
        config["arguments"] = self.arguments
        return config

    @classmethod
    def from_config(
        cls,
        config: dict,
        custom_objects: dict | None = None,
        safe_mode: bool | None = None,
    ):
        """Rebuilds the layer; bytecode is refused while safe mode is on.

        Args:
            config: the layer's `get_config()` (or tf_keras's).
            custom_objects: user functions by name.
            safe_mode: refuse Python bytecode; the loaders pass the mode of the
                load in progress, and None means `serialization.in_safe_mode()`.

        Raises:
            ValueError: for a serialized Python `lambda` in safe mode, or a
                function name that is neither registered nor in `custom_objects`.
        """
        config = dict(config)
        if safe_mode is None:
            safe_mode = serialization.in_safe_mode()
        parse = _FunctionParser(config, custom_objects, safe_mode)
        config["function"] = parse("function", "module", "function_type")
        config["output_shape"] = parse(
            "output_shape", "output_shape_module", "output_shape_type"
        )
        config["mask"] = (
            parse("mask", "mask_module", "mask_type") if "mask" in config else None
        )
        arguments = dict(config.get("arguments") or {})
        for key, value in arguments.items():
            # Keras 2 writes NumPy arrays in arguments as {"type": "ndarray", ...}.
            if isinstance(value, dict) and value.get("type") == "ndarray":
                arguments[key] = np.array(value["value"])
        config["arguments"] = arguments
        return cls(**config)


class _FunctionParser:
    """Turns one `(value, type, module)` triple of a Lambda config back into a value."""

    def __init__(self, config: dict, custom_objects: dict | None, safe_mode: bool):
        self.config = config
        self.custom_objects = custom_objects or {}
        self.safe_mode = safe_mode

    def __call__(self, attr: str, module_attr: str, type_attr: str):
        module = self.config.pop(module_attr, None)
        kind = self.config.pop(type_attr, "raw")
        value = self.config.get(attr)
        if kind == "raw":
            return value
        if kind == "lambda":
            if self.safe_mode:
                raise ValueError(_SAFE_MODE_MESSAGE)
            return func_load(value, globs=self._globals(module))
        if kind == "function":
            return self._lookup(value, module)
        raise TypeError(
            "Unsupported value for `function_type` argument. Received: "
            f"function_type={kind}. Expected one of ['function', 'lambda', 'raw']"
        )

    def _globals(self, module: str | None) -> dict:
        globs = dict(vars(sys.modules[module])) if module in sys.modules else {}
        globs.update(self.custom_objects)
        return globs

    def _lookup(self, name: str, module: str | None):
        found = serialization.get_registered_object(name, self.custom_objects)
        if found is None and not self.safe_mode:
            # Trusted file: the function's module, if the program imported it.
            found = self._globals(module).get(name)
        if found is None:
            raise ValueError(
                f"Could not find the function '{name}' (module {module!r}) used in a "
                "Lambda layer. Pass it in `custom_objects`, or decorate it with "
                "`keras.saving.register_keras_serializable()`."
            )
        return found


def _to_shapes(shapes):
    """A shape or a structure of shapes -> the same structure of `tf.TensorShape`s."""
    if isinstance(shapes, tf.TensorShape):
        return shapes
    if isinstance(shapes, list | tuple) and all(
        d is None or isinstance(d, int | np.integer) for d in shapes
    ):
        return tf.TensorShape(shapes)
    if isinstance(shapes, dict):
        return {k: _to_shapes(v) for k, v in shapes.items()}
    return [_to_shapes(s) for s in shapes]
