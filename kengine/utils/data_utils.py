"""Data utilities: the `Sequence` base class and cached, verified file downloads.

- `Sequence`: an indexable source of batches (`__getitem__`, `__len__`,
  optional `on_epoch_end`) that `fit` accepts as `x`; the data adapter visits
  every batch exactly once per epoch, optionally shuffled.
- `get_file`: downloads `origin` into a cache (`~/.keras/datasets/` by default,
  the directory tf_keras uses, so files it cached are found again) unless the
  file is already there, checks it against a sha256 or md5 hash, and optionally
  extracts a tar or zip archive. Any URL `urllib` opens works, `file://`
  included. The download is written to a temporary name and renamed, so an
  interrupted download never looks like a cached file.
- `validate_file`: compares a file's hash with an expected one.

Mirrors tf_keras/src/utils/data_utils.py: `Sequence`, `get_file`,
`validate_file`, `_hash_file`, `_extract_archive`.
"""

import hashlib
import os
import tarfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile

import numpy as np

from kengine.utils.progbar import Progbar

__all__ = ["Sequence", "get_file", "validate_file", "pad_sequences"]

_CHUNK_SIZE = 65535


class Sequence:
    """Base class for a dataset that is read batch by batch, by index.

    Implement `__getitem__(index)` to return the complete batch `index` (as
    `x`, `(x, y)` or `(x, y, sample_weight)`) and `__len__` to return the number
    of batches. Override `on_epoch_end` to change the data between epochs.
    Unlike a generator, a `Sequence` lets `fit` see every batch exactly once per
    epoch, in order or shuffled. `fit(..., workers=n)` with `n > 1` fetches
    batches in `n` threads, in order; `use_multiprocessing=True` is accepted
    and also uses threads (a `Sequence` need not be picklable).

    >>> class Squares(Sequence):
    ...     def __len__(self):
    ...         return 3
    ...     def __getitem__(self, index):
    ...         return index * index
    >>> list(Squares())
    [0, 1, 4]
    """

    def __getitem__(self, index):
        """Returns batch number `index`."""
        raise NotImplementedError

    def __len__(self) -> int:
        """Returns the number of batches in the sequence."""
        raise NotImplementedError

    def on_epoch_end(self) -> None:
        """Called at the end of every epoch."""

    def __iter__(self):
        """Yields the batches in order."""
        for index in range(len(self)):
            yield self[index]


def _resolve_hasher(algorithm: str, file_hash: str | None = None):
    """A fresh `hashlib` hasher; `"auto"` means sha256 for 64-hex-digit hashes."""
    if algorithm == "sha256":
        return hashlib.sha256()
    if algorithm == "auto" and file_hash is not None and len(file_hash) == 64:
        return hashlib.sha256()
    return hashlib.md5()  # Legacy checksums (32 hex digits).


def _hash_file(fpath, algorithm="sha256", chunk_size: int = _CHUNK_SIZE) -> str:
    """Returns the hex digest of a file, read in chunks.

    Args:
        fpath: Path to the file.
        algorithm: `"sha256"`, `"md5"` or `"auto"` (sha256), or a `hashlib`
            hasher object.
        chunk_size: Bytes read at a time.
    """
    hasher = _resolve_hasher(algorithm) if isinstance(algorithm, str) else algorithm
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(
    fpath, file_hash: str, algorithm: str = "auto", chunk_size: int = _CHUNK_SIZE
) -> bool:
    """Whether the file at `fpath` has the hash `file_hash`.

    Args:
        fpath: Path to the file.
        file_hash: The expected sha256 or md5 hex digest.
        algorithm: `"sha256"`, `"md5"`, or `"auto"` to pick sha256 for a
            64-character hash and md5 otherwise.
        chunk_size: Bytes read at a time.

    Returns:
        `True` if the hashes match.
    """
    hasher = _resolve_hasher(algorithm, file_hash)
    return str(_hash_file(fpath, hasher, chunk_size)) == str(file_hash)


def _extract_archive(file_path, path=".", archive_format="auto") -> bool:
    """Extracts a tar (plain, gz, bz2, xz) or zip archive into `path`.

    Args:
        file_path: The archive.
        path: Where to extract it.
        archive_format: `"tar"`, `"zip"`, a list of them, `"auto"` (both) or
            `None` (none).

    Returns:
        `True` if the file was an archive of an allowed format and was extracted.
    """
    if archive_format is None:
        return False
    if archive_format == "auto":
        archive_format = ["tar", "zip"]
    if isinstance(archive_format, str):
        archive_format = [archive_format]
    file_path, path = os.fspath(file_path), os.fspath(path)
    # Keras 2 deletes `path` when an extraction fails; `path` is the whole cache
    # directory, so kengine leaves it alone and lets the error through.
    for kind in archive_format:
        if kind == "tar" and tarfile.is_tarfile(file_path):
            with tarfile.open(file_path) as archive:
                # The "data" filter refuses members that would land outside
                # `path` (absolute names, `..`, links), as Keras 2's filter does.
                archive.extractall(path, filter="data")
            return True
        if kind == "zip" and zipfile.is_zipfile(file_path):
            with zipfile.ZipFile(file_path) as archive:
                archive.extractall(path)  # zipfile strips `..` and roots itself.
            return True
    return False


def _offline_hint(origin: str, fpath: str) -> str:
    """Tells an offline user which file to fetch and where to put it."""
    return (
        f"Without network access, download {origin} on another machine and "
        f"copy it to {fpath}."
    )


def _download(origin: str, fpath: str) -> None:
    """Downloads `origin` to `fpath` through a temporary file, with a progress bar."""
    partial = fpath + ".part"
    try:
        with urllib.request.urlopen(origin) as response, open(partial, "wb") as out:
            length = response.headers.get("Content-Length")
            progbar = Progbar(int(length) if length else None)
            done = 0
            while chunk := response.read(8192):
                out.write(chunk)
                done += len(chunk)
                progbar.update(done)
        os.replace(partial, fpath)
    except urllib.error.HTTPError as e:
        raise Exception(
            f"URL fetch failure on {origin}: {e.code} -- {e.msg}. "
            + _offline_hint(origin, fpath)
        ) from e
    except urllib.error.URLError as e:
        raise Exception(
            f"URL fetch failure on {origin}: {e.errno} -- {e.reason}. "
            + _offline_hint(origin, fpath)
        ) from e
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def _cache_directory(cache_dir, cache_subdir: str) -> str:
    if cache_dir is None:
        cache_dir = os.path.join(os.path.expanduser("~"), ".keras")
    base = os.path.expanduser(cache_dir)
    try:
        os.makedirs(base, exist_ok=True)
    except OSError:
        pass  # Reported by the access check below.
    if not os.access(base, os.W_OK):
        # As Keras 2: an unwritable cache falls back to /tmp/.keras.
        base = os.path.join("/tmp", ".keras")
    datadir = os.path.join(base, cache_subdir)
    os.makedirs(datadir, exist_ok=True)
    return datadir


def _file_name(fname, origin: str) -> str:
    fname = os.fspath(fname) if fname else ""
    if fname:
        return fname
    fname = os.path.basename(urllib.parse.urlsplit(origin).path)
    if not fname:
        raise ValueError(
            f"Can't parse the file name from the origin provided: '{origin}'."
            "Please specify the `fname` as the input param."
        )
    return fname


def _needs_download(fpath: str, file_hash, hash_algorithm: str) -> bool:
    if not os.path.exists(fpath):
        return True
    if file_hash is not None and not validate_file(fpath, file_hash, hash_algorithm):
        print(
            "A local file was found, but it seems to be incomplete or outdated "
            f"because the {hash_algorithm} file hash does not match the original "
            f"value of {file_hash} so we will re-download the data."
        )
        return True
    return False


def get_file(
    fname=None,
    origin=None,
    untar=False,
    md5_hash=None,
    file_hash=None,
    cache_subdir="datasets",
    hash_algorithm="auto",
    extract=False,
    archive_format="auto",
    cache_dir=None,
) -> str:
    """Downloads a file from a URL into the cache, unless it is already there.

    The file lands at `<cache_dir>/<cache_subdir>/<fname>`, by default
    `~/.keras/datasets/<fname>`. A cached file is used as is when no
    `file_hash` is given, and re-downloaded when its hash does not match.

    Args:
        fname: File name in the cache (an absolute path is used as is); `None`
            takes the last part of `origin`'s path.
        origin: URL of the file (`https://`, `http://`, `file://`, ...).
        untar: Deprecated; use `extract`. Extracts `<fname>.tar.gz` and returns
            the path of the extracted `<fname>`.
        md5_hash: Deprecated; use `file_hash`. An md5 hex digest.
        file_hash: Expected sha256 or md5 hex digest of the file.
        cache_subdir: Sub-directory of `cache_dir` (an absolute path is used as
            is).
        hash_algorithm: `"sha256"`, `"md5"` or `"auto"` (from the hash length).
        extract: Whether to extract the file if it is a tar or zip archive.
        archive_format: `"auto"`, `"tar"`, `"zip"`, a list of these, or `None`.
        cache_dir: Base cache directory; default `~/.keras` (`/tmp/.keras` when
            that is not writable).

    Returns:
        The path of the file (or, with `untar`, of the extracted directory).

    Raises:
        ValueError: if `origin` is missing, no file name can be found, or the
            downloaded file does not match `file_hash`.
        Exception: "URL fetch failure on ..." when the download fails.
    """
    if origin is None:
        raise ValueError(
            'Please specify the "origin" argument (URL of the file to download).'
        )
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    datadir = _cache_directory(cache_dir, cache_subdir)
    fname = _file_name(fname, origin)
    if untar:
        fname = fname.removesuffix(".tar.gz")
        untar_fpath = os.path.join(datadir, fname)
        fpath = untar_fpath + ".tar.gz"
    else:
        fpath = os.path.join(datadir, fname)

    if _needs_download(fpath, file_hash, hash_algorithm):
        print(f"Downloading data from {origin}")
        _download(origin, fpath)
        if file_hash is not None and not validate_file(
            fpath, file_hash, hash_algorithm
        ):
            # Unlike Keras 2, the bad file is not left in the cache.
            os.remove(fpath)
            raise ValueError(
                "Incomplete or corrupted file detected. "
                f"The {hash_algorithm} file hash does not match the provided "
                f"value of {file_hash}."
            )

    if untar:
        if not os.path.exists(untar_fpath):
            _extract_archive(fpath, datadir, archive_format="tar")
        return untar_fpath
    if extract:
        _extract_archive(fpath, datadir, archive_format)
    return fpath


def pad_sequences(
    sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0
):
    """Pads (or truncates) a list of sequences to one length, as a NumPy array.

    Mirrors Keras 2's `utils/data_utils.py: pad_sequences`.

    >>> pad_sequences([[1, 2, 3], [4]], maxlen=2).tolist()
    [[2, 3], [0, 4]]

    Args:
        sequences: a list of sequences (lists or arrays of the same trailing shape).
        maxlen: the output length (default: the longest sequence).
        dtype: dtype of the result.
        padding: `"pre"` or `"post"`: where the padding goes.
        truncating: `"pre"` or `"post"`: which end long sequences lose.
        value: the padding value.

    Returns:
        An array of shape `(len(sequences), maxlen, ...)`.

    Raises:
        ValueError: for a bad `padding`/`truncating`, a sequence that is not
            iterable, or mismatched trailing shapes.
    """
    for name, arg in (("padding", padding), ("truncating", truncating)):
        if arg not in ("pre", "post"):
            raise ValueError(
                f'{name} must be "pre" or "post". Received: {name}={arg!r}'
            )
    try:
        arrays = [np.asarray(s) for s in sequences]
    except TypeError as err:
        raise ValueError("`sequences` must be a list of iterables.") from err
    lengths = [len(a) for a in arrays]
    maxlen = max(lengths, default=0) if maxlen is None else maxlen
    trailing = next((a.shape[1:] for a in arrays if len(a)), ())
    out = np.full((len(arrays), maxlen, *trailing), value, dtype=dtype)
    for i, a in enumerate(arrays):
        if not len(a):
            continue
        if a.shape[1:] != trailing:
            raise ValueError(
                f"Shape of sample {a.shape[1:]} of sequence at position {i} is "
                f"different from expected shape {trailing}"
            )
        kept = a[-maxlen:] if truncating == "pre" else a[:maxlen]
        if padding == "post":
            out[i, : len(kept)] = kept
        else:
            out[i, maxlen - len(kept) :] = kept
    return out
