"""The version is written once (``chamados/_version.py``) and read everywhere from there."""

from __future__ import annotations

import importlib.metadata

import chamados
from chamados._version import __version__


def test_the_package_metadata_and_the_module_agree() -> None:
    """The installed distribution's version is the one chamados reports."""
    assert importlib.metadata.version("chamados") == chamados.__version__ == __version__
