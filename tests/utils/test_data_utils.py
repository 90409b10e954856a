"""Tests for kengine/utils/data_utils.py: Sequence, get_file, validate_file.

Downloads come from local files (`file://`) and from an HTTP server on
127.0.0.1 started by the test; nothing reaches the internet.
"""

import functools
import hashlib
import http.server
import io
import tarfile
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest

from kengine.utils import data_utils
from kengine.utils.data_utils import Sequence, get_file, pad_sequences, validate_file

PAYLOAD = b"kengine test payload\n" * 50
SHA256 = hashlib.sha256(PAYLOAD).hexdigest()
MD5 = hashlib.md5(PAYLOAD).hexdigest()


@pytest.fixture
def source(tmp_path) -> Path:
    path = tmp_path / "src" / "payload.bin"
    path.parent.mkdir()
    path.write_bytes(PAYLOAD)
    return path


@pytest.fixture
def http_root(tmp_path):
    """Serves `tmp_path / "www"` over HTTP on 127.0.0.1; yields (root, base URL)."""
    root = tmp_path / "www"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_sequence_iterates_in_order_and_needs_overrides():
    class Three(Sequence):
        def __len__(self):
            return 3

        def __getitem__(self, index):
            return index * 10

    assert list(Three()) == [0, 10, 20]
    assert Three().on_epoch_end() is None
    with pytest.raises(NotImplementedError):
        len(Sequence())
    with pytest.raises(NotImplementedError):
        Sequence()[0]


@pytest.mark.parametrize(
    "file_hash, algorithm, expected",
    [
        (SHA256, "auto", True),
        (MD5, "auto", True),
        (SHA256, "sha256", True),
        (MD5, "md5", True),
        (SHA256, "md5", False),
        ("0" * 64, "auto", False),
    ],
)
def test_validate_file(source, file_hash, algorithm, expected):
    assert validate_file(source, file_hash, algorithm=algorithm) is expected


def test_hash_file():
    assert data_utils._hash_file(__file__) == (
        hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    )


def test_get_file_downloads_once_into_the_cache(source, tmp_path, capsys):
    cache = tmp_path / "cache"
    path = get_file("data.bin", source.as_uri(), file_hash=SHA256, cache_dir=cache)
    assert path == str(cache / "datasets" / "data.bin")
    assert Path(path).read_bytes() == PAYLOAD
    assert f"Downloading data from {source.as_uri()}" in capsys.readouterr().out
    # The cached copy is used: the origin is no longer needed.
    source.unlink()
    again = get_file("data.bin", source.as_uri(), file_hash=SHA256, cache_dir=cache)
    assert again == path
    assert "Downloading" not in capsys.readouterr().out
    assert not list((cache / "datasets").glob("*.part"))


def test_get_file_over_http(http_root, tmp_path):
    root, url = http_root
    (root / "payload.bin").write_bytes(PAYLOAD)
    path = get_file(origin=url + "payload.bin", file_hash=MD5, cache_dir=tmp_path)
    assert Path(path).name == "payload.bin"  # file name taken from the URL
    assert Path(path).read_bytes() == PAYLOAD


def test_get_file_reports_http_errors(http_root, tmp_path):
    _, url = http_root
    with pytest.raises(Exception, match=r"URL fetch failure on .*missing.bin: 404"):
        get_file("missing.bin", url + "missing.bin", cache_dir=tmp_path)
    assert not (tmp_path / "datasets" / "missing.bin").exists()


def test_get_file_rejects_a_checksum_mismatch(source, tmp_path):
    with pytest.raises(ValueError) as info:
        get_file("data.bin", source.as_uri(), file_hash="0" * 64, cache_dir=tmp_path)
    assert str(info.value) == (
        "Incomplete or corrupted file detected. The auto file hash does not "
        f"match the provided value of {'0' * 64}."
    )
    assert not (tmp_path / "datasets" / "data.bin").exists()


def test_get_file_redownloads_a_stale_cached_copy(source, tmp_path, capsys):
    cached = tmp_path / "datasets" / "data.bin"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"stale")
    get_file("data.bin", source.as_uri(), md5_hash=MD5, cache_dir=tmp_path)
    assert cached.read_bytes() == PAYLOAD
    out = capsys.readouterr().out
    assert "the md5 file hash does not match the original value" in out


def test_get_file_without_hash_trusts_the_cache(source, tmp_path):
    cached = tmp_path / "datasets" / "data.bin"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"already here")
    get_file("data.bin", source.as_uri(), cache_dir=tmp_path)
    assert cached.read_bytes() == b"already here"


def _write_tar(path: Path, members: dict) -> None:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def test_get_file_extracts_tar_and_zip(tmp_path):
    tar_path = tmp_path / "bundle.tar.gz"
    _write_tar(tar_path, {"bundle/a.txt": b"a"})
    zip_path = tmp_path / "other.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.writestr("other/b.txt", "b")
    cache = tmp_path / "cache"
    get_file(origin=tar_path.as_uri(), extract=True, cache_dir=cache)
    get_file(origin=zip_path.as_uri(), extract=True, cache_dir=cache)
    assert (cache / "datasets" / "bundle" / "a.txt").read_text() == "a"
    assert (cache / "datasets" / "other" / "b.txt").read_text() == "b"


def test_get_file_untar_returns_the_extracted_directory(tmp_path):
    tar_path = tmp_path / "pkg.tar.gz"
    _write_tar(tar_path, {"pkg/data.txt": b"x"})
    path = get_file("pkg", tar_path.as_uri(), untar=True, cache_dir=tmp_path / "c")
    assert path == str(tmp_path / "c" / "datasets" / "pkg")
    assert (Path(path) / "data.txt").read_bytes() == b"x"


def test_extraction_refuses_paths_outside_the_target(tmp_path):
    tar_path = tmp_path / "evil.tar.gz"
    _write_tar(tar_path, {"../escaped.txt": b"x"})
    target = tmp_path / "target"
    target.mkdir()
    with pytest.raises(tarfile.TarError):
        data_utils._extract_archive(tar_path, target)
    assert not (tmp_path / "escaped.txt").exists()
    assert target.exists()  # the cache directory survives a failed extraction


@pytest.mark.parametrize("archive_format", [None, "zip", []])
def test_extraction_respects_the_archive_format(tmp_path, archive_format):
    tar_path = tmp_path / "t.tar.gz"
    _write_tar(tar_path, {"t/a.txt": b"a"})
    assert not data_utils._extract_archive(tar_path, tmp_path / "out", archive_format)


def test_get_file_argument_errors(tmp_path):
    with pytest.raises(ValueError, match='Please specify the "origin" argument'):
        get_file("x")
    with pytest.raises(ValueError, match="Can't parse the file name from the origin"):
        get_file(origin="http://127.0.0.1/", cache_dir=tmp_path)


def test_get_file_absolute_cache_subdir(source, tmp_path):
    target = tmp_path / "elsewhere"
    path = get_file("f.bin", source.as_uri(), cache_subdir=str(target))
    assert path == str(target / "f.bin")


@pytest.mark.parametrize(
    "padding, truncating, expected",
    [
        ("pre", "pre", [[0, 0, 1], [3, 4, 5]]),
        ("post", "post", [[1, 0, 0], [2, 3, 4]]),
    ],
)
def test_pad_sequences(padding, truncating, expected):
    out = pad_sequences(
        [[1], [2, 3, 4, 5]], maxlen=3, padding=padding, truncating=truncating
    )
    assert out.dtype == np.int32 and out.tolist() == expected


def test_pad_sequences_defaults_and_errors():
    assert pad_sequences([[1, 2], []]).tolist() == [[1, 2], [0, 0]]
    assert pad_sequences([[0.5]], maxlen=2, dtype="float32", value=-1.0).tolist() == [
        [-1.0, 0.5]
    ]
    with pytest.raises(ValueError, match='padding must be "pre" or "post"'):
        pad_sequences([[1]], padding="middle")


def _tar_with(path: Path, add) -> Path:
    with tarfile.open(path, "w") as archive:
        add(archive)
    return path


def _symlink_out(archive):
    info = tarfile.TarInfo("inside/link")
    info.type = tarfile.SYMTYPE
    info.linkname = "../../outside"
    archive.addfile(info)


def _absolute_member(archive):
    info = tarfile.TarInfo("/tmp/kengine_absolute_member.txt")
    info.size = 1
    archive.addfile(info, io.BytesIO(b"x"))


def _hardlink_out(archive):
    info = tarfile.TarInfo("inside/hard")
    info.type = tarfile.LNKTYPE
    info.linkname = "/etc/passwd"
    archive.addfile(info)


@pytest.mark.parametrize("add", [_symlink_out, _hardlink_out])
def test_tar_links_pointing_outside_are_refused(tmp_path, add):
    archive = _tar_with(tmp_path / "evil.tar", add)
    target = tmp_path / "cache" / "datasets"
    target.mkdir(parents=True)
    with pytest.raises(tarfile.TarError):
        data_utils._extract_archive(archive, target)
    assert not (tmp_path / "outside").exists()
    assert all(target in p.resolve().parents for p in target.rglob("*"))


def test_tar_absolute_member_lands_inside_the_target(tmp_path):
    archive = _tar_with(tmp_path / "abs.tar", _absolute_member)
    target = tmp_path / "target"
    assert data_utils._extract_archive(archive, target)
    assert (target / "tmp" / "kengine_absolute_member.txt").read_bytes() == b"x"
    assert not Path("/tmp/kengine_absolute_member.txt").exists()


@pytest.mark.parametrize(
    "name", ["../escaped.txt", "/abs/escaped.txt", "a/../../x.txt"]
)
def test_zip_members_stay_inside_the_target(tmp_path, name):
    zip_path = tmp_path / "evil.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.writestr(name, "x")
    target = tmp_path / "deep" / "target"
    target.mkdir(parents=True)
    assert data_utils._extract_archive(zip_path, target)
    files = [p for p in (tmp_path).rglob("*") if p.is_file() and p.suffix == ".txt"]
    assert files and all(target in p.resolve().parents for p in files)


def test_get_file_extract_refuses_traversal_and_keeps_the_cache(tmp_path):
    tar_path = tmp_path / "bundle.tar.gz"
    _write_tar(tar_path, {"ok/a.txt": b"a", "../../escape.txt": b"x"})
    cache = tmp_path / "cache"
    with pytest.raises(tarfile.TarError):
        get_file(origin=tar_path.as_uri(), extract=True, cache_dir=cache)
    assert not (tmp_path / "escape.txt").exists()
    assert (cache / "datasets" / "bundle.tar.gz").exists()


def test_offline_error_names_the_url_and_the_cache_path(tmp_path):
    origin = (tmp_path / "missing" / "data.npz").as_uri()
    with pytest.raises(Exception, match="URL fetch failure") as info:
        get_file("data.npz", origin, cache_dir=tmp_path / "cache")
    expected_path = tmp_path / "cache" / "datasets" / "data.npz"
    assert (
        f"download {origin} on another machine and copy it to {expected_path}"
        in str(info.value)
    )
