# Replaces the contributed hook, which collects every submodule of phonenumbers (~45 MB of
# geocoder, carrier and time-zone data). KlachtDesk parses, validates and formats numbers:
# that needs only the metadata per region, which phonenumbers imports by name at run time.
from PyInstaller.utils.hooks import collect_submodules

hiddenimports = collect_submodules("phonenumbers.data")
