"""Where a database file may live: not in a folder that a cloud client synchronises.

Two PCs writing one SQLite file through OneDrive, Dropbox, Google Drive, iCloud Drive or
Nextcloud/ownCloud do not share it: each writes its own copy and the client makes "conflict
copies", so work is silently lost and the key file and database can drift apart. A network
share (SMB: a mapped drive, \\\\server\\share, /mnt/…) is fine: every PC writes the same file
and SQLite's locking keeps the writes apart.

Cloud folders are recognised by their known names (as the clients create them, in Dutch and
English), by the folders Windows names in its environment, and by the marker files the
clients leave in the synchronised folder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from klachtdesk.storage.errors import CloudFolder

# Folder names the clients create (case-insensitive, compared with each part of the path).
_NAMES = tuple(
    (re.compile(pattern, re.IGNORECASE), client)
    for pattern, client in (
        (r"^onedrive( - .+)?$", "OneDrive"),
        (r"^dropbox( \(.+\))?$", "Dropbox"),
        (r"^(google ?drive|my drive|mijn drive|googledrive)$", "Google Drive"),
        (r"^(icloud ?drive( \(.+\))?|com~apple~clouddocs)$", "iCloud Drive"),
        (r"^nextcloud$", "Nextcloud"),
        (r"^owncloud$", "ownCloud"),
    )
)
# Files a client keeps in the root of what it synchronises.
_MARKERS = (
    (".dropbox", "Dropbox"),
    (".dropbox.cache", "Dropbox"),
    (".tmp.drivedownload", "Google Drive"),
    (".tmp.driveupload", "Google Drive"),
    (".owncloudsync.log", "Nextcloud/ownCloud"),
    (".nextcloudsync.log", "Nextcloud"),
)
_SYNC_DB = re.compile(r"^\.?_?sync_[0-9a-f]+\.db$", re.IGNORECASE)  # Nextcloud/ownCloud journal
# Windows tells where OneDrive is.
_ENVIRONMENT = ("OneDrive", "OneDriveCommercial", "OneDriveConsumer")


def cloud_client(path: Path | str, environ=os.environ) -> str | None:
    """The name of the cloud client that synchronises the folder of ``path``, or None."""
    folder = Path(path).expanduser().absolute().parent
    for name in _ENVIRONMENT:
        root = environ.get(name)
        if root and _inside(folder, Path(root)):
            return "OneDrive"
    for part in folder.parts:
        for pattern, client in _NAMES:
            if pattern.match(part):
                return client
    for ancestor in (folder, *folder.parents):
        client = _marker_in(ancestor)
        if client:
            return client
    return None


def _inside(folder: Path, root: Path) -> bool:
    try:
        folder.relative_to(root.expanduser().absolute())
    except ValueError:
        return False
    return True


def _marker_in(folder: Path) -> str | None:
    try:
        names = os.listdir(folder)
    except OSError:
        return None
    for marker, client in _MARKERS:
        if marker in names:
            return client
    if any(_SYNC_DB.match(name) for name in names):
        return "Nextcloud/ownCloud"
    return None


def check_location(path: Path | str, environ=os.environ) -> None:
    """Refuse a database file in a cloud-synchronised folder (raises CloudFolder)."""
    client = cloud_client(path, environ)
    if client:
        raise CloudFolder(Path(path), client)
