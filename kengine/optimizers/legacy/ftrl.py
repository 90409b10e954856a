"""Legacy `Ftrl`: Follow-The-Regularized-Leader, Keras 2.x style.

Mirrors tf_keras `optimizers/legacy/ftrl.py`. Slots, per variable in turn:
`accumulator` (starting at `initial_accumulator_value`), then `linear`. With
`p = -learning_rate_power` and `l2' = l2 + beta / (2 * lr)`:

    g' = g + 2 * l2_shrinkage * w
    accumulator_new = accumulator + g**2
    linear <- linear + g' - (accumulator_new**p - accumulator**p) / lr * w
    w <- (clip(linear, -l1, l1) - linear) / (accumulator_new**p / lr + 2 * l2')

(TensorFlow's `ResourceApplyFtrl(V2)`; the sparse kernels touch only the
gradient's rows.)

>>> import tensorflow as tf
>>> opt = Ftrl(learning_rate=0.1)
>>> var = tf.Variable(1.0, name="w")
>>> _ = opt.apply_gradients([(tf.constant(1.0), var)])
>>> [w.name for w in opt.weights]
['Ftrl/iter:0', 'Ftrl/w/accumulator:0', 'Ftrl/w/linear:0']
"""

import tensorflow as tf

from kengine.optimizers.ftrl import check_ftrl_arguments
from kengine.optimizers.legacy.optimizer_v2 import OptimizerV2

__all__ = ["Ftrl"]


class Ftrl(OptimizerV2):
    """FTRL-Proximal (McMahan et al., 2013) of the Keras 2.x optimizer family.

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        learning_rate_power: <= 0; how the per-coordinate rate falls.
        initial_accumulator_value: >= 0, starting value of `accumulator`.
        l1_regularization_strength: >= 0.
        l2_regularization_strength: >= 0 (stabilization penalty).
        name: the optimizer's name.
        l2_shrinkage_regularization_strength: >= 0 (magnitude penalty).
        beta: added to the denominator of the per-coordinate rate.
        **kwargs: `clipnorm`, `clipvalue`, `global_clipnorm`, `decay`, `lr`.

    Raises:
        ValueError: when one of the arguments is outside its range.
    """

    def __init__(
        self,
        learning_rate=0.001,
        learning_rate_power=-0.5,
        initial_accumulator_value=0.1,
        l1_regularization_strength=0.0,
        l2_regularization_strength=0.0,
        name="Ftrl",
        l2_shrinkage_regularization_strength=0.0,
        beta=0.0,
        **kwargs,
    ):
        super().__init__(name, **kwargs)
        check_ftrl_arguments(
            initial_accumulator_value=initial_accumulator_value,
            learning_rate_power=learning_rate_power,
            l1_regularization_strength=l1_regularization_strength,
            l2_regularization_strength=l2_regularization_strength,
            l2_shrinkage_regularization_strength=l2_shrinkage_regularization_strength,
        )
        # tf_keras reads `learning_rate` here, not its `lr` alias.
        self._set_hyper("learning_rate", learning_rate)
        self._set_hyper("decay", self._initial_decay)
        self._set_hyper("learning_rate_power", learning_rate_power)
        self._set_hyper("l1_regularization_strength", l1_regularization_strength)
        self._set_hyper("l2_regularization_strength", l2_regularization_strength)
        self._set_hyper("beta", beta)
        self._initial_accumulator_value = initial_accumulator_value
        self._l2_shrinkage_regularization_strength = (
            l2_shrinkage_regularization_strength
        )

    def _create_slots(self, var_list) -> None:
        for var in var_list:
            self.add_slot(var, "accumulator", self._initial_accumulator_value)
            self.add_slot(var, "linear")

    def _prepare_local(self, dtype, coefficients: dict) -> None:
        super()._prepare_local(dtype, coefficients)
        for name in (
            "learning_rate_power",
            "l1_regularization_strength",
            "l2_regularization_strength",
            "beta",
        ):
            coefficients[name] = tf.identity(self._get_hyper(name, dtype))
        coefficients["l2_shrinkage"] = tf.cast(
            self._l2_shrinkage_regularization_strength, dtype
        )

    def _args(self, var, grad, coefficients) -> dict:
        c = coefficients
        args = {
            "var": var.handle,
            "accum": self.get_slot(var, "accumulator").handle,
            "linear": self.get_slot(var, "linear").handle,
            "grad": grad,
            "lr": c["lr_t"],
            "l1": c["l1_regularization_strength"],
            "l2": c["l2_regularization_strength"] + c["beta"] / (2.0 * c["lr_t"]),
            "lr_power": c["learning_rate_power"],
        }
        if self._l2_shrinkage_regularization_strength > 0.0:
            args["l2_shrinkage"] = c["l2_shrinkage"]
        return args

    def _resource_apply_dense(self, grad, var, coefficients):
        args = self._args(var, grad, coefficients)
        if "l2_shrinkage" in args:
            return tf.raw_ops.ResourceApplyFtrlV2(**args)
        return tf.raw_ops.ResourceApplyFtrl(**args)

    def _resource_apply_sparse(self, grad, var, indices, coefficients):
        args = {**self._args(var, grad, coefficients), "indices": indices}
        if "l2_shrinkage" in args:
            return tf.raw_ops.ResourceSparseApplyFtrlV2(**args)
        return tf.raw_ops.ResourceSparseApplyFtrl(**args)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "learning_rate": self._serialize_hyperparameter("learning_rate"),
            "decay": self._initial_decay,
            "initial_accumulator_value": self._initial_accumulator_value,
            "learning_rate_power": self._serialize_hyperparameter(
                "learning_rate_power"
            ),
            "l1_regularization_strength": self._serialize_hyperparameter(
                "l1_regularization_strength"
            ),
            "l2_regularization_strength": self._serialize_hyperparameter(
                "l2_regularization_strength"
            ),
            "beta": self._serialize_hyperparameter("beta"),
            "l2_shrinkage_regularization_strength": (
                self._l2_shrinkage_regularization_strength
            ),
        }
