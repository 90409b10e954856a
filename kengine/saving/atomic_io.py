"""Writes that a kill cannot tear: write beside the target, then rename over it.

Keras 2 writes weight files in place (`saving/legacy/save.py`,
`saving/legacy/hdf5_format.py`), so a process killed mid-save leaves a torn
file where the previous good one was. kengine writes every file (and every
SavedModel directory) under a temporary name in the target's directory and
renames it over the target only once it is complete: `os.replace` is atomic
on POSIX and Windows, so a reader sees either the previous file or the new
one, never a mix. (Durability across a power cut would also need `fsync`;
that is not attempted here: a killed process leaves the page cache intact.)

Temporary names say what they are and whose they are:

```
<target>.kengine-tmp-<pid>-<8 hex>[<target's extension>]    being written
<target>.kengine-old-<pid>-<8 hex>                          a directory being replaced
```

The extension is repeated at the end so code that picks a format from the
path (`.h5`, `.keras`) sees the target's. A killed save leaves its temporary
behind (as large as the weights); the next save to the same target removes
every temporary of that target whose process is gone (or is this process,
which after a restart in a fresh container often reuses the killed one's
pid), and only those: temporaries of other targets, or of a live process
saving concurrently, are left alone. Temporaries of kengine releases before
this scheme (`.tmp-<12 hex>-<basename>`) are removed the same way.

A directory cannot be swapped atomically with portable calls, so
`atomic_write_directory` renames the previous directory aside (`kengine-old`),
renames the new one in, then deletes the old one; a kill between the two
renames leaves the previous save under its `kengine-old` name, and the next
save to that target renames it back before anything else.

TensorFlow checkpoints (two files that must match) build on these helpers in
`kengine/saving/tf_checkpoint.py`.
"""

import contextlib
import logging
import os
import re
import secrets
import shutil

__all__ = [
    "atomic_write_directory",
    "atomic_write_path",
    "is_temporary_name",
    "link_or_copy",
    "remove_path",
    "remove_stale_temporaries",
    "restore_interrupted_directory",
    "temporary_path",
    "write_text",
]

_logger = logging.getLogger("kengine")
_TAG = r"\.kengine-(?P<kind>tmp|old)-(?P<pid>\d+)-[0-9a-f]{8}"
# Any kengine temporary, whatever its target (for listings that must skip them).
_ANY_TEMPORARY = re.compile(r".+" + _TAG + r"(\.[A-Za-z0-9]+)?")


def temporary_path(target, keep_extension: bool = True, kind: str = "tmp") -> str:
    """A fresh temporary name beside `target`, owned by this process.

    Args:
        target: The path the temporary will replace.
        keep_extension: Repeat `target`'s extension at the end, so a writer
            that picks the format from the path sees the same format.
        kind: `"tmp"` (being written) or `"old"` (being replaced).

    Returns:
        `<target>.kengine-<kind>-<pid>-<8 hex>[<extension>]`.

    >>> import re
    >>> name = temporary_path("/runs/w.h5")
    >>> bool(re.fullmatch(r"/runs/w\\.h5\\.kengine-tmp-\\d+-[0-9a-f]{8}\\.h5", name))
    True
    """
    target = os.fspath(target)
    extension = os.path.splitext(target)[1] if keep_extension else ""
    return f"{target}.kengine-{kind}-{os.getpid()}-{secrets.token_hex(4)}{extension}"


def is_temporary_name(name: str) -> bool:
    """Whether `name` (a basename) is a kengine temporary of any target.

    >>> is_temporary_name("w.h5.kengine-tmp-12-0a1b2c3d.h5")
    True
    >>> is_temporary_name("w.h5")
    False
    """
    return _ANY_TEMPORARY.fullmatch(name) is not None


def _held_by_live_process(pid: int) -> bool:
    """Whether another running process may still be writing this temporary."""
    if pid <= 0 or pid == os.getpid() or os.name != "posix":
        # Our own pid: a leftover (threads do not share targets), or a killed
        # run whose restart in a fresh pid namespace reused the number. Off
        # POSIX, deleting a file another process holds open simply fails.
        return False
    try:
        os.kill(pid, 0)  # signal 0 probes for existence, sends nothing
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True


def remove_path(path: str) -> None:
    """Removes a file or directory tree, ignoring one that is already gone.

    Args:
        path: The file or directory.
    """
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.remove(path)
    except FileNotFoundError:
        pass


def _stale_entries(directory: str, target_pattern: str) -> list[tuple[str, str]]:
    """`(name, kind)` of the temporaries of targets matching `target_pattern`."""
    current = re.compile(f"(?:{target_pattern})" + _TAG + r"(\.[A-Za-z0-9]+)?")
    legacy = re.compile(r"\.tmp-[0-9a-f]{12}-(?:" + target_pattern + ")")
    try:
        names = sorted(os.listdir(directory))
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = []
    for name in names:
        match = current.fullmatch(name)
        if match and not _held_by_live_process(int(match["pid"])):
            found.append((name, match["kind"]))
        elif legacy.fullmatch(name):
            found.append((name, "tmp"))
    return found


def remove_stale_temporaries(target, names_pattern: str | None = None) -> list[str]:
    """Deletes temporaries that interrupted saves of `target` left behind.

    Args:
        target: The path being saved.
        names_pattern: A regular expression for the basenames whose
            temporaries to remove, when a save writes several files (a TF
            checkpoint's index and data shards); `target`'s own basename by
            default.

    Returns:
        The paths removed.
    """
    directory, basename = os.path.split(os.path.abspath(os.fspath(target)))
    pattern = names_pattern if names_pattern is not None else re.escape(basename)
    removed = []
    for name, kind in _stale_entries(directory, pattern):
        path = os.path.join(directory, name)
        if kind == "old" and not os.path.lexists(os.path.join(directory, basename)):
            continue  # the only copy of the previous save: see `_restore_old`
        remove_path(path)
        removed.append(path)
        _logger.info(f"Removed {path!r}, left behind by an interrupted save.")
    return removed


@contextlib.contextmanager
def atomic_write_path(filepath):
    """Yields a temporary path beside `filepath`; renames it there on success.

    Stale temporaries of earlier, interrupted saves of `filepath` are removed
    first. On an exception the temporary is removed and `filepath` keeps its
    previous content.

    Args:
        filepath: The final path of a file.

    Yields:
        The path to write to (with `filepath`'s extension).
    """
    filepath = os.path.abspath(os.fspath(filepath))
    remove_stale_temporaries(filepath)
    temp_path = temporary_path(filepath)
    try:
        yield temp_path
        os.replace(temp_path, filepath)
    finally:
        if os.path.lexists(temp_path):
            remove_path(temp_path)


def _restore_old(dirpath: str) -> None:
    """Puts back a previous directory that a killed swap left renamed aside."""
    if os.path.lexists(dirpath):
        return
    directory, basename = os.path.split(dirpath)
    olds = [
        name
        for name, kind in _stale_entries(directory, re.escape(basename))
        if kind == "old"
    ]
    if olds:
        os.replace(os.path.join(directory, olds[-1]), dirpath)


def restore_interrupted_directory(dirpath) -> bool:
    """Puts back the previous `dirpath` a save killed mid-swap left aside.

    For readers: a kill between the two renames of `atomic_write_directory`
    leaves no `dirpath`, only its `kengine-old` copy.

    Returns:
        Whether `dirpath` exists now.
    """
    dirpath = os.path.abspath(os.fspath(dirpath))
    _restore_old(dirpath)
    return os.path.lexists(dirpath)


@contextlib.contextmanager
def atomic_write_directory(dirpath):
    """Yields a temporary directory path; swaps it in for `dirpath` on success.

    The swap is two renames (the previous directory aside, the new one in);
    see the module docstring for what a kill between them leaves.

    Args:
        dirpath: The final path of a directory (a SavedModel).

    Yields:
        The path to write the new directory to (it does not exist yet).
    """
    dirpath = os.path.abspath(os.fspath(dirpath))
    _restore_old(dirpath)
    remove_stale_temporaries(dirpath)
    temp_path = temporary_path(dirpath, keep_extension=False)
    try:
        yield temp_path
        old_path = None
        if os.path.lexists(dirpath):
            old_path = temporary_path(dirpath, keep_extension=False, kind="old")
            os.replace(dirpath, old_path)
        os.replace(temp_path, dirpath)
        if old_path is not None:
            remove_path(old_path)
    finally:
        if os.path.lexists(temp_path):
            remove_path(temp_path)


def link_or_copy(source: str, target: str, allow_link: bool = True) -> None:
    """Atomically replaces `target` with a hard link to `source`, or a copy.

    Args:
        source: An existing file.
        target: The path to replace.
        allow_link: Link when the file system allows (no bytes copied);
            False copies, for files that other writers may rewrite in place
            (which would change both names of a link).
    """
    temp_path = temporary_path(target, keep_extension=False)
    try:
        try:
            if not allow_link:
                raise OSError("copy requested")
            os.link(source, temp_path)
        except OSError:  # no hard links on this file system
            shutil.copyfile(source, temp_path)
        os.replace(temp_path, target)
    finally:
        # Renaming a link over another link to the same file does nothing
        # (POSIX), so the temporary may still exist after a "successful" rename.
        if os.path.lexists(temp_path):
            remove_path(temp_path)


def write_text(path: str, text: str) -> None:
    """Atomically replaces the file at `path` with `text` (UTF-8).

    Args:
        path: The file to write.
        text: Its new content.
    """
    with atomic_write_path(path) as temp_path:
        with open(temp_path, "w", encoding="utf-8") as f:
            f.write(text)
