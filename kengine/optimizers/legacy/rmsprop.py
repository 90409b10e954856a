"""Legacy `RMSprop`: divide by a running root-mean-square of the gradient.

Mirrors tf_keras `optimizers/legacy/rmsprop.py`. Slots, in order: `rms` for
every variable, then `momentum` (if momentum > 0), then `mg` (if centered):

    rms <- rho * rms + (1 - rho) * g**2
    mg <- rho * mg + (1 - rho) * g;  denom = rms - mg**2   (centered, else rms)
    without momentum:  w <- w - lr * g / (sqrt(denom) + epsilon)
    with momentum:     mom <- momentum * mom + lr * g / sqrt(denom + epsilon)
                       w <- w - mom

(Note where epsilon sits: the fused momentum kernels add it under the root.)

>>> import tensorflow as tf
>>> opt = RMSprop(learning_rate=0.01)
>>> var = tf.Variable(1.0, name="w")
>>> _ = opt.apply_gradients([(tf.constant(2.0), var)])
>>> [w.name for w in opt.weights]
['RMSprop/iter:0', 'RMSprop/w/rms:0']
"""

import tensorflow as tf

from kengine import backend
from kengine.optimizers.legacy.optimizer_v2 import OptimizerV2

__all__ = ["RMSprop"]


class RMSprop(OptimizerV2):
    """RMSprop of the Keras 2.x optimizer family.

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        rho: discounting factor of the squared-gradient average.
        momentum: float in [0, 1].
        epsilon: small constant for numerical stability.
        centered: normalize by the estimated variance, not the second moment.
        name: the optimizer's name.
        **kwargs: `clipnorm`, `clipvalue`, `global_clipnorm`, `decay`, `lr`.

    Raises:
        ValueError: if `momentum` is outside [0, 1].
    """

    _loads_weights_without_iter = True  # see OptimizerV2.set_weights

    def __init__(
        self,
        learning_rate=0.001,
        rho=0.9,
        momentum=0.0,
        epsilon=1e-07,
        centered=False,
        name="RMSprop",
        **kwargs,
    ):
        super().__init__(name, **kwargs)
        self._init_learning_rate(learning_rate, kwargs)
        self._set_hyper("rho", rho)
        self._momentum = (
            isinstance(momentum, tf.Tensor) or callable(momentum) or momentum > 0
        )
        if isinstance(momentum, int | float) and not 0 <= momentum <= 1:
            raise ValueError(
                "`momentum` must be between [0, 1]. Received: "
                f"momentum={momentum} (of type {type(momentum)})."
            )
        self._set_hyper("momentum", momentum)
        self.epsilon = epsilon or backend.epsilon()
        self.centered = centered

    def _create_slots(self, var_list) -> None:
        for var in var_list:
            self.add_slot(var, "rms")
        if self._momentum:
            for var in var_list:
                self.add_slot(var, "momentum")
        if self.centered:
            for var in var_list:
                self.add_slot(var, "mg")

    def _prepare_local(self, dtype, coefficients: dict) -> None:
        super()._prepare_local(dtype, coefficients)
        rho = tf.identity(self._get_hyper("rho", dtype))
        coefficients.update(
            neg_lr_t=-coefficients["lr_t"],
            epsilon=tf.convert_to_tensor(self.epsilon, dtype),
            rho=rho,
            momentum=tf.identity(self._get_hyper("momentum", dtype)),
            one_minus_rho=1.0 - rho,
        )

    def _fused_args(self, var, grad, coefficients) -> dict:
        args = {
            "var": var.handle,
            "ms": self.get_slot(var, "rms").handle,
            "mom": self.get_slot(var, "momentum").handle,
            "lr": coefficients["lr_t"],
            "rho": coefficients["rho"],
            "momentum": coefficients["momentum"],
            "epsilon": coefficients["epsilon"],
            "grad": grad,
        }
        if self.centered:
            args["mg"] = self.get_slot(var, "mg").handle
        return args

    def _resource_apply_dense(self, grad, var, coefficients):
        if self._momentum:
            args = self._fused_args(var, grad, coefficients)
            if self.centered:
                return tf.raw_ops.ResourceApplyCenteredRMSProp(**args)
            return tf.raw_ops.ResourceApplyRMSProp(**args)
        rms = self.get_slot(var, "rms")
        rms_t = rms.assign(
            coefficients["rho"] * rms + coefficients["one_minus_rho"] * tf.square(grad)
        )
        denom = rms_t
        if self.centered:
            mg = self.get_slot(var, "mg")
            mg_t = mg.assign(
                coefficients["rho"] * mg + coefficients["one_minus_rho"] * grad
            )
            denom = rms_t - tf.square(mg_t)
        return var.assign(
            var
            - coefficients["lr_t"] * grad / (tf.sqrt(denom) + coefficients["epsilon"])
        )

    def _resource_apply_sparse(self, grad, var, indices, coefficients):
        if self._momentum:
            args = {**self._fused_args(var, grad, coefficients), "indices": indices}
            if self.centered:
                return tf.raw_ops.ResourceSparseApplyCenteredRMSProp(**args)
            return tf.raw_ops.ResourceSparseApplyRMSProp(**args)
        rho, one_minus_rho = coefficients["rho"], coefficients["one_minus_rho"]
        rms = self.get_slot(var, "rms")
        # The whole slot decays; only the gradient's rows get the new term.
        rms.assign(rms * rho)
        rms.scatter_add(tf.IndexedSlices(grad * grad * one_minus_rho, indices))
        denom = tf.gather(rms, indices)
        if self.centered:
            mg = self.get_slot(var, "mg")
            mg.assign(mg * rho)
            mg.scatter_add(tf.IndexedSlices(grad * one_minus_rho, indices))
            denom = denom - tf.square(tf.gather(mg, indices))
        step = (
            coefficients["neg_lr_t"] * grad / (tf.sqrt(denom) + coefficients["epsilon"])
        )
        return var.scatter_add(tf.IndexedSlices(step, indices))

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "learning_rate": self._serialize_hyperparameter("learning_rate"),
            "decay": self._initial_decay,
            "rho": self._serialize_hyperparameter("rho"),
            "momentum": self._serialize_hyperparameter("momentum"),
            "epsilon": self.epsilon,
            "centered": self.centered,
        }
