"""`kengine.preprocessing`: the Keras 2 namespace old code imports as
`keras.preprocessing`; re-exports only.

`image`, `sequence` and `text` hold the NumPy-era tools (`ImageDataGenerator`,
`TimeseriesGenerator`, `Tokenizer`, ...); the three `*_from_*` functions are
the `tf.data` utilities of `kengine.utils`, under their old names.
"""

from kengine.preprocessing import image, sequence, text
from kengine.utils.image_dataset import image_dataset_from_directory
from kengine.utils.text_dataset import text_dataset_from_directory
from kengine.utils.timeseries_dataset import timeseries_dataset_from_array
