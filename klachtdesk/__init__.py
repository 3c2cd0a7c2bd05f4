"""KlachtDesk: complaints procedure management for small Dutch organisations."""

from importlib import metadata

try:
    __version__ = metadata.version("klachtdesk")
except metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
