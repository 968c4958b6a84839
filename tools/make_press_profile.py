"""Make styles/colour/FOGRA39-brochure.icc, the CMYK press profile of the print edition.

The profile is computed by ArgyllCMS's `colprof` from the FOGRA39L characterization
data (offset on coated paper, ISO 12647-2) shipped by Debian's `icc-profiles-free`
under the Zlib licence. Run it again only to change the profile; the result is
committed. Needs: apt-get install argyll icc-profiles-free.

colprof stamps the time into the profile header; the stamp is replaced by the
date of the characterization data, so the same tools give the same bytes.
"""

import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

DATA = Path("/usr/share/color/icc/FOGRA39L.ti3")
TARGET = Path(__file__).resolve().parents[1] / "styles" / "colour" / "FOGRA39-brochure.icc"
# colprof: medium quality, black generation on a ramp, 330% total ink and 98% black
# limits (the FOGRA39 press condition); the model tag becomes the PDF/X output
# condition identifier, so it names the registered characterization.
COLPROF = [
    "colprof",
    "-qm",
    "-kr",
    "-l330",
    "-L98",
    "-M",
    "FOGRA39",
    "-D",
    "Coated FOGRA39 (brochure, made with ArgyllCMS from FOGRA39L data)",
    "-C",
    "Characterization data FOGRA39L (Zlib licence); profile: public domain",
]
DATA_DATE = (2006, 12, 1, 0, 0, 0)
HEADER_DATE = slice(24, 36)


def main() -> None:
    if not DATA.exists() or shutil.which("colprof") is None:
        sys.exit("needs Debian's argyll and icc-profiles-free packages")
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(DATA, folder)
        subprocess.run([*COLPROF, DATA.stem], cwd=folder, check=True, capture_output=True)
        profile = bytearray((Path(folder) / f"{DATA.stem}.icc").read_bytes())
    profile[HEADER_DATE] = struct.pack(">6H", *DATA_DATE)
    TARGET.write_bytes(bytes(profile))
    print(f"wrote {TARGET.name} ({len(profile)} bytes)")


if __name__ == "__main__":
    main()
