"""The installed distribution's version, for logs and the about line."""

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("shop-console")
except PackageNotFoundError:  # running from a source tree that was never installed
    VERSION = "0.0.0+source"
