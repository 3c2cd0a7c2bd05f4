"""What pyproject.toml cannot express: resources/ (the source of the fonts, icons, help pages
and translations) ships inside the package as ``klachtdesk/resources``, so a plain
``pip install .`` has them; ``klachtdesk.paths.resource_path`` finds them there."""

from pathlib import Path

from setuptools import find_packages, setup

RESOURCES = Path(__file__).resolve().parent / "resources"
data_folders = [
    ".".join(("klachtdesk.resources", *folder.relative_to(RESOURCES).parts)).rstrip(".")
    for folder in [RESOURCES, *sorted(p for p in RESOURCES.rglob("*") if p.is_dir())]
]

setup(
    packages=[*find_packages(include=["klachtdesk*"]), *data_folders],
    package_dir={"klachtdesk.resources": "resources"},
)
