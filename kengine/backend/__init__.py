"""`kengine.backend`, imported by users as `K`: only what Keras 2 users call as `K.*`.

Keras 2's `backend.py` is a 7,500-line grab bag; kengine keeps just the public
helpers users write custom losses and metrics with, plus the name counters:
`common` (floatx, epsilon, uids, clear_session, math helpers), `math_ops`
(trigonometry, activations, folds), `tensors` (one_hot, eye, gather, repeats,
padding, variable updates), `random_ops` (random tensors and variables),
`phase` (the learning phase; graph-mode names that raise), `losses`
(crossentropies) and `ctc` (`ctc_batch_cost`, `ctc_decode`).
"""

from kengine.backend.common import *  # noqa: F403
from kengine.backend.ctc import *  # noqa: F403
from kengine.backend.losses import *  # noqa: F403
from kengine.backend.math_ops import *  # noqa: F403
from kengine.backend.phase import *  # noqa: F403
from kengine.backend.random_ops import *  # noqa: F403
from kengine.backend.tensors import *  # noqa: F403
