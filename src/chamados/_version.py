"""The version of chamados: the one place it is written (``pyproject.toml`` reads it here).

A leaf, so that any layer may say which chamados it is (the webhook notifier's
``User-Agent``) without importing the package's front door.

>>> __version__
'0.1.0.dev0'
"""

__all__ = ["__version__"]

__version__ = "0.1.0.dev0"
