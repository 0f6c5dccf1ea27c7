#!/usr/bin/env python3
"""Vendor remark.js into assets/vendor/.

Decks must build and display offline, so the slideshow engine is committed to
the repository instead of being loaded from a CDN.  This script is how that
copy is (re)created and checked:

    python scripts/fetch_vendor.py          # fetch with the npm client, verify, write
    python scripts/fetch_vendor.py --check  # verify the committed copy, no network

The download goes through ``npm pack`` so that the configured npm registry is
used the ordinary way; the script itself knows no URL.  The tarball content is
trusted only if its sha256 matches the pinned constant below.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "remark-slide"
VERSION = "0.14.0"
SPEC = f"{PACKAGE}@{VERSION}"

# sha256 of package/out/remark.min.js inside remark-slide-0.14.0.tgz.
# Changing the version means re-running this script with a new pin, on purpose.
REMARK_MIN_JS_SHA256 = "d17ff52c0417b0512ba31c0e3dc9aaa71992ab78e3d1cdfe730d728a1daefad6"

ROOT = Path(__file__).resolve().parent.parent
VENDOR_DIR = ROOT / "assets" / "vendor"
JS_PATH = VENDOR_DIR / "remark.min.js"
LICENSE_PATH = VENDOR_DIR / "remark.LICENSE"
README_PATH = VENDOR_DIR / "README.md"

MEMBER_JS = "package/out/remark.min.js"
LICENSE_CANDIDATES = ("package/LICENSE", "package/LICENSE.md", "package/LICENSE.txt",
                      "package/license", "package/COPYING")

README_TEXT = f"""\
# Vendored third-party files

| file | what | version | license |
| --- | --- | --- | --- |
| `remark.min.js` | remark, the in-browser Markdown slideshow engine (npm package `{PACKAGE}`, file `out/remark.min.js`) | {VERSION} | MIT, see `remark.LICENSE` |
| `remark.LICENSE` | the license file shipped in that npm package | {VERSION} | - |

These files are committed so that building and viewing decks never needs the
network. Do not edit them by hand.

To check the committed copy (no network):

    python scripts/fetch_vendor.py --check

To fetch it again (uses the npm client, `npm pack {SPEC}`):

    python scripts/fetch_vendor.py

To move to another version, change `VERSION` and `REMARK_MIN_JS_SHA256` in
`scripts/fetch_vendor.py` together, after reviewing the new release.
"""


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    return sha256_bytes(path.read_bytes())


def check() -> int:
    """Verify the committed files; return a process exit code."""
    problems = []
    if not JS_PATH.is_file():
        problems.append(f"missing {JS_PATH.relative_to(ROOT)}")
    else:
        actual = sha256_file(JS_PATH)
        if actual != REMARK_MIN_JS_SHA256:
            problems.append(
                f"{JS_PATH.relative_to(ROOT)}: sha256 {actual} != pinned {REMARK_MIN_JS_SHA256}"
            )
    if not LICENSE_PATH.is_file() or LICENSE_PATH.stat().st_size == 0:
        problems.append(f"missing or empty {LICENSE_PATH.relative_to(ROOT)}")
    for problem in problems:
        print(f"fetch_vendor: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"fetch_vendor: {SPEC} ok ({REMARK_MIN_JS_SHA256[:12]}...)")
    return 0


def npm_pack(workdir: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("fetch_vendor: the npm client is needed to fetch (apt-get install npm)")
    subprocess.run(
        [npm, "pack", SPEC, "--silent"],
        cwd=workdir,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    tarballs = sorted(workdir.glob("*.tgz"))
    if len(tarballs) != 1:
        raise SystemExit(f"fetch_vendor: expected one tarball from npm pack, got {tarballs}")
    return tarballs[0]


def read_member(tar: tarfile.TarFile, name: str) -> bytes | None:
    try:
        member = tar.getmember(name)
    except KeyError:
        return None
    if not member.isfile():
        return None
    handle = tar.extractfile(member)
    return None if handle is None else handle.read()


def fetch() -> int:
    with tempfile.TemporaryDirectory(prefix="deckwright-vendor-") as tmp:
        tarball = npm_pack(Path(tmp))
        # Read members straight from the archive: nothing is extracted to disk,
        # so odd paths inside the tarball cannot escape the temp dir.
        with tarfile.open(tarball, "r:gz") as tar:
            js = read_member(tar, MEMBER_JS)
            license_text = None
            for candidate in LICENSE_CANDIDATES:
                license_text = read_member(tar, candidate)
                if license_text:
                    break

    if js is None:
        print(f"fetch_vendor: {MEMBER_JS} not found in {SPEC}", file=sys.stderr)
        return 1
    if not license_text:
        print(f"fetch_vendor: no license file found in {SPEC}", file=sys.stderr)
        return 1
    actual = sha256_bytes(js)
    if actual != REMARK_MIN_JS_SHA256:
        print(
            f"fetch_vendor: {MEMBER_JS} sha256 {actual} != pinned {REMARK_MIN_JS_SHA256};"
            " refusing to write it",
            file=sys.stderr,
        )
        return 1

    VENDOR_DIR.mkdir(parents=True, exist_ok=True)
    JS_PATH.write_bytes(js)
    LICENSE_PATH.write_bytes(license_text)
    README_PATH.write_text(README_TEXT, encoding="utf-8")
    print(f"fetch_vendor: wrote {SPEC} to {VENDOR_DIR.relative_to(ROOT)}/")
    return check()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="only verify the committed files against the pinned hash (no network)",
    )
    args = parser.parse_args(argv)
    return check() if args.check else fetch()


if __name__ == "__main__":
    sys.exit(main())
