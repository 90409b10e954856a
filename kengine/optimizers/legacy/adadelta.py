"""Legacy `Adadelta`: steps scaled by running averages of gradients and updates.

Mirrors tf_keras `optimizers/legacy/adadelta.py`. Slots, in order:
`accum_grad` for every variable, then `accum_var` for every variable:

    accum_grad <- rho * accum_grad + (1 - rho) * g**2
    update = g * sqrt(accum_var + epsilon) / sqrt(accum_grad + epsilon)
    accum_var <- rho * accum_var + (1 - rho) * update**2
    w <- w - lr * update

(TensorFlow's `ResourceApplyAdadelta`; the sparse kernel touches only the
gradient's rows.)

>>> import tensorflow as tf
>>> opt = Adadelta(learning_rate=1.0)
>>> var = tf.Variable(1.0, name="w")
>>> _ = opt.apply_gradients([(tf.constant(1.0), var)])
>>> [w.name for w in opt.weights]
['Adadelta/iter:0', 'Adadelta/w/accum_grad:0', 'Adadelta/w/accum_var:0']
"""

import tensorflow as tf

from kengine import backend
from kengine.optimizers.legacy.optimizer_v2 import OptimizerV2

__all__ = ["Adadelta"]


class Adadelta(OptimizerV2):
    """Adadelta of the Keras 2.x optimizer family.

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        rho: decay rate of both running averages.
        epsilon: small constant for numerical stability.
        name: the optimizer's name.
        **kwargs: `clipnorm`, `clipvalue`, `global_clipnorm`, `decay`, `lr`.
    """

    _loads_weights_without_iter = True  # see OptimizerV2.set_weights

    def __init__(
        self, learning_rate=0.001, rho=0.95, epsilon=1e-07, name="Adadelta", **kwargs
    ):
        super().__init__(name, **kwargs)
        self._init_learning_rate(learning_rate, kwargs)
        self._set_hyper("rho", rho)
        self.epsilon = epsilon or backend.epsilon()

    def _create_slots(self, var_list) -> None:
        for var in var_list:
            self.add_slot(var, "accum_grad")
        for var in var_list:
            self.add_slot(var, "accum_var")

    def _prepare_local(self, dtype, coefficients: dict) -> None:
        super()._prepare_local(dtype, coefficients)
        coefficients["epsilon"] = tf.convert_to_tensor(self.epsilon, dtype)
        coefficients["rho"] = tf.identity(self._get_hyper("rho", dtype))

    def _args(self, var, grad, coefficients) -> dict:
        return {
            "var": var.handle,
            "accum": self.get_slot(var, "accum_grad").handle,
            "accum_update": self.get_slot(var, "accum_var").handle,
            "lr": coefficients["lr_t"],
            "rho": coefficients["rho"],
            "epsilon": coefficients["epsilon"],
            "grad": grad,
        }

    def _resource_apply_dense(self, grad, var, coefficients):
        return tf.raw_ops.ResourceApplyAdadelta(**self._args(var, grad, coefficients))

    def _resource_apply_sparse(self, grad, var, indices, coefficients):
        return tf.raw_ops.ResourceSparseApplyAdadelta(
            **self._args(var, grad, coefficients), indices=indices
        )

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "learning_rate": self._serialize_hyperparameter("learning_rate"),
            "decay": self._initial_decay,
            "rho": self._serialize_hyperparameter("rho"),
            "epsilon": self.epsilon,
        }
