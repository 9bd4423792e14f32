"""The font of every PDF page and chart: PT Sans (ParaType, OFL-1.1), from the `fontpkg-pt-sans` distribution.

PT Sans was drawn for the Cyrillic alphabets of the region: it has every Kazakh letter (ә ғ қ ң ө ұ ү һ і and
their capitals) in static regular and bold faces, 0.9 MB for both. It ships only with the report functions.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["FAMILY", "font_file"]

FAMILY = "PTSans"
_FILES = {False: "PT_Sans-Web-Regular.ttf", True: "PT_Sans-Web-Bold.ttf"}


def font_file(*, bold: bool = False) -> Path:
    """The TrueType file of the regular or bold face."""
    return Path(str(resources.files("fontpkg_pt_sans").joinpath("files", _FILES[bold])))
