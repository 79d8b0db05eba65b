"""Copy the front-end packages installed by npm (package-lock.json) into
static/vendor/, where Django's static files (WhiteNoise) serve them.

Nothing is fetched at run time: the pages load only these copies.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "node_modules"
VENDOR = ROOT / "static" / "vendor"

FILES = {
    "@digdir/designsystemet-css/dist/src/index.css": "designsystemet/designsystemet.css",
    "@digdir/designsystemet-css/dist/theme/designsystemet.css": "designsystemet/theme.css",
    "@digdir/designsystemet-css/LICENSE": "designsystemet/LICENSE",
    "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
    "htmx.org/LICENSE": "htmx/LICENSE",
}


def main() -> int:
    missing = [src for src in FILES if not (MODULES / src).exists()]
    if missing:
        print(
            "Missing front-end files (run `npm ci` first):", *missing, sep="\n  ", file=sys.stderr
        )
        return 1
    for src, dest in FILES.items():
        target = VENDOR / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(MODULES / src, target)
    print(f"Copied {len(FILES)} front-end files into {VENDOR.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
