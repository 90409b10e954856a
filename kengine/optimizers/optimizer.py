"""The optimizer base class: slots, learning rate, and distribution-aware updates.

Mirrors Keras 2's `optimizers/optimizer.py` (the 2.11+ optimizer, `_BaseOptimizer`
and `Optimizer` merged into one class; not `optimizers/legacy/`).

Who owns what:
  * A subclass owns the algorithm: `_build_slots(var_list)` creates its slot
    variables (`add_variable_from_reference`), `update_step(gradient, variable)`
    updates one variable with TensorFlow ops only, `get_config()` adds its
    hyperparameters.
  * This class owns everything around it: the `iterations` counter, the
    learning rate (a variable, or a `LearningRateSchedule` plus a variable
    holding its current value), clipping, decoupled weight decay, the moving
    average of the weights (`use_ema`), constraints, config and distribution.

One `apply_gradients` call, in pseudo-code::

    replica context (inside strategy.run, or the default strategy):
        build(all variables) once             # slots exist before any trace
        drop (None, var) pairs; all-reduce SUM the gradients across replicas
        clip (clipnorm | global_clipnorm | clipvalue)
    cross-replica context (merge_call; skipped under the default strategy):
        current learning rate <- schedule(iterations)
        for each (grad, var): strategy.extended.update(var, _apply_one, grad)
            # on each device: weight decay, update_step, EMA, constraint
        iterations += 1

Slot variables are named `<slot>/<variable name without :0>` inside the name
scope of `apply_gradients` (the optimizer's name), so `apply_gradients` on
`dense/kernel:0` creates `Adam/m/dense/kernel:0`, as tf_keras writes in weight
files. `build(var_list)` called directly (as kengine's `fit` does, so that the
step traces once) creates the same slots outside that scope (`m/dense/kernel:0`),
as tf_keras does; call it inside `tf.name_scope(optimizer.name)` to get the names
`apply_gradients` gives. `variables` lists `iterations` first, then the slots in
creation order.

>>> import tensorflow as tf
>>> from kengine.optimizers.sgd import SGD
>>> var = tf.Variable(1.0)
>>> opt = SGD(learning_rate=0.1)
>>> opt.minimize(lambda: var**2 / 2.0, [var])  # gradient = var
>>> round(float(var.numpy()), 6), int(opt.iterations.numpy())
(0.9, 1)
"""

import re

import tensorflow as tf

from kengine import backend
from kengine.optimizers import utils
from kengine.optimizers.schedules import learning_rate_schedule as schedules

__all__ = ["Optimizer"]


class Optimizer(tf.__internal__.tracking.AutoTrackable):
    """Base class of kengine optimizers (Keras 2.11+ semantics).

    Args:
        name: the optimizer's name, also the name scope of its slot variables.
        weight_decay: if set, each step first applies decoupled weight decay
            `var -= var * weight_decay * learning_rate`.
        clipnorm: clip each gradient to this norm.
        clipvalue: clip each gradient element to `[-clipvalue, clipvalue]`.
        global_clipnorm: clip all gradients together to this global norm.
        use_ema: keep an exponential moving average of the weights.
        ema_momentum: the EMA's momentum, in [0, 1].
        ema_overwrite_frequency: every this many steps, overwrite the weights with
            their moving average (None: only in `finalize_variable_values`).
        jit_compile: compile each variable's update with XLA; as in tf_keras this
            is honoured only when a GPU is present, and `get_config` reports the
            effective value.
        **kwargs: `lr` (Keras 2.x alias of `learning_rate`) and
            `is_legacy_optimizer` (written by `get_config`) are accepted.

    Raises:
        ValueError: if both `clipnorm` and `global_clipnorm` are set, the EMA
            arguments are out of range, or a removed Keras 2.x argument
            (`decay`, ...) is passed.
        TypeError: on any other unknown keyword argument.
    """

    def __init__(
        self,
        name: str,
        weight_decay: float | None = 0,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        jit_compile: bool = True,
        **kwargs,
    ):
        self._lr_alias = utils.check_extra_kwargs(kwargs, type(self).__name__)
        utils.check_base_arguments(
            clipnorm, global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency
        )
        self.name = name
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.global_clipnorm = global_clipnorm
        self.clipvalue = clipvalue
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        # XLA pays off for the optimizer only on GPU; tf_keras turns it off
        # elsewhere and reports the effective value in get_config.
        self.jit_compile = bool(jit_compile and tf.config.list_physical_devices("GPU"))
        self._variables = []
        self._exclude_from_weight_decay = []
        self._exclude_from_weight_decay_names = []
        with tf.init_scope():
            # Lifted out of any tf.function so the counter outlives the trace.
            self._iterations = tf.Variable(
                0, name="iteration", dtype=tf.int64, trainable=False
            )
        self._variables.append(self._iterations)

    # ----------------------------------------------------------- learning rate

    def _build_learning_rate(self, learning_rate):
        """Returns what `_learning_rate` holds: a variable, or the schedule.

        A callable that is not a schedule is called once, here, as tf_keras does
        (`tf.Variable` accepts a callable initial value).
        """
        if self._lr_alias is not None:
            learning_rate = self._lr_alias
        with tf.init_scope():
            if isinstance(learning_rate, schedules.LearningRateSchedule):
                current = tf.convert_to_tensor(learning_rate(self.iterations))
                self._current_learning_rate = tf.Variable(
                    current,
                    name="current_learning_rate",
                    dtype=current.dtype,
                    trainable=False,
                )
                return learning_rate
            return tf.Variable(
                learning_rate,
                name="learning_rate",
                dtype=backend.floatx(),
                trainable=False,
            )

    @property
    def learning_rate(self):
        """The learning-rate variable (for a schedule: its value at this step)."""
        lr = getattr(self, "_learning_rate", None)
        if lr is None:
            raise ValueError(
                "Missing learning rate, please set self.learning_rate at optimizer "
                "creation time."
            )
        if isinstance(lr, schedules.LearningRateSchedule):
            return self._current_learning_rate
        return lr

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        current = getattr(self, "_learning_rate", None)
        if current is None or isinstance(learning_rate, schedules.LearningRateSchedule):
            self._lr_alias = None
            self._learning_rate = self._build_learning_rate(learning_rate)
        elif isinstance(current, schedules.LearningRateSchedule):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as "
                "its `learning_rate` constructor argument, hence its learning rate "
                "is not settable. If you need the learning rate to be settable, "
                "you should instantiate the optimizer with a float `learning_rate` "
                "argument."
            )
        else:
            current.assign(learning_rate)

    # Keras 2 callbacks and user code read and set `optimizer.lr`.
    lr = learning_rate

    @property
    def iterations(self) -> tf.Variable:
        """The int64 variable counting `apply_gradients` calls."""
        return self._iterations

    @iterations.setter
    def iterations(self, variable):
        if self._built:
            raise RuntimeError(
                "Cannot set `iterations` to a new Variable after the Optimizer "
                f"weights have been created. Received: iterations={variable}"
            )
        self._iterations = variable
        self._variables[0] = variable

    def _update_current_learning_rate(self) -> None:
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            self._current_learning_rate.assign(self._learning_rate(self.iterations))

    # ------------------------------------------------------------------ slots

    # Set by `build`; a class attribute so that it reads False before then.
    _built = False
    # The slot hook `build` calls: `_build_slots(self, var_list)` creates this
    # optimizer's slot variables. None for a custom optimizer that overrides
    # `build` instead, the way tf_keras documents (see `build`).
    _build_slots = None

    def build(self, var_list) -> None:
        """Creates the optimizer's variables for `var_list` (once).

        The template every built-in optimizer follows: return if built; index
        the variables; with `use_ema`, create the `average` slots; then call the
        subclass's slot hook `_build_slots(var_list)` and mark the optimizer
        built. So the slots come in this order: averages, then the hook's.

        A custom optimizer written for tf_keras has no hook and overrides
        `build`: it calls `super().build(var_list)`, returns if `self._built`,
        sets `self._built = True` and creates its slots. For such a class this
        template stops before marking, leaving `_built` to the override.

        Args:
            var_list: every variable this optimizer will update.
        """
        if self._built:
            return
        var_list = list(var_list)
        self._index_dict = {self._var_key(v): i for i, v in enumerate(var_list)}
        if self.use_ema:
            self._model_variables_moving_average = [
                self.add_variable_from_reference(v, "average", initial_value=v)
                for v in var_list
            ]
        if self._build_slots is not None:
            self._build_slots(var_list)
            self._built = True

    def add_variable(
        self, shape, dtype=None, initializer="zeros", name: str | None = None
    ) -> tf.Variable:
        """Creates a non-trainable optimizer variable not tied to a model variable.

        Args:
            shape: the variable's shape (None: scalar).
            dtype: its dtype (default `backend.floatx()`).
            initializer: "zeros", "ones", or a callable `(shape, dtype) -> value`.
            name: its name.

        Returns:
            The variable, also appended to `variables`.
        """
        dtype = dtype or backend.floatx()
        shape = [] if shape is None else shape
        if initializer in ("zeros", "ones"):
            value = (tf.zeros if initializer == "zeros" else tf.ones)(shape, dtype)
        else:
            value = initializer(shape, dtype)
        variable = tf.Variable(value, name=name, trainable=False)
        self._variables.append(variable)
        return variable

    def add_variable_from_reference(
        self, model_variable, variable_name: str, shape=None, initial_value=None
    ) -> tf.Variable:
        """Creates a slot for `model_variable` named `<variable_name>/<its name>`.

        Args:
            model_variable: the model variable the slot belongs to.
            variable_name: the slot's kind, e.g. "m", "velocity".
            shape: the slot's shape (default: the model variable's).
            initial_value: its initial value (default: zeros).

        Returns:
            The slot variable, also appended to `variables`.
        """
        # Mixed-precision variables report their compute dtype; slots keep the
        # storage dtype.
        dtype = getattr(model_variable, "true_dtype", model_variable.dtype)
        if initial_value is None:
            initial_value = tf.zeros(
                model_variable.shape if shape is None else shape, dtype=dtype
            )
        base_name = model_variable.name.split(":")[0]
        strategy = tf.distribute.get_strategy()
        # Keeps each slot on the device(s) of its variable.
        with strategy.extended.colocate_vars_with(model_variable):
            variable = tf.Variable(
                initial_value,
                name=f"{variable_name}/{base_name}",
                dtype=dtype,
                trainable=False,
            )
        self._variables.append(variable)
        return variable

    def _create_slots(self, var_list, *slot_names: str) -> list:
        """Creates zero slots, all `slot_names` for one variable before the next.

        Returns:
            One list of slots per name, in `var_list` order.
        """
        slots = [[] for _ in slot_names]
        for variable in var_list:
            for kind, slot_name in zip(slots, slot_names):
                kind.append(self.add_variable_from_reference(variable, slot_name))
        return slots

    def _var_key(self, variable) -> str:
        """A key shared by a distributed variable and all its components."""
        return utils.distributed_container(variable)._unique_id

    def _slot(self, slots: list, variable) -> tf.Variable:
        """The entry of `slots` that belongs to `variable`."""
        return slots[self._index_dict[self._var_key(variable)]]

    @property
    def variables(self) -> list:
        """`iterations`, then every slot, in creation order (tf_keras's order)."""
        return utils.CallableList(self._variables)

    def set_weights(self, weights) -> None:
        """Sets `variables` from a list of arrays in the same order.

        Raises:
            ValueError: if the optimizer is not built or a shape differs.
        """
        if not self._built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not yet "
                "been built. Please call `optimizer.build(trainable_variables)` to "
                "create the optimizer weights before calling `set_weights()`."
            )
        for variable, weight in zip(self._variables, weights):
            if tuple(variable.shape) != tuple(weight.shape):
                raise ValueError(
                    f"Optimizer variable {variable.name} has shape "
                    f"{tuple(variable.shape)}, not compatible with the provided "
                    f"weight shape {tuple(weight.shape)}."
                )
            variable.assign(weight)

    # ---------------------------------------------------------------- updates

    def update_step(self, gradient, variable) -> None:
        """Updates `variable` (one device's copy) from its dense `gradient`."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement `update_step(gradient, variable)`."
        )

    def _begin_step(self) -> None:
        """Hook run once per step, in cross-replica context, before any update.

        Optimizers with per-step state shared by all variables (Nadam's product
        of momentum factors) advance it here, so `update_step` stays a pure
        per-variable function that is safe to trace.
        """

    def minimize(self, loss, var_list, tape: tf.GradientTape | None = None) -> None:
        """Computes the gradients of `loss` and applies them.

        Args:
            loss: a tensor (then `tape` must have recorded it), or a callable
                taking no arguments and returning the loss.
            var_list: the variables to update, or a callable returning them.
            tape: the `tf.GradientTape` that computed a tensor `loss`.
        """
        self.apply_gradients(self.compute_gradients(loss, var_list, tape))

    def compute_gradients(self, loss, var_list, tape: tf.GradientTape | None = None):
        """Returns `[(gradient, variable), ...]` for `loss`; see `minimize`.

        Raises:
            ValueError: if `loss` is a tensor and no `tape` is given.
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
        grads = tape.gradient(loss, var_list)
        return list(zip(grads, var_list))

    # kengine's update code is plain Python over TensorFlow ops: AutoGraph has
    # nothing to convert (tf_keras is on its do-not-convert list for the same
    # reason), and converting it would only slow every trace.
    @tf.autograph.experimental.do_not_convert
    def apply_gradients(
        self,
        grads_and_vars,
        name: str | None = None,
        skip_gradients_aggregation: bool = False,
        **kwargs,
    ):
        """Applies one optimization step (see the module docstring).

        Args:
            grads_and_vars: iterable of `(gradient, variable)` pairs.
            name: name scope for the slot variables (default: the optimizer's).
            skip_gradients_aggregation: True when the caller already summed the
                gradients across replicas.
            **kwargs: `experimental_aggregate_gradients` (Keras 2.x spelling of
                `not skip_gradients_aggregation`).

        Returns:
            The `iterations` variable (after the increment).

        Raises:
            RuntimeError: if called in cross-replica context of a strategy.
            ValueError: if no variable has a gradient.
        """
        aggregate = kwargs.pop("experimental_aggregate_gradients", True)
        if kwargs:
            raise TypeError(f"Invalid keyword arguments to apply_gradients: {kwargs}")
        aggregate = aggregate and not skip_gradients_aggregation
        grads_and_vars = list(grads_and_vars)
        if not grads_and_vars:
            return self._iterations
        if tf.distribute.in_cross_replica_context():
            raise RuntimeError(
                "`apply_gradients()` was called in a cross-replica context of "
                f"{type(tf.distribute.get_strategy()).__name__}. Call it inside "
                "`strategy.run(...)`, where each replica passes its own gradients."
            )
        with tf.name_scope(name or self.name or "optimizer"):
            with tf.init_scope():
                # Slots for every variable, with or without a gradient this step.
                self.build([v for _, v in grads_and_vars])
            grads_and_vars = utils.filter_empty_gradients(grads_and_vars)
            if aggregate and tf.distribute.has_strategy():
                grads_and_vars = utils.all_reduce_sum_gradients(grads_and_vars)
            grads, variables = zip(*grads_and_vars)
            grads = utils.clip_gradients(
                grads, self.clipnorm, self.global_clipnorm, self.clipvalue
            )
            grads_and_vars = [(utils.densify(g), v) for g, v in zip(grads, variables)]
            # Under the default strategy this calls the function directly.
            return tf.__internal__.distribute.interim.maybe_merge_call(
                self._distributed_apply, tf.distribute.get_strategy(), grads_and_vars
            )

    @tf.autograph.experimental.do_not_convert
    def _distributed_apply(self, distribution, grads_and_vars):
        """The cross-replica half of `apply_gradients`."""
        self._update_current_learning_rate()
        self._begin_step()
        for grad, var in grads_and_vars:
            # Runs `_apply_one` once per device copy of `var`.
            distribution.extended.update(
                var, self._apply_one, args=(grad,), group=False
            )
        return self._iterations.assign_add(1)

    @tf.autograph.experimental.do_not_convert
    def _apply_one(self, variable, gradient):
        """Updates one device copy of `variable`: decay, step, EMA, constraint."""
        if self._use_weight_decay(variable):
            lr = tf.cast(self.learning_rate, variable.dtype)
            wd = tf.cast(self.weight_decay, variable.dtype)
            variable.assign_sub(variable * wd * lr)
        key = self._var_key(variable)
        if key not in self._index_dict:
            raise KeyError(
                f"The optimizer cannot recognize variable {variable.name}. It was "
                "not in the list the optimizer was built with; call "
                "`optimizer.build(variables)` with the full list of trainable "
                "variables before the training loop."
            )
        if self.jit_compile:
            self._update_step_xla(gradient, variable, self._index_dict[key])
        else:
            self.update_step(gradient, variable)
        if self.use_ema:
            self._update_moving_average(variable)
        if getattr(variable, "constraint", None) is not None:
            variable.assign(variable.constraint(variable))

    @tf.function(jit_compile=True, autograph=False)
    def _update_step_xla(self, gradient, variable, index):
        # `index` (a Python int) gives each variable its own trace: variables of
        # equal shape would otherwise share one trace and one set of slots.
        del index
        self.update_step(gradient, variable)

    # ---------------------------------------------------- weight decay, EMA

    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Excludes variables from weight decay; call before the optimizer builds.

        Args:
            var_list: variables to exclude.
            var_names: regular expressions; a variable whose name matches any is
                excluded (e.g. `["bias"]`).

        Raises:
            ValueError: if the optimizer is already built.
        """
        if self._built:
            raise ValueError(
                "`exclude_from_weight_decay()` can only be configured before the "
                "optimizer is built."
            )
        self._exclude_from_weight_decay = [self._var_key(v) for v in var_list or []]
        self._exclude_from_weight_decay_names = list(var_names or [])

    def _use_weight_decay(self, variable) -> bool:
        if not self.weight_decay:
            return False
        container = utils.distributed_container(variable)
        if self._var_key(container) in self._exclude_from_weight_decay:
            return False
        return not any(
            re.search(pattern, container.name)
            for pattern in self._exclude_from_weight_decay_names
        )

    def _update_moving_average(self, variable) -> None:
        average = self._slot(self._model_variables_moving_average, variable)
        average.assign(self.ema_momentum * average + (1 - self.ema_momentum) * variable)
        if self.ema_overwrite_frequency:
            # A select, not a Python branch: the step count is a tensor.
            due = tf.equal((self._iterations + 1) % self.ema_overwrite_frequency, 0)
            variable.assign(tf.where(due, average, variable))

    def finalize_variable_values(self, var_list) -> None:
        """With `use_ema`, overwrites `var_list` with their moving averages.

        Call in cross-replica context (outside `strategy.run`), after training.
        """
        if not self.use_ema:
            return
        strategy = tf.distribute.get_strategy()
        for variable in var_list:
            average = self._slot(self._model_variables_moving_average, variable)
            strategy.extended.update(
                variable, lambda v, a: v.assign(a), args=(average,)
            )

    # ----------------------------------------------------------------- config

    def _serialize_hyperparameter(self, value):
        """A JSON-friendly value for a hyperparameter (schedule, variable, ...)."""
        if isinstance(value, schedules.LearningRateSchedule):
            return schedules.serialize(value)
        if isinstance(value, tf.Variable):
            return value.numpy().item()
        if callable(value):
            return value()
        return value

    def get_config(self) -> dict:
        """The constructor arguments, with tf_keras's keys, in its order."""
        return {
            "name": self.name,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "jit_compile": self.jit_compile,
            "is_legacy_optimizer": False,
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        """Creates an optimizer from `get_config()`'s output.

        Args:
            config: the config dict; a dict `learning_rate` is a serialized
                schedule.
            custom_objects: user classes by name, for custom schedules.

        Returns:
            A new optimizer (without any state).
        """
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(
                config["learning_rate"], custom_objects=custom_objects
            )
        return cls(**config)
