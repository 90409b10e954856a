"""`OptimizerV2`: the Keras 2.0-2.10 optimizer base, as `optimizers.legacy` keeps it.

Mirrors tf_keras `optimizers/legacy/optimizer_v2.py`. Code written for Keras
2.x says `keras.optimizers.legacy.Adam(lr=1e-3, decay=1e-6)` and saves files
whose optimizer weights are named `Adam/iter:0`, `Adam/dense/kernel/m:0`: this
family keeps those arguments, names and numbers. It differs from the 2.11+
`Optimizer` (`optimizers/optimizer.py`) in what it stores and how it names it:

- hyperparameters (`learning_rate`, `beta_1`, `momentum`, ...) live in `_hyper`
  and become scalar variables on first use; they read and write as attributes
  (`opt.learning_rate`, `opt.lr = 0.1`) and are *not* in `weights`;
- `decay` divides the learning rate: `lr / (1 + decay * iterations)`;
- `weights` (also `variables()`) are `iter` (int64), then the slots in creation
  order; a slot is named `<optimizer>/<variable name>/<slot>:0`;
- clipping applies `clipvalue`, then `clipnorm` or `global_clipnorm`;
- sparse gradients (embedding lookups) keep their own update rules
  (`_resource_apply_sparse`), which touch only the rows that have a gradient.

Who owns what: a subclass sets its hyperparameters in `__init__`, creates its
slots in `_create_slots(var_list)`, computes per-step coefficients in
`_prepare_local(dtype, coefficients)` and updates one variable in
`_resource_apply_dense` / `_resource_apply_sparse` (TensorFlow's fused
`ResourceApply*` ops where tf_keras uses them, so the numbers are the same).
This class owns the rest. One `apply_gradients` call::

    replica context: create iter, hyperparameter variables and slots (once);
        drop (None, var) pairs; sum gradients across replicas (under a strategy);
        clipvalue, clipnorm | global_clipnorm, gradient_transformers
    cross-replica context (merge_call): coefficients per dtype, once per step;
        for each (grad, var): strategy.extended.update(var, apply one, grad)
        iterations += 1

Unlike tf_keras, `iter` and the slots are always created in the optimizer's
name scope (tf_keras names `iter` without it when `iterations` is read before
the first step), and `build(var_list)` creates everything up front, as kengine's
`fit` expects of every optimizer.

>>> import tensorflow as tf
>>> from kengine.optimizers.legacy.gradient_descent import SGD
>>> var = tf.Variable([1.0, 2.0], name="w")
>>> opt = SGD(learning_rate=0.1, decay=0.5)
>>> for _ in range(2):
...     _ = opt.apply_gradients([(tf.constant([1.0, 1.0]), var)])
>>> [round(float(v), 6) for v in var.numpy()]   # steps of 0.1, then 0.1 / 1.5
[0.833333, 1.833333]
>>> [w.name for w in opt.weights]
['SGD/iter:0']
"""

import warnings

import numpy as np
import tensorflow as tf

from kengine import backend
from kengine.optimizers import utils
from kengine.optimizers.schedules import learning_rate_schedule as schedules

__all__ = ["OptimizerV2"]

_ALLOWED_KWARGS = ("clipnorm", "clipvalue", "lr", "decay", "global_clipnorm")


class _Untracked:
    """The slots (by variable key) and the `weights` list, kept out of
    AutoTrackable's dependency tracking: checkpoints save slots through
    `get_slot_names`/`get_slot`, as for tf_keras, and a slot that is also a
    plain dependency is an error there."""

    def __init__(self):
        self.slots = {}
        self.weights = []
        self.deferred = {}  # (slot name, variable key) -> checkpoint positions


class OptimizerV2(tf.__internal__.tracking.AutoTrackable):
    """Base class of the Keras 2.x (`optimizers.legacy`) optimizers.

    Args:
        name: the optimizer's name, also the name scope of its variables.
        gradient_aggregator: function summing `[(grad, var)]` across replicas;
            default: an all-reduce SUM under a strategy, the identity otherwise.
        gradient_transformers: functions applied to `[(grad, var)]` after
            aggregation and clipping, in order.
        **kwargs: `clipnorm`, `clipvalue`, `global_clipnorm` (gradient
            clipping), `decay` (inverse-time learning-rate decay) and `lr`
            (deprecated alias of `learning_rate`).

    Raises:
        TypeError: on any other keyword argument.
        ValueError: for a negative keyword value, or both `clipnorm` and
            `global_clipnorm`.
    """

    # Keras 1 saved these optimizers' weights without `iter`; the classes whose
    # tf_keras counterpart loads such lists (Adadelta, Adagrad, RMSprop) set this,
    # and `set_weights` then starts the step count at zero.
    _loads_weights_without_iter = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__module__.startswith("kengine.optimizers.legacy."):
            # tf_keras writes this family's configs with this module name.
            cls._serialized_module = "keras.optimizers.legacy"
            cls._serialized_registered_name = None

    def __init__(
        self, name: str, gradient_aggregator=None, gradient_transformers=None, **kwargs
    ):
        _check_kwargs(kwargs)
        self._name = name or backend.unique_object_name(
            type(self).__name__.lower(), zero_based=True
        )
        self._hyper = {}
        self._untracked = _Untracked()
        self._slot_names = []
        self._iterations = None
        self._hypers_created = False
        self._initial_decay = kwargs.pop("decay", 0.0)
        self.gradient_aggregator = gradient_aggregator
        self.gradient_transformers = list(gradient_transformers or [])
        self.clipnorm = kwargs.pop("clipnorm", None)
        self.global_clipnorm = kwargs.pop("global_clipnorm", None)
        if self.clipnorm is not None and self.global_clipnorm is not None:
            raise ValueError(
                "Cannot accept both `clipnorm` and `global_clipnorm`. Received: "
                f"`clipnorm`={self.clipnorm}, `global_clipnorm`={self.global_clipnorm}."
            )
        self.clipvalue = kwargs.pop("clipvalue", None)

    def _init_learning_rate(self, learning_rate, kwargs: dict) -> None:
        """Sets the `learning_rate` (or its `lr` alias) and `decay` hyperparameters."""
        self._set_hyper("learning_rate", kwargs.get("lr", learning_rate))
        self._set_hyper("decay", self._initial_decay)

    @property
    def name(self) -> str:
        """The optimizer's name (the name scope of its variables)."""
        return self._name

    # ------------------------------------------------------- hyperparameters

    def _set_hyper(self, name: str, value) -> None:
        """Sets a hyperparameter: stored as given, or assigned into its variable."""
        current = self._hyper.get(name)
        if isinstance(current, tf.Variable) and not isinstance(
            value, schedules.LearningRateSchedule
        ):
            current.assign(value)
        else:
            self._hyper[name] = value

    def _get_hyper(self, name: str, dtype=None):
        """A hyperparameter's value (its variable, or a schedule), cast to `dtype`."""
        if not self._hypers_created:
            self._create_hypers()
        value = self._hyper[name]
        if isinstance(value, schedules.LearningRateSchedule):
            return value
        if callable(value):
            value = value()
        return tf.cast(value, dtype) if dtype else value

    def _create_hypers(self) -> None:
        """Turns every number-valued hyperparameter into a scalar variable."""
        if self._hypers_created:
            return
        with tf.init_scope(), tf.name_scope(self._name + "/"):
            for name, value in sorted(self._hyper.items()):
                if isinstance(value, tf.Tensor | tf.Variable) or callable(value):
                    continue
                self._hyper[name] = tf.Variable(
                    value,
                    name=name,
                    dtype=tf.float32,
                    trainable=False,
                    aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA,
                )
        self._hypers_created = True

    def __getattr__(self, name: str):
        # Only reached when normal lookup fails: hyperparameters read as
        # attributes, `lr` as `learning_rate` (Keras 2.x code does both).
        hyper = self.__dict__.get("_hyper")
        if hyper is None:
            raise AttributeError(name)
        key = "learning_rate" if name == "lr" else name
        if key in hyper:
            return self._get_hyper(key)
        raise AttributeError(
            f"'{type(self).__name__}' object has no attribute '{name}'"
        )

    def __setattr__(self, name: str, value) -> None:
        key = "learning_rate" if name == "lr" else name
        hyper = self.__dict__.get("_hyper")
        if hyper is not None and key in hyper:
            self._set_hyper(key, value)
        else:
            super().__setattr__(name, value)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._hyper) | {"lr"})

    def _serialize_hyperparameter(self, name: str):
        value = self._hyper[name]
        if isinstance(value, schedules.LearningRateSchedule):
            return schedules.serialize(value)
        if callable(value):
            return value()
        if tf.is_tensor(value):
            return backend.get_value(value)
        return value

    def _decayed_lr(self, dtype):
        """The learning rate of this step: schedule(iterations), then `decay`."""
        lr = self._get_hyper("learning_rate", dtype)
        if isinstance(lr, schedules.LearningRateSchedule):
            lr = tf.cast(lr(tf.cast(self.iterations, dtype)), dtype)
        if self._initial_decay > 0.0:
            step = tf.cast(self.iterations, dtype)
            lr = lr / (1.0 + tf.cast(self._initial_decay, dtype) * step)
        return lr

    # ----------------------------------------------------------- variables

    @property
    def iterations(self) -> tf.Variable:
        """The step counter `iter` (int64), created on first use."""
        if self._iterations is None:
            with tf.init_scope(), tf.name_scope(self._name + "/"):
                self._iterations = tf.Variable(
                    0,
                    name="iter",
                    dtype=tf.int64,
                    trainable=False,
                    aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA,
                )
            self._weights.append(self._iterations)
        return self._iterations

    @iterations.setter
    def iterations(self, variable) -> None:
        if self._iterations is not None:
            raise RuntimeError(
                "Cannot set `iterations` to a new Variable after the Optimizer "
                f"weights have been created. Received: {variable}"
            )
        self._iterations = variable
        self._weights.append(variable)

    def add_slot(self, var, slot_name: str, initializer="zeros", shape=None):
        """Creates (once) the slot `slot_name` of `var`, named `<var>/<slot_name>`.

        Args:
            var: the model variable.
            slot_name: the slot's kind, e.g. "m".
            initializer: "zeros", "ones", a number, or a callable
                `(shape, dtype) -> value`.
            shape: the slot's shape (default: the variable's).

        Returns:
            The slot variable.
        """
        if slot_name not in self._slot_names:
            self._slot_names.append(slot_name)
        slots = self._untracked.slots.setdefault(self._var_key(var), {})
        if slot_name in slots:
            return slots[slot_name]
        dtype = getattr(var, "true_dtype", var.dtype)
        shape = var.shape if shape is None else shape
        value = _initial_value(initializer, shape, dtype)
        strategy = tf.distribute.get_strategy()
        with tf.init_scope(), tf.name_scope(self._name + "/"):
            with strategy.extended.colocate_vars_with(var):
                slot = tf.Variable(
                    value,
                    name=f"{var.name.split(':')[0]}/{slot_name}",
                    dtype=dtype,
                    trainable=False,
                )
        slots[slot_name] = slot
        self._weights.append(slot)
        for position in self._untracked.deferred.pop(
            (slot_name, self._var_key(var)), []
        ):
            position.restore(slot)
        return slot

    def add_weight(self, name: str, shape=(), dtype=None, initializer="zeros"):
        """Creates a non-slot optimizer variable (Nadam's `momentum_cache`).

        It is not added to `weights`; the subclass appends it where tf_keras does.
        """
        dtype = dtype or tf.float32
        with tf.init_scope(), tf.name_scope(self._name + "/"):
            return tf.Variable(
                _initial_value(initializer, shape, dtype),
                name=name,
                trainable=False,
                aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA,
            )

    def get_slot(self, var, slot_name: str) -> tf.Variable:
        """The slot `slot_name` of `var`."""
        return self._untracked.slots[self._var_key(var)][slot_name]

    def get_slot_names(self) -> list:
        """The slot kinds this optimizer has created, in creation order."""
        return list(self._slot_names)

    @staticmethod
    def _var_key(var) -> str:
        return utils.distributed_container(var)._unique_id

    def _create_slots(self, var_list) -> None:
        """Subclasses create their slots here."""

    def _create_all_weights(self, var_list) -> None:
        """Creates `iter`, the hyperparameter variables and the slots (once each)."""
        _ = self.iterations
        self._create_hypers()
        self._create_slots(list(var_list))

    def build(self, var_list) -> None:
        """Creates every variable for `var_list` up front (kengine's `fit` does this)."""
        self._create_all_weights(var_list)

    def _create_or_restore_slot_variable(
        self, slot_variable_position, slot_name: str, variable
    ) -> None:
        # `tf.train.Checkpoint.restore` calls this per saved slot: restore now if
        # the slot exists, else when `add_slot` makes it (keeping weight order).
        key = self._var_key(variable)
        slot = self._untracked.slots.get(key, {}).get(slot_name)
        if slot is not None:
            slot_variable_position.restore(slot)
        else:
            pending = self._untracked.deferred.setdefault((slot_name, key), [])
            pending.append(slot_variable_position)

    @property
    def _weights(self) -> list:
        return self._untracked.weights

    @property
    def weights(self) -> list:
        """`iter`, then the slots, in creation order (the h5 `optimizer_weights`)."""
        return self._weights

    def variables(self) -> list:
        """Same as `weights` (a method in Keras 2.x)."""
        return self._weights

    def get_weights(self) -> list:
        """The values of `weights`, as NumPy arrays."""
        return [np.asarray(backend.get_value(w)) for w in self._weights]

    def set_weights(self, weights) -> None:
        """Sets `weights` from arrays in the same order.

        Raises:
            ValueError: if the number of arrays or a shape differs.
        """
        if self._loads_weights_without_iter and len(weights) + 1 == len(self._weights):
            weights = [np.array(0)] + list(weights)
        if len(weights) != len(self._weights):
            raise ValueError(
                f"You called `set_weights(weights)` on optimizer {self._name} with "
                f"a weight list of length {len(weights)}, but the optimizer was "
                f"expecting {len(self._weights)} weights. Provided weights: "
                f"{str(weights)[:50]}..."
            )
        for variable, value in zip(self._weights, weights):
            if tuple(variable.shape) != tuple(np.shape(value)):
                raise ValueError(
                    f"Optimizer weight shape {tuple(variable.shape)} not compatible "
                    f"with provided weight shape {tuple(np.shape(value))}."
                )
            variable.assign(value)

    def finalize_variable_values(self, var_list) -> None:
        """No-op: this family keeps no moving average (`fit` calls it at the end)."""
        del var_list

    # -------------------------------------------------------------- updates

    def minimize(self, loss, var_list, grad_loss=None, name=None, tape=None):
        """Computes the gradients of `loss` for `var_list` and applies them.

        Args:
            loss: a tensor (recorded by `tape`) or a callable returning it.
            var_list: the variables, or a callable returning them.
            grad_loss: optional gradient of the loss (the output cotangent).
            name: name scope of the update.
            tape: the `tf.GradientTape` that recorded a tensor `loss`.

        Returns:
            The `iterations` variable after the step.

        Raises:
            ValueError: for a tensor `loss` without a `tape`.
        """
        if not callable(loss) and tape is None:
            raise ValueError(
                "`tape` is required when a `Tensor` loss is passed. "
                f"Received: loss={loss}, tape={tape}."
            )
        tape = tape or tf.GradientTape()
        if callable(loss):
            with tape:
                if not callable(var_list):
                    tape.watch(var_list)
                loss = loss()
                if callable(var_list):
                    var_list = var_list()
        grads = tape.gradient(loss, var_list, grad_loss)
        return self.apply_gradients(zip(grads, var_list), name=name)

    @tf.autograph.experimental.do_not_convert
    def apply_gradients(
        self, grads_and_vars, name=None, experimental_aggregate_gradients=True
    ):
        """Applies one step (see the module docstring).

        Args:
            grads_and_vars: iterable of `(gradient, variable)` pairs.
            name: name scope of the update (default: the optimizer's name).
            experimental_aggregate_gradients: False when the caller already
                summed the gradients across replicas.

        Returns:
            The `iterations` variable after the increment.

        Raises:
            RuntimeError: in cross-replica context of a strategy.
            ValueError: if no variable has a gradient.
        """
        grads_and_vars = utils.filter_empty_gradients(grads_and_vars)
        self._create_all_weights([v for _, v in grads_and_vars])
        if tf.distribute.in_cross_replica_context() and tf.distribute.has_strategy():
            raise RuntimeError(
                "`apply_gradients() cannot be called in cross-replica context. "
                "Use `tf.distribute.Strategy.run` to enter replica context."
            )
        if experimental_aggregate_gradients:
            grads_and_vars = self._aggregate_gradients(grads_and_vars)
        grads_and_vars = self._transform_gradients(grads_and_vars)
        with tf.name_scope(name or self._name):
            return tf.__internal__.distribute.interim.maybe_merge_call(
                self._distributed_apply, tf.distribute.get_strategy(), grads_and_vars
            )

    def _aggregate_gradients(self, grads_and_vars) -> list:
        if self.gradient_aggregator is not None:
            return self.gradient_aggregator(grads_and_vars)
        if tf.distribute.has_strategy():
            return utils.all_reduce_sum_gradients(grads_and_vars)
        # One replica: sparse gradients stay sparse for `_resource_apply_sparse`.
        return grads_and_vars

    def _transform_gradients(self, grads_and_vars) -> list:
        """clipvalue, then clipnorm or global_clipnorm, then gradient_transformers."""
        grads, variables = (
            [g for g, _ in grads_and_vars],
            [v for _, v in grads_and_vars],
        )
        if self.clipvalue is not None:
            grads = [_clip_by_value(g, self.clipvalue) for g in grads]
        if self.clipnorm is not None:
            grads = [tf.clip_by_norm(g, self.clipnorm) for g in grads]
        if self.global_clipnorm is not None:
            grads = list(tf.clip_by_global_norm(grads, self.global_clipnorm)[0])
        grads_and_vars = list(zip(grads, variables))
        for transform in self.gradient_transformers:
            grads_and_vars = transform(grads_and_vars)
        return grads_and_vars

    @tf.autograph.experimental.do_not_convert
    def _distributed_apply(self, distribution, grads_and_vars):
        """The cross-replica half: coefficients once per step, then every update."""
        coefficients = self._prepare({v.dtype.base_dtype for _, v in grads_and_vars})

        def apply_one(var, grad):
            return self._apply_one(var, grad, coefficients[var.dtype.base_dtype])

        for grad, var in grads_and_vars:
            with distribution.extended.colocate_vars_with(var):
                distribution.extended.update(var, apply_one, args=(grad,), group=False)
        return self.iterations.assign_add(1)

    def _apply_one(self, var, grad, coefficients):
        if isinstance(grad, tf.IndexedSlices):
            if getattr(var, "constraint", None) is not None:
                raise RuntimeError(
                    "Cannot use a constraint function on a sparse variable. "
                    f"Received: grad={grad}, var.constraint={var.constraint}."
                )
            return self._resource_apply_sparse_duplicate_indices(
                grad.values, var, grad.indices, coefficients
            )
        update = self._resource_apply_dense(grad, var, coefficients)
        if getattr(var, "constraint", None) is not None:
            with tf.control_dependencies([update]):
                return var.assign(var.constraint(var))
        return update

    def _prepare(self, dtypes) -> dict:
        """Per-dtype coefficients of this step: `{dtype: {"lr_t": ..., ...}}`."""
        coefficients = {}
        for dtype in dtypes:
            coefficients[dtype] = {}
            self._prepare_local(dtype, coefficients[dtype])
        return coefficients

    def _prepare_local(self, dtype, coefficients: dict) -> None:
        """Adds this step's coefficients for `dtype`; subclasses extend it."""
        if "learning_rate" in self._hyper:
            coefficients["lr_t"] = tf.identity(self._decayed_lr(dtype))

    def _resource_apply_dense(self, grad, var, coefficients):
        raise NotImplementedError(
            f"{type(self).__name__} must implement `_resource_apply_dense`."
        )

    def _resource_apply_sparse(self, grad, var, indices, coefficients):
        raise NotImplementedError(
            f"{type(self).__name__} must implement `_resource_apply_sparse`."
        )

    def _resource_apply_sparse_duplicate_indices(
        self, grad, var, indices, coefficients
    ):
        """Sums the rows of repeated indices, then applies the sparse update."""
        unique, positions = tf.unique(indices)
        summed = tf.math.unsorted_segment_sum(grad, positions, tf.shape(unique)[0])
        return self._resource_apply_sparse(summed, var, unique, coefficients)

    # --------------------------------------------------------------- config

    def get_config(self) -> dict:
        """`name`, the clipping arguments that are set, and subclasses' hyperparameters."""
        config = {"name": self._name}
        for key in ("clipnorm", "clipvalue", "global_clipnorm"):
            if getattr(self, key) is not None:
                config[key] = getattr(self, key)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        """Rebuilds the optimizer; `lr` is renamed and a schedule deserialized."""
        config = dict(config)
        if "lr" in config:
            config["learning_rate"] = config.pop("lr")
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(
                config["learning_rate"], custom_objects=custom_objects
            )
        return cls(**config)


def _check_kwargs(kwargs: dict) -> None:
    for key, value in kwargs.items():
        if key not in _ALLOWED_KWARGS:
            raise TypeError(
                f"Unexpected keyword argument passed to optimizer: {key}. Allowed "
                f"kwargs are {set(_ALLOWED_KWARGS)}."
            )
        if value is not None and value < 0:
            raise ValueError(f"Expected {key} >= 0, received: {value}")
        if key == "lr":
            warnings.warn(
                "The `lr` argument is deprecated, use `learning_rate` instead.",
                stacklevel=3,
            )


def _initial_value(initializer, shape, dtype):
    if initializer in ("zeros", "ones"):
        return (tf.zeros if initializer == "zeros" else tf.ones)(shape, dtype)
    if callable(initializer):
        return initializer(shape, dtype)
    return tf.fill(shape, tf.cast(initializer, dtype))


def _clip_by_value(grad, clipvalue):
    if isinstance(grad, tf.IndexedSlices):
        values = tf.clip_by_value(grad.values, -clipvalue, clipvalue)
        return tf.IndexedSlices(values, grad.indices, grad.dense_shape)
    return tf.clip_by_value(grad, -clipvalue, clipvalue)
