"""A database file in a cloud-synchronised folder is refused (two PCs through sync make
conflict copies and lose work); a network share is fine."""

from __future__ import annotations

from pathlib import Path

import pytest

from klachtdesk.services.admin import setup
from klachtdesk.services.safety import restore
from klachtdesk.storage.errors import CloudFolder
from klachtdesk.storage.location import cloud_client
from tests.conftest import PASSWORD


@pytest.mark.parametrize(
    ("folder", "client"),
    [
        ("Users/anna/OneDrive/Klachten", "OneDrive"),
        ("Users/anna/OneDrive - Woonstichting De Linde/Klachten", "OneDrive"),
        ("home/anna/Dropbox/werk", "Dropbox"),
        ("home/anna/Dropbox (Persoonlijk)", "Dropbox"),
        ("Volumes/GoogleDrive/Mijn Drive/klachten", "Google Drive"),
        ("Users/anna/Google Drive", "Google Drive"),
        ("Users/anna/Library/Mobile Documents/com~apple~CloudDocs/Klachten", "iCloud Drive"),
        ("Users/anna/iCloudDrive", "iCloud Drive"),
        ("home/anna/Nextcloud/Documenten", "Nextcloud"),
        ("home/anna/ownCloud", "ownCloud"),
    ],
)
def test_cloud_folders_are_recognised_by_their_names(tmp_path, folder, client):
    assert cloud_client(tmp_path / folder / "klachten.kdb", environ={}) == client


@pytest.mark.parametrize(
    ("marker", "client"),
    [
        (".dropbox", "Dropbox"),
        (".tmp.drivedownload", "Google Drive"),
        ("._sync_4b2f09a1c3d0.db", "Nextcloud/ownCloud"),
        (".owncloudsync.log", "Nextcloud/ownCloud"),
    ],
)
def test_a_renamed_cloud_folder_is_recognised_by_the_clients_marker(tmp_path, marker, client):
    root = tmp_path / "Gedeeld"
    (root / "Klachten").mkdir(parents=True)
    (root / marker).write_text("")
    assert cloud_client(root / "Klachten" / "klachten.kdb", environ={}) == client


def test_windows_tells_where_onedrive_is(tmp_path):
    root = tmp_path / "Bedrijf"
    assert cloud_client(root / "Klachten" / "k.kdb", environ={"OneDrive": str(root)}) == "OneDrive"


@pytest.mark.parametrize(
    "folder",
    ["mnt/server/Klachten", "S:/Klachten", "home/anna/Documenten", "srv/samba/klachtenbeheer"],
)
def test_ordinary_folders_and_network_shares_are_fine(tmp_path, folder):
    assert cloud_client(tmp_path / folder / "klachten.kdb", environ={}) is None


def test_no_database_is_made_opened_or_restored_in_a_cloud_folder(tmp_path, org):
    cloud = tmp_path / "Dropbox"
    cloud.mkdir()
    with pytest.raises(CloudFolder, match="conflictkopieën"):
        setup.create_database(cloud / "k.kdb", "De Linde", "woonpartners", "beheer", PASSWORD)
    assert list(cloud.iterdir()) == []  # nothing written there
    # a database someone moved into a synchronised folder is refused, with the way out
    moved = cloud / "klachten.kdb"
    moved.write_bytes(org.path.read_bytes())
    Path(str(moved) + ".keys").write_bytes(Path(str(org.path) + ".keys").read_bytes())
    with pytest.raises(CloudFolder, match="Verplaats dan het databasebestand"):
        setup.unlock(moved, "coordinator", PASSWORD)
    with pytest.raises(CloudFolder):
        restore.check_target(cloud / "terug.kdb")
