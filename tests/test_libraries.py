"""Finding WeasyPrint's native libraries quickly."""

import ctypes.util
import sys

import pytest

from brochure.libraries import quick_library_lookup

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")


def test_libraries_are_found_as_ctypes_finds_them() -> None:
    names = ("c", "m", "pango-1.0", "harfbuzz", "fontconfig", "gobject-2.0")
    expected = {name: ctypes.util.find_library(name) for name in names}
    with quick_library_lookup():
        found = {name: ctypes.util.find_library(name) for name in names}
    assert found == expected
    assert all(found.values())


def test_a_missing_name_is_not_found_and_the_lookup_is_restored() -> None:
    original = ctypes.util.find_library
    with quick_library_lookup():
        assert ctypes.util.find_library("libpango-1.0-0") is None
        assert ctypes.util.find_library("no-such-library") is None
        assert ctypes.util.find_library is not original
    assert ctypes.util.find_library is original
