"""Legacy `Adam`: bias-corrected moment estimates, Keras 2.x style.

Mirrors tf_keras `optimizers/legacy/adam.py`. Slots, in order: `m` for every
variable, then `v` for every variable, then `vhat` for every variable with
`amsgrad` (the 2.11+ `Adam` interleaves them per variable instead):

    t = iterations + 1
    m <- beta_1 * m + (1 - beta_1) * g
    v <- beta_2 * v + (1 - beta_2) * g**2
    vhat <- max(vhat, v); v = vhat                          (amsgrad only)
    w <- w - lr * sqrt(1 - beta_2**t) / (1 - beta_1**t) * m / (sqrt(v) + epsilon)

Dense updates run TensorFlow's `ResourceApplyAdam(WithAmsgrad)`; sparse ones
decay the whole of `m` and `v` and add the gradient's rows, as tf_keras does.

>>> import tensorflow as tf
>>> opt = Adam(learning_rate=0.1)
>>> var = tf.Variable(1.0, name="w")
>>> _ = opt.apply_gradients([(tf.constant(0.5), var)])
>>> round(float(var.numpy()), 5), [w.name for w in opt.weights]
(0.9, ['Adam/iter:0', 'Adam/w/m:0', 'Adam/w/v:0'])
"""

import tensorflow as tf

from kengine import backend
from kengine.optimizers.legacy.optimizer_v2 import OptimizerV2

__all__ = ["Adam"]


class Adam(OptimizerV2):
    """Adam of the Keras 2.x optimizer family (Kingma & Ba, 2014).

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        beta_1: decay rate of the first-moment estimate.
        beta_2: decay rate of the second-moment estimate.
        epsilon: small constant ("epsilon hat" of the paper).
        amsgrad: use the AMSGrad variant (Reddi et al., 2018).
        name: the optimizer's name.
        **kwargs: `clipnorm`, `clipvalue`, `global_clipnorm`, `decay`, `lr`.
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-07,
        amsgrad=False,
        name="Adam",
        **kwargs,
    ):
        super().__init__(name, **kwargs)
        self._init_learning_rate(learning_rate, kwargs)
        self._set_hyper("beta_1", beta_1)
        self._set_hyper("beta_2", beta_2)
        self.epsilon = epsilon or backend.epsilon()
        self.amsgrad = amsgrad

    def _create_slots(self, var_list) -> None:
        for name in ("m", "v", "vhat") if self.amsgrad else ("m", "v"):
            for var in var_list:
                self.add_slot(var, name)

    def _prepare_local(self, dtype, coefficients: dict) -> None:
        super()._prepare_local(dtype, coefficients)
        step = tf.cast(self.iterations + 1, dtype)
        beta_1 = tf.identity(self._get_hyper("beta_1", dtype))
        beta_2 = tf.identity(self._get_hyper("beta_2", dtype))
        beta_1_power = tf.pow(beta_1, step)
        beta_2_power = tf.pow(beta_2, step)
        coefficients.update(
            lr=coefficients["lr_t"] * tf.sqrt(1 - beta_2_power) / (1 - beta_1_power),
            epsilon=tf.convert_to_tensor(self.epsilon, dtype),
            beta_1_t=beta_1,
            beta_1_power=beta_1_power,
            one_minus_beta_1_t=1 - beta_1,
            beta_2_t=beta_2,
            beta_2_power=beta_2_power,
            one_minus_beta_2_t=1 - beta_2,
        )

    def _resource_apply_dense(self, grad, var, coefficients):
        args = {
            "var": var.handle,
            "m": self.get_slot(var, "m").handle,
            "v": self.get_slot(var, "v").handle,
            "beta1_power": coefficients["beta_1_power"],
            "beta2_power": coefficients["beta_2_power"],
            "lr": coefficients["lr_t"],
            "beta1": coefficients["beta_1_t"],
            "beta2": coefficients["beta_2_t"],
            "epsilon": coefficients["epsilon"],
            "grad": grad,
        }
        if self.amsgrad:
            args["vhat"] = self.get_slot(var, "vhat").handle
            return tf.raw_ops.ResourceApplyAdamWithAmsgrad(**args)
        return tf.raw_ops.ResourceApplyAdam(**args)

    def _resource_apply_sparse(self, grad, var, indices, coefficients):
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        m.assign(m * coefficients["beta_1_t"])
        m_t = m.scatter_add(
            tf.IndexedSlices(grad * coefficients["one_minus_beta_1_t"], indices)
        )
        v.assign(v * coefficients["beta_2_t"])
        v_t = v.scatter_add(
            tf.IndexedSlices(grad * grad * coefficients["one_minus_beta_2_t"], indices)
        )
        if self.amsgrad:
            v_hat = self.get_slot(var, "vhat")
            v_t = v_hat.assign(tf.maximum(v_hat, v_t))
        return var.assign_sub(
            coefficients["lr"] * m_t / (tf.sqrt(v_t) + coefficients["epsilon"])
        )

    def set_weights(self, weights) -> None:
        # An amsgrad file loads into a plain Adam: its extra `vhat` slots drop.
        num_vars = (len(self.weights) - 1) // 2
        if len(weights) == 3 * num_vars + 1:
            weights = weights[: len(self.weights)]
        super().set_weights(weights)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "learning_rate": self._serialize_hyperparameter("learning_rate"),
            "decay": self._initial_decay,
            "beta_1": self._serialize_hyperparameter("beta_1"),
            "beta_2": self._serialize_hyperparameter("beta_2"),
            "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
        }
