# PyInstaller's own hook for this Qt module, without the plugins and translations
# KlachtDesk never loads (see qt_trim.py). The file name tells PyInstaller which module.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qt_trim import trimmed  # noqa: E402

hiddenimports, binaries, datas = trimmed(__file__)
