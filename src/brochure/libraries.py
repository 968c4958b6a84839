"""Finding WeasyPrint's native libraries without running dozens of programs.

WeasyPrint tries several names for each library it loads (GObject, Pango,
HarfBuzz, fontconfig...), for every platform. cffi opens a name it can, and asks
`ctypes.util.find_library` about one it cannot; on Linux each such question runs
ldconfig, then gcc, then ld. That is some forty programs and a fifth of a second
at every start, for answers that do not change. Here ldconfig's list is read
once and the compiler is never asked; a name the list lacks is not found, and
WeasyPrint goes on to the next, which it opens directly.
"""

import contextlib
import ctypes.util
import functools
import os
import re
import subprocess
import sys
from collections.abc import Iterator

# As ctypes.util reads ldconfig's list: the C library flavour of this machine.
_ABI_TAGS = {
    "x86_64-64": "libc6,x86-64",
    "ppc64-64": "libc6,64bit",
    "sparc64-64": "libc6,64bit",
    "s390x-64": "libc6,64bit",
    "ia64-64": "libc6,IA-64",
}


@contextlib.contextmanager
def quick_library_lookup() -> Iterator[None]:
    """Within this block, find libraries from one reading of ldconfig's list (Linux only)."""
    if not sys.platform.startswith("linux"):
        yield
        return
    original = ctypes.util.find_library
    ctypes.util.find_library = _find_in_ldconfig_list
    try:
        yield
    finally:
        ctypes.util.find_library = original


def _find_in_ldconfig_list(name: str) -> str | None:
    bits = "64" if sys.maxsize > 2**32 else "32"
    abi = _ABI_TAGS.get(f"{os.uname().machine}-{bits}", "libc6")
    pattern = rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({re.escape(abi)}"
    match = re.search(pattern, _ldconfig_list())
    return match[1] if match else None


@functools.cache
def _ldconfig_list() -> str:
    for ldconfig in ("/sbin/ldconfig", "/usr/sbin/ldconfig"):
        with contextlib.suppress(OSError):
            return subprocess.run(
                [ldconfig, "-p"],
                capture_output=True,
                text=True,
                env={"LC_ALL": "C", "LANG": "C"},
                check=False,
            ).stdout
    return ""
