"""Fixtures for the application tests: an offline, empty Keras cache directory."""

import os
import urllib.error
import urllib.request

import pytest


@pytest.fixture
def offline_cache(tmp_path, monkeypatch):
    """`~/.keras/models/` in a fresh home directory, with every download failing.

    `utils.get_file` caches under `os.path.expanduser("~")/.keras`, as Keras 2's
    does (it does not read `KERAS_HOME`), so pointing `HOME` at `tmp_path`
    gives each test its own cache. Returns the `models` cache directory.
    """
    monkeypatch.setenv("HOME", str(tmp_path))
    models = tmp_path / ".keras" / "models"
    os.makedirs(models)

    def refuse(url, *args, **kwargs):
        raise urllib.error.URLError("network disabled in tests")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return models
