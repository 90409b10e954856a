"""`keras.preprocessing.sequence`: the Keras 2 helpers for sequence data.

- `pad_sequences`: the same function as `kengine.utils.pad_sequences`.
- `TimeseriesGenerator`: a `Sequence` of `(windows, targets)` batches over an
  array, for `fit` (the `tf.data` successor is
  `utils.timeseries_dataset_from_array`).
- `make_sampling_table` / `skipgrams`: word2vec-style training pairs, with
  frequent words sampled less often.

`skipgrams` draws from Python's global `random` module and reseeds it with
`seed` before shuffling, as Keras 2 does, so seeding `random` (and passing
`seed`) reproduces Keras 2's pairs exactly.

Mirrors tf_keras/src/preprocessing/sequence.py: `TimeseriesGenerator`,
`make_sampling_table`, `skipgrams`; and `pad_sequences` from
tf_keras/src/utils/data_utils.py.
"""

import json
import random

import numpy as np

from kengine.utils.data_utils import Sequence, pad_sequences

__all__ = ["TimeseriesGenerator", "make_sampling_table", "pad_sequences", "skipgrams"]


class TimeseriesGenerator(Sequence):
    """Batches of windows over a time series, with the target after each.

    The sample for row `r` is `data[r - length : r : sampling_rate]` and its
    target is `targets[r]`; rows run from `start_index + length` to
    `end_index` (inclusive), `stride` apart.

    >>> gen = TimeseriesGenerator(np.arange(6), np.arange(6), length=2,
    ...                           batch_size=2)
    >>> x, y = gen[0]
    >>> x.tolist(), y.tolist()
    ([[0, 1], [1, 2]], [2, 3])

    Args:
        data: Indexable timesteps (list or array), axis 0 is time.
        targets: One target per timestep, same length as `data`.
        length: Number of timesteps a window spans (before sampling).
        sampling_rate: Steps between the timesteps kept in a window.
        stride: Steps between consecutive windows.
        start_index: First timestep a window may use.
        end_index: Last timestep a window may end before (default
            `len(data) - 1`).
        shuffle: Draw the rows of each batch at random (with replacement)
            instead of in order.
        reverse: Yield each window in reverse time order.
        batch_size: Windows per batch (the last batch may be shorter).

    Raises:
        ValueError: if `data` and `targets` differ in length, or no row is
            left between `start_index + length` and `end_index`.
    """

    def __init__(
        self,
        data,
        targets,
        length,
        sampling_rate=1,
        stride=1,
        start_index=0,
        end_index=None,
        shuffle=False,
        reverse=False,
        batch_size=128,
    ):
        if len(data) != len(targets):
            raise ValueError(
                "`data` and `targets` must have the same length. Received: "
                f"len(data)={len(data)}, len(targets)={len(targets)}"
            )
        self.data = data
        self.targets = targets
        self.length = length
        self.sampling_rate = sampling_rate
        self.stride = stride
        # The first row that has `length` steps before it.
        self.start_index = start_index + length
        self.end_index = len(data) - 1 if end_index is None else end_index
        self.shuffle = shuffle
        self.reverse = reverse
        self.batch_size = batch_size
        if self.start_index > self.end_index:
            raise ValueError(
                f"`start_index+length={self.start_index} > "
                f"end_index={self.end_index}` leaves no timestep to predict. "
                f"Received: start_index={start_index}, length={length}, "
                f"end_index={end_index}"
            )

    def __len__(self) -> int:
        span = self.batch_size * self.stride
        return (self.end_index - self.start_index + span) // span

    def _rows(self, index: int) -> np.ndarray:
        if self.shuffle:
            # Keras 2 draws the rows with replacement from the global NumPy RNG.
            return np.random.randint(
                self.start_index, self.end_index + 1, size=self.batch_size
            )
        first = self.start_index + self.batch_size * self.stride * index
        last = min(first + self.batch_size * self.stride, self.end_index + 1)
        return np.arange(first, last, self.stride)

    def __getitem__(self, index):
        rows = self._rows(index)
        samples = np.array(
            [self.data[row - self.length : row : self.sampling_rate] for row in rows]
        )
        targets = np.array([self.targets[row] for row in rows])
        if self.reverse:
            return samples[:, ::-1, ...], targets
        return samples, targets

    def get_config(self) -> dict:
        """The generator's arguments; `data` and `targets` as JSON strings.

        Raises:
            TypeError: if `data` or `targets` cannot be written as JSON.
        """
        config = {"data": self.data, "targets": self.targets}
        for name, value in config.items():
            if isinstance(value, np.ndarray):
                value = value.tolist()
            try:
                config[name] = json.dumps(value)
            except TypeError as err:
                raise TypeError(
                    f"`{name}` is not JSON serializable: {value!r}"
                ) from err
        return {
            **config,
            "length": self.length,
            "sampling_rate": self.sampling_rate,
            "stride": self.stride,
            "start_index": self.start_index,
            "end_index": self.end_index,
            "shuffle": self.shuffle,
            "reverse": self.reverse,
            "batch_size": self.batch_size,
        }

    def to_json(self, **kwargs) -> str:
        """`{"class_name": ..., "config": get_config()}` as a JSON string.

        Args:
            **kwargs: Passed to `json.dumps`.
        """
        return json.dumps(
            {"class_name": type(self).__name__, "config": self.get_config()}, **kwargs
        )


def make_sampling_table(size: int, sampling_factor: float = 1e-5) -> np.ndarray:
    """The probability of keeping the word of each frequency rank.

    Word ranks follow Zipf's law: the word of rank `r` has a frequency of
    about `1 / (r * (ln r + gamma))`. A word is kept with probability
    `min(1, sqrt(sampling_factor / frequency))`, so frequent words (low
    ranks) are dropped most.

    >>> make_sampling_table(4).round(5).tolist()
    [0.00315, 0.00315, 0.00548, 0.00742]

    Args:
        size: Vocabulary size.
        sampling_factor: The word2vec sampling factor.

    Returns:
        A float array of `size` probabilities (index 0 counts as rank 1).
    """
    gamma = 0.577  # Euler-Mascheroni, for the harmonic-number approximation.
    rank = np.arange(size)
    rank[0] = 1
    inv_fq = rank * (np.log(rank) + gamma) + 0.5 - 1.0 / (12.0 * rank)
    f = sampling_factor * inv_fq
    return np.minimum(1.0, f / np.sqrt(f))


def _positive_couples(sequence, window_size, categorical, sampling_table):
    couples, labels = [], []
    for i, wi in enumerate(sequence):
        if not wi:  # 0 is the padding index, never a word.
            continue
        if sampling_table is not None and sampling_table[wi] < random.random():
            continue
        window_start = max(0, i - window_size)
        window_end = min(len(sequence), i + window_size + 1)
        for j in range(window_start, window_end):
            if j != i and sequence[j]:
                couples.append([wi, sequence[j]])
                labels.append([0, 1] if categorical else 1)
    return couples, labels


def skipgrams(
    sequence,
    vocabulary_size,
    window_size=4,
    negative_samples=1.0,
    shuffle=True,
    categorical=False,
    sampling_table=None,
    seed=None,
):
    """Word pairs for skip-gram training: neighbours (label 1) and random
    words (label 0).

    Args:
        sequence: Word indices (0 is skipped as padding).
        vocabulary_size: One more than the largest word index.
        window_size: How far a neighbour may be, on each side.
        negative_samples: Negative pairs per positive pair (>= 0).
        shuffle: Whether to shuffle the pairs.
        categorical: Labels as `[0, 1]`/`[1, 0]` instead of 1/0.
        sampling_table: Keep probability per word index (see
            `make_sampling_table`).
        seed: Seed of the final shuffle.

    Returns:
        `(couples, labels)`: lists of `[word, context]` pairs and labels.
    """
    couples, labels = _positive_couples(
        sequence, window_size, categorical, sampling_table
    )
    if negative_samples > 0:
        num_negative = int(len(labels) * negative_samples)
        words = [c[0] for c in couples]
        random.shuffle(words)
        couples += [
            [words[i % len(words)], random.randint(1, int(vocabulary_size - 1))]
            for i in range(num_negative)
        ]
        labels += [[1, 0] if categorical else 0] * num_negative
    if shuffle:
        if seed is None:
            seed = random.randint(0, int(10e6))
        # The same seeded permutation for couples and labels. Keras 2 reseeds
        # the global `random`, and so does kengine: later draws match too.
        random.seed(seed)
        random.shuffle(couples)
        random.seed(seed)
        random.shuffle(labels)
    return couples, labels
