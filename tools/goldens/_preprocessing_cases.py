"""The cases `preprocessing.py` runs through tf_keras: plain data, no TensorFlow.

A layer case is `(class name, constructor kwargs, adapt, call)`:
- adapt: None, or `(kind, data, adapt kwargs)`, kind one of `"list"`,
  `"array"`, `"ragged"` (a `tf.ragged.constant`) or `"dataset"` (the data
  sliced and batched by `adapt kwargs["dataset_batch"]`).
- call: `(kind, dtype, data)`, kind `"dense"` or `"ragged"`, or
  `("features", dtype, [data, ...])` for a list of inputs; optional 4th item:
  extra call kwargs as `(name, dtype, data)`.
The JSON golden repeats all of it, so the tests replay a case from the file.
"""

TEXT = [
    "The cat sat on the mat.",
    "The dog ate my homework!",
    "a cat, a dog; a BIRD?",
    "zebra",
    "The end. The END!",
]
TEXT_IN = ["the cat ate the zebra", "a bird sat, sat, sat!", "", "unknown words only"]
TEXT_IN_COLUMN = [[t] for t in TEXT_IN]
WORDS = [["a", "b", "a", "c"], ["b", "d"], ["a"], ["e", "a", "b", "b"]]
WORDS_IN = [["a", "z", "b"], ["", "d", "e"]]
INTS = [[3, 3, 5, 1], [1, 7, 7, 7], [9, 3, 0, 5]]
INTS_IN = [[3, 42, 7], [0, 1, 9]]
NUMBERS = [[(i * 37 % 101) / 10.0 - 3.0] for i in range(100)]
NUMBERS_IN = [[-3.0, -1.2, 0.0], [0.5, 2.2, 7.0]]

LAYER_CASES = {
    # TextVectorization: every output mode, standardize/split/ngrams options.
    "tv_int": (
        "TextVectorization",
        {},
        ("list", TEXT, {}),
        ("dense", "string", TEXT_IN),
    ),
    "tv_int_sequence": (
        "TextVectorization",
        {"max_tokens": 8, "output_sequence_length": 4},
        ("array", TEXT, {"batch_size": 2}),
        ("dense", "string", TEXT_IN_COLUMN),
    ),
    "tv_ragged": (
        "TextVectorization",
        {"ragged": True},
        ("list", TEXT, {}),
        ("dense", "string", TEXT_IN),
    ),
    "tv_multi_hot": (
        "TextVectorization",
        {"output_mode": "multi_hot"},
        ("list", TEXT, {}),
        ("dense", "string", TEXT_IN),
    ),
    "tv_count_padded": (
        "TextVectorization",
        {"output_mode": "count", "max_tokens": 20, "pad_to_max_tokens": True},
        ("list", TEXT, {}),
        ("dense", "string", TEXT_IN),
    ),
    "tv_tf_idf_bigrams": (
        "TextVectorization",
        {"output_mode": "tf_idf", "ngrams": 2},
        ("list", TEXT, {}),
        ("dense", "string", TEXT_IN),
    ),
    "tv_sparse": (
        "TextVectorization",
        {"output_mode": "multi_hot", "sparse": True, "max_tokens": 6},
        ("list", TEXT, {}),
        ("dense", "string", TEXT_IN),
    ),
    "tv_lower_characters": (
        "TextVectorization",
        {"standardize": "lower", "split": "character", "output_sequence_length": 8},
        ("list", TEXT, {}),
        ("dense", "string", TEXT_IN),
    ),
    "tv_strip_ngrams_tuple": (
        "TextVectorization",
        {"standardize": "strip_punctuation", "ngrams": (1, 3), "max_tokens": 15},
        ("list", TEXT, {}),
        ("dense", "string", TEXT_IN),
    ),
    "tv_no_split": (
        "TextVectorization",
        {"standardize": None, "split": None, "output_mode": "multi_hot"},
        ("list", ["a b", "c", "a b", "d"], {}),
        ("dense", "string", [["a b"], ["c"], ["z"]]),
    ),
    "tv_dataset_steps": (
        "TextVectorization",
        {"max_tokens": 10},
        ("dataset", TEXT, {"dataset_batch": 2, "steps": 2}),
        ("dense", "string", TEXT_IN),
    ),
    "tv_vocabulary": (
        "TextVectorization",
        {"vocabulary": ["the", "cat", "sat", "bird"], "output_sequence_length": 5},
        None,
        ("dense", "string", TEXT_IN),
    ),
    "tv_tf_idf_vocabulary": (
        "TextVectorization",
        {
            "vocabulary": ["the", "cat", "sat"],
            "idf_weights": [0.5, 1.5, 2.5],
            "output_mode": "tf_idf",
        },
        None,
        ("dense", "string", TEXT_IN),
    ),
    # StringLookup.
    "sl_int_mask_two_oov": (
        "StringLookup",
        {"mask_token": "", "num_oov_indices": 2},
        ("ragged", WORDS, {}),
        ("dense", "string", WORDS_IN),
    ),
    "sl_one_hot": (
        "StringLookup",
        {"vocabulary": ["a", "b", "c"], "output_mode": "one_hot"},
        None,
        ("dense", "string", ["a", "c", "q", "b"]),
    ),
    "sl_multi_hot_max_tokens": (
        "StringLookup",
        {"output_mode": "multi_hot", "max_tokens": 4, "pad_to_max_tokens": True},
        ("ragged", WORDS, {}),
        ("dense", "string", WORDS_IN),
    ),
    "sl_count": (
        "StringLookup",
        {"output_mode": "count"},
        ("array", ["a", "b", "b", "c", "c", "c"], {}),
        ("dense", "string", [["c", "c", "a"], ["b", "x", "x"]]),
    ),
    "sl_tf_idf": (
        "StringLookup",
        {"output_mode": "tf_idf"},
        ("ragged", WORDS, {}),
        ("dense", "string", WORDS_IN),
    ),
    "sl_invert": (
        "StringLookup",
        {"vocabulary": ["a", "b", "c"], "invert": True, "mask_token": "[MASK]"},
        None,
        ("dense", "int64", [[0, 1, 2], [3, 4, 1]]),
    ),
    "sl_vocabulary_with_oov": (
        "StringLookup",
        {"vocabulary": ["[UNK]", "x", "y"]},
        None,
        ("ragged", "string", [["x", "z"], ["y"]]),
    ),
    "sl_no_oov_indices": (
        "StringLookup",
        {"vocabulary": ["x", "y"], "num_oov_indices": 0},
        None,
        ("dense", "string", [["y", "x"]]),
    ),
    # IntegerLookup.
    "il_int": ("IntegerLookup", {}, ("array", INTS, {}), ("dense", "int64", INTS_IN)),
    "il_mask_two_oov": (
        "IntegerLookup",
        {"mask_token": 0, "num_oov_indices": 2},
        ("array", INTS, {}),
        ("dense", "int64", INTS_IN),
    ),
    "il_invert": (
        "IntegerLookup",
        {"vocabulary": [12, 36, 1138], "invert": True},
        None,
        ("dense", "int64", [[1, 2, 3, 0]]),
    ),
    "il_one_hot": (
        "IntegerLookup",
        {"vocabulary": [5, 9], "output_mode": "one_hot"},
        None,
        ("dense", "int64", [[5], [9], [4]]),
    ),
    "il_count_max_tokens": (
        "IntegerLookup",
        {"output_mode": "count", "max_tokens": 4},
        ("list", INTS, {}),
        ("dense", "int64", INTS_IN),
    ),
    # Hashing and HashedCrossing.
    "hash_strings": ("Hashing", {"num_bins": 5}, None, ("dense", "string", WORDS_IN)),
    "hash_salt": (
        "Hashing",
        {"num_bins": 7, "salt": 133},
        None,
        ("dense", "string", WORDS_IN),
    ),
    "hash_salt_pair_ints": (
        "Hashing",
        {"num_bins": 7, "salt": [17, 23]},
        None,
        ("dense", "int64", INTS_IN),
    ),
    "hash_mask_value": (
        "Hashing",
        {"num_bins": 4, "mask_value": ""},
        None,
        ("dense", "string", WORDS_IN),
    ),
    "hash_one_hot": (
        "Hashing",
        {"num_bins": 4, "output_mode": "one_hot"},
        None,
        ("dense", "string", ["a", "b", "c"]),
    ),
    "hash_count_sparse": (
        "Hashing",
        {"num_bins": 4, "output_mode": "count", "sparse": True},
        None,
        ("dense", "int64", INTS_IN),
    ),
    "crossing_int": (
        "HashedCrossing",
        {"num_bins": 10},
        None,
        ("features", ["string", "int64"], [["A", "B", "A", "C"], [101, 101, 102, 5]]),
    ),
    "crossing_one_hot": (
        "HashedCrossing",
        {"num_bins": 4, "output_mode": "one_hot"},
        None,
        ("features", ["string", "string"], [[["A"], ["B"]], [["x"], ["y"]]]),
    ),
    # CategoryEncoding.
    "ce_one_hot": (
        "CategoryEncoding",
        {"num_tokens": 4, "output_mode": "one_hot"},
        None,
        ("dense", "int64", [3, 2, 0, 1]),
    ),
    "ce_multi_hot": (
        "CategoryEncoding",
        {"num_tokens": 5},
        None,
        ("dense", "int64", [[0, 1, 1], [4, 4, 2]]),
    ),
    "ce_count_weights": (
        "CategoryEncoding",
        {"num_tokens": 4, "output_mode": "count"},
        None,
        (
            "dense",
            "int64",
            [[0, 1, 1], [3, 3, 2]],
            ("count_weights", "float32", [[0.5, 1.0, 2.0], [1.5, 0.25, 1.0]]),
        ),
    ),
    "ce_sparse": (
        "CategoryEncoding",
        {"num_tokens": 3, "output_mode": "count", "sparse": True},
        None,
        ("dense", "int64", [[0, 2, 2], [1, 1, 0]]),
    ),
    # Discretization.
    "disc_boundaries": (
        "Discretization",
        {"bin_boundaries": [-1.0, 0.0, 1.5]},
        None,
        ("dense", "float32", NUMBERS_IN),
    ),
    "disc_adapt": (
        "Discretization",
        {"num_bins": 4},
        ("array", NUMBERS, {}),
        ("dense", "float32", NUMBERS_IN),
    ),
    "disc_adapt_epsilon_batches": (
        "Discretization",
        {"num_bins": 5, "epsilon": 0.05, "output_mode": "one_hot"},
        ("array", NUMBERS, {"batch_size": 7}),
        ("dense", "float32", [0.0, 1.0, -2.5, 6.9]),
    ),
    "disc_multi_hot": (
        "Discretization",
        {"bin_boundaries": [0.0, 1.0], "output_mode": "multi_hot"},
        None,
        ("dense", "float32", NUMBERS_IN),
    ),
    "disc_count": (
        "Discretization",
        {"num_bins": 3, "output_mode": "count"},
        ("dataset", NUMBERS, {"dataset_batch": 16}),
        ("dense", "float32", NUMBERS_IN),
    ),
    # Normalization.
    "norm_adapt": (
        "Normalization",
        {},
        ("array", [[1.0, 10.0, -3.0], [2.0, 20.0, 3.0], [4.0, 15.0, 0.0]], {}),
        ("dense", "float32", [[1.0, 15.0, 0.0], [3.0, 5.0, 9.0]]),
    ),
    "norm_axis_none_batches": (
        "Normalization",
        {"axis": None},
        ("array", [[float(i * i % 11)] for i in range(40)], {"batch_size": 6}),
        ("dense", "float32", [[0.0], [5.0], [10.0]]),
    ),
    "norm_axis_pair": (
        "Normalization",
        {"axis": (1, 2)},
        (
            "array",
            [
                [[float(i + j * k) for k in range(2)] for j in range(3)]
                for i in range(5)
            ],
            {},
        ),
        ("dense", "float32", [[[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]]),
    ),
    "norm_given": (
        "Normalization",
        {"mean": [1.0, 2.0], "variance": [4.0, 0.25]},
        None,
        ("dense", "float32", [[1.0, 2.0], [3.0, 3.0]]),
    ),
    "norm_invert": (
        "Normalization",
        {"mean": 2.0, "variance": 9.0, "invert": True},
        None,
        ("dense", "float32", [[0.0, 1.0], [-1.0, 2.0]]),
    ),
    "norm_adapt_dataset_rows": (
        "Normalization",
        {},
        ("dataset", [[1.0, 2.0], [3.0, 6.0], [5.0, 4.0]], {"dataset_batch": None}),
        ("dense", "float32", [[1.0, 2.0]]),
    ),
}

# Image layers: (class name, kwargs, input name); inputs are made in the generator.
IMAGE_CASES = {
    **{
        f"resizing_{method}": (
            "Resizing",
            {"height": 4, "width": 5, "interpolation": method},
            "batch",
        )
        for method in (
            "bilinear",
            "nearest",
            "bicubic",
            "area",
            "lanczos3",
            "lanczos5",
            "gaussian",
            "mitchellcubic",
        )
    },
    "resizing_up_crop": (
        "Resizing",
        {"height": 9, "width": 7, "crop_to_aspect_ratio": True},
        "batch",
    ),
    "resizing_nearest_crop_uint8": (
        "Resizing",
        {
            "height": 3,
            "width": 3,
            "interpolation": "nearest",
            "crop_to_aspect_ratio": True,
        },
        "uint8",
    ),
    "center_crop": ("CenterCrop", {"height": 4, "width": 4}, "batch"),
    "center_crop_upsize": ("CenterCrop", {"height": 8, "width": 10}, "single"),
    "rescaling_uint8": ("Rescaling", {"scale": 1.0 / 127.5, "offset": -1.0}, "uint8"),
    "rescaling_per_channel": ("Rescaling", {"scale": [0.5, 1.0, 2.0]}, "batch"),
}

# Random layers (seeded): tf_keras's first and second training outputs.
RANDOM_CASES = {
    "flip": ("RandomFlip", {"seed": 11}, "batch"),
    "flip_horizontal_single": (
        "RandomFlip",
        {"mode": "horizontal", "seed": 3},
        "single",
    ),
    "flip_vertical": ("RandomFlip", {"mode": "vertical", "seed": 5}, "batch"),
    "rotation": ("RandomRotation", {"factor": 0.2, "seed": 1}, "batch"),
    "rotation_constant_nearest": (
        "RandomRotation",
        {
            "factor": (-0.3, 0.1),
            "fill_mode": "constant",
            "fill_value": 9.0,
            "interpolation": "nearest",
            "seed": 2,
        },
        "single",
    ),
    "zoom": ("RandomZoom", {"height_factor": 0.3, "seed": 4}, "batch"),
    "zoom_both_wrap": (
        "RandomZoom",
        {
            "height_factor": (-0.4, -0.1),
            "width_factor": (0.1, 0.5),
            "fill_mode": "wrap",
            "seed": 6,
        },
        "batch",
    ),
    "translation": (
        "RandomTranslation",
        {"height_factor": 0.2, "width_factor": (-0.3, 0.1), "seed": 8},
        "batch",
    ),
    "translation_nearest_fill": (
        "RandomTranslation",
        {"height_factor": 0.5, "width_factor": 0.5, "fill_mode": "nearest", "seed": 9},
        "single",
    ),
    "contrast": ("RandomContrast", {"factor": 0.5, "seed": 10}, "batch"),
    "contrast_pair": ("RandomContrast", {"factor": (0.1, 0.9), "seed": 12}, "single"),
    "crop": ("RandomCrop", {"height": 4, "width": 5, "seed": 13}, "batch"),
    "crop_larger_than_image": (
        "RandomCrop",
        {"height": 8, "width": 9, "seed": 14},
        "batch",
    ),
    "height": ("RandomHeight", {"factor": 0.4, "seed": 15}, "batch"),
    "width_nearest": (
        "RandomWidth",
        {"factor": (-0.2, 0.6), "interpolation": "nearest", "seed": 16},
        "batch",
    ),
    "brightness": ("RandomBrightness", {"factor": 0.3, "seed": 17}, "batch"),
    "brightness_unit_range": (
        "RandomBrightness",
        {"factor": (-0.2, 0.5), "value_range": (0, 1), "seed": 18},
        "unit",
    ),
}
