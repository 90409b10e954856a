"""atomic_io: temporaries beside the target, renamed over it, and their cleanup."""

import os
import re

import pytest

from kengine.saving import atomic_io

DEAD_PID = 2**22 + 1  # above Linux's (and macOS's) largest pid: never running


@pytest.mark.parametrize(
    "target, keep_extension, pattern",
    [
        ("w.h5", True, r"w\.h5\.kengine-tmp-{pid}-[0-9a-f]{{8}}\.h5"),
        ("m.keras", True, r"m\.keras\.kengine-tmp-{pid}-[0-9a-f]{{8}}\.keras"),
        ("ckpt", True, r"ckpt\.kengine-tmp-{pid}-[0-9a-f]{{8}}"),
        ("ckpt.index", False, r"ckpt\.index\.kengine-tmp-{pid}-[0-9a-f]{{8}}"),
    ],
)
def test_temporary_names_say_what_and_whose(tmp_path, target, keep_extension, pattern):
    name = atomic_io.temporary_path(tmp_path / target, keep_extension)
    assert os.path.dirname(name) == str(tmp_path)
    assert re.fullmatch(pattern.format(pid=os.getpid()), os.path.basename(name))
    assert atomic_io.is_temporary_name(os.path.basename(name))
    assert not atomic_io.is_temporary_name(target)


def test_atomic_write_path_renames_when_complete(tmp_path):
    target = tmp_path / "w.h5"
    target.write_text("previous")
    with atomic_io.atomic_write_path(target) as temp_path:
        assert temp_path.endswith(".h5") and target.read_text() == "previous"
        with open(temp_path, "w") as f:
            f.write("new")
    assert target.read_text() == "new"
    assert os.listdir(tmp_path) == ["w.h5"]


def test_atomic_write_path_keeps_the_previous_file_on_error(tmp_path):
    target = tmp_path / "w.h5"
    target.write_text("previous")
    with pytest.raises(RuntimeError, match="disk full"):
        with atomic_io.atomic_write_path(target) as temp_path:
            with open(temp_path, "w") as f:
                f.write("half")
            raise RuntimeError("disk full")
    assert target.read_text() == "previous"
    assert os.listdir(tmp_path) == ["w.h5"]


def test_stale_temporaries_of_the_target_are_removed_and_only_those(tmp_path):
    dead, alive, mine = DEAD_PID, os.getppid(), os.getpid()
    entries = {
        f"w.h5.kengine-tmp-{dead}-0123abcd.h5": "removed",  # a killed save
        f"w.h5.kengine-tmp-{mine}-0123abcd.h5": "removed",  # pid reused after restart
        ".tmp-0123456789ab-w.h5": "removed",  # kengine's earlier naming
        f"w.h5.kengine-tmp-{alive}-0123abcd.h5": "kept",  # a live process writing
        f"v.h5.kengine-tmp-{dead}-0123abcd.h5": "kept",  # another target
        f"w.h5.kengine-tmp-{dead}-0123abcd.h5.bak": "kept",  # not the pattern
        "w.h5.kengine-tmp-x-0123abcd.h5": "kept",
    }
    for name in entries:
        (tmp_path / name).write_text("x")
    stale_dir = tmp_path / f"w.h5.kengine-tmp-{dead}-89abcdef"  # a killed TF write
    stale_dir.mkdir()
    (stale_dir / "w.h5.index").write_text("x")
    removed = atomic_io.remove_stale_temporaries(tmp_path / "w.h5")
    expected = sorted(n for n, fate in entries.items() if fate == "removed")
    assert sorted(os.path.basename(p) for p in removed) == sorted(
        expected + [stale_dir.name]
    )
    kept = sorted(n for n, fate in entries.items() if fate == "kept")
    assert sorted(os.listdir(tmp_path)) == kept


def test_a_save_removes_what_killed_saves_left(tmp_path):
    leftover = tmp_path / f"w.h5.kengine-tmp-{DEAD_PID}-0123abcd.h5"
    leftover.write_bytes(b"\0" * 1000)
    with atomic_io.atomic_write_path(tmp_path / "w.h5") as temp_path:
        with open(temp_path, "w") as f:
            f.write("new")
    assert os.listdir(tmp_path) == ["w.h5"]


def test_atomic_write_directory_swaps_the_directory_in(tmp_path):
    target = tmp_path / "saved_model"
    target.mkdir()
    (target / "old.pb").write_text("old")
    with atomic_io.atomic_write_directory(target) as temp_path:
        os.mkdir(temp_path)
        with open(os.path.join(temp_path, "new.pb"), "w") as f:
            f.write("new")
        assert os.listdir(target) == ["old.pb"]
    assert os.listdir(target) == ["new.pb"]
    assert os.listdir(tmp_path) == ["saved_model"]


def test_a_directory_left_aside_by_a_killed_swap_is_put_back(tmp_path):
    # Killed between the two renames: the previous save sits under its
    # `kengine-old` name and the target is missing.
    old = tmp_path / f"saved_model.kengine-old-{DEAD_PID}-0123abcd"
    old.mkdir()
    (old / "old.pb").write_text("old")
    with pytest.raises(RuntimeError, match="killed again"):
        with atomic_io.atomic_write_directory(tmp_path / "saved_model"):
            assert os.listdir(tmp_path / "saved_model") == ["old.pb"]
            raise RuntimeError("killed again")
    assert os.listdir(tmp_path) == ["saved_model"]


@pytest.mark.parametrize("links_work", [True, False])
def test_link_or_copy_replaces_the_target(tmp_path, monkeypatch, links_work):
    source, target = tmp_path / "source", tmp_path / "target"
    source.write_text("new")
    target.write_text("old")
    if not links_work:

        def no_links(src, dst):
            raise PermissionError("no hard links here")

        monkeypatch.setattr(os, "link", no_links)
    atomic_io.link_or_copy(str(source), str(target))
    assert target.read_text() == "new"
    assert os.path.samefile(source, target) == links_work
    # Again: renaming a link over a link to the same file is a no-op (POSIX),
    # which must not leave the temporary behind.
    atomic_io.link_or_copy(str(source), str(target))
    assert sorted(os.listdir(tmp_path)) == ["source", "target"]


def test_write_text(tmp_path):
    atomic_io.write_text(str(tmp_path / "checkpoint"), "a\n")
    atomic_io.write_text(str(tmp_path / "checkpoint"), "b\n")
    assert (tmp_path / "checkpoint").read_text() == "b\n"
    assert os.listdir(tmp_path) == ["checkpoint"]
