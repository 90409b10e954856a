"""Legacy `Adagrad`: per-coordinate learning rates from accumulated squares.

Mirrors tf_keras `optimizers/legacy/adagrad.py`. One `accumulator` slot per
variable, starting at `initial_accumulator_value`:

    accumulator <- accumulator + g**2
    w <- w - lr * g / (sqrt(accumulator) + epsilon)

(TensorFlow's `ResourceApplyAdagradV2`; the sparse kernel touches only the
gradient's rows.)

>>> import tensorflow as tf
>>> opt = Adagrad(learning_rate=0.1)
>>> var = tf.Variable([1.0], name="w")
>>> _ = opt.apply_gradients([(tf.constant([1.0]), var)])
>>> [round(float(v), 5) for v in opt.get_weights()[1]]
[1.1]
"""

import tensorflow as tf

from kengine import backend
from kengine.optimizers.legacy.optimizer_v2 import OptimizerV2

__all__ = ["Adagrad"]


class Adagrad(OptimizerV2):
    """Adagrad of the Keras 2.x optimizer family.

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        initial_accumulator_value: starting value of the accumulators (>= 0).
        epsilon: small constant for numerical stability.
        name: the optimizer's name.
        **kwargs: `clipnorm`, `clipvalue`, `global_clipnorm`, `decay`, `lr`.

    Raises:
        ValueError: for a negative `initial_accumulator_value`.
    """

    _loads_weights_without_iter = True  # see OptimizerV2.set_weights

    def __init__(
        self,
        learning_rate=0.001,
        initial_accumulator_value=0.1,
        epsilon=1e-07,
        name="Adagrad",
        **kwargs,
    ):
        if initial_accumulator_value < 0.0:
            raise ValueError(
                "initial_accumulator_value must be non-negative: "
                f"{initial_accumulator_value}"
            )
        super().__init__(name, **kwargs)
        self._init_learning_rate(learning_rate, kwargs)
        self._initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon or backend.epsilon()

    def _create_slots(self, var_list) -> None:
        for var in var_list:
            self.add_slot(var, "accumulator", self._initial_accumulator_value)

    def _prepare_local(self, dtype, coefficients: dict) -> None:
        super()._prepare_local(dtype, coefficients)
        coefficients["epsilon"] = tf.convert_to_tensor(self.epsilon, dtype)

    def _resource_apply_dense(self, grad, var, coefficients):
        return tf.raw_ops.ResourceApplyAdagradV2(
            var=var.handle,
            accum=self.get_slot(var, "accumulator").handle,
            lr=coefficients["lr_t"],
            epsilon=coefficients["epsilon"],
            grad=grad,
        )

    def _resource_apply_sparse(self, grad, var, indices, coefficients):
        return tf.raw_ops.ResourceSparseApplyAdagradV2(
            var=var.handle,
            accum=self.get_slot(var, "accumulator").handle,
            lr=coefficients["lr_t"],
            epsilon=coefficients["epsilon"],
            grad=grad,
            indices=indices,
        )

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        config = dict(config)
        config.setdefault("initial_accumulator_value", 0.1)
        return super().from_config(config, custom_objects)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "learning_rate": self._serialize_hyperparameter("learning_rate"),
            "decay": self._initial_decay,
            "initial_accumulator_value": self._initial_accumulator_value,
            "epsilon": self.epsilon,
        }
