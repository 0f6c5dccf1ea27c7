#!/usr/bin/env python3
"""Vendor remark.js and mermaid into assets/vendor/.

Decks must build and display offline, so the slideshow engine (remark) and the
diagram drawer (mermaid, loaded only by decks that hold diagrams) are committed
to the repository instead of being loaded from a CDN.  This script is how those
copies are (re)created and checked:

    python scripts/fetch_vendor.py            # fetch each with the npm client, verify, write
    python scripts/fetch_vendor.py mermaid    # only that one
    python scripts/fetch_vendor.py --check    # verify the committed copies, no network

The download goes through ``npm pack`` so that the configured npm registry is
used the ordinary way; the script itself knows no URL.  A tarball's file is
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
from typing import NamedTuple

# sha256 of package/out/remark.min.js inside remark-slide-0.14.0.tgz.
# Changing a version means re-running this script with a new pin, on purpose.
REMARK_MIN_JS_SHA256 = "d17ff52c0417b0512ba31c0e3dc9aaa71992ab78e3d1cdfe730d728a1daefad6"
# sha256 of package/dist/mermaid.min.js inside mermaid-12.3.0.tgz.
MERMAID_MIN_JS_SHA256 = "336df803d87a38b70a01e736e666c8f7601d2ce42f5e47c8fafe5d721074b9a3"

ROOT = Path(__file__).resolve().parent.parent
VENDOR_DIR = ROOT / "assets" / "vendor"
README_PATH = VENDOR_DIR / "README.md"

LICENSE_CANDIDATES = ("package/LICENSE", "package/LICENSE.md", "package/LICENSE.txt",
                      "package/license", "package/COPYING")


class Vendored(NamedTuple):
    """One npm package's file committed under assets/vendor/, with its license beside it."""

    name: str  # what it is called here: the files are <name>.min.js and <name>.LICENSE
    package: str
    version: str
    member: str  # the file inside the npm tarball
    sha256: str
    what: str  # for the README's table

    @property
    def spec(self) -> str:
        return f"{self.package}@{self.version}"

    @property
    def js_path(self) -> Path:
        return VENDOR_DIR / f"{self.name}.min.js"

    @property
    def license_path(self) -> Path:
        return VENDOR_DIR / f"{self.name}.LICENSE"


REMARK = Vendored("remark", "remark-slide", "0.14.0", "package/out/remark.min.js",
                  REMARK_MIN_JS_SHA256, "remark, the in-browser Markdown slideshow engine")
MERMAID = Vendored("mermaid", "mermaid", "12.3.0", "package/dist/mermaid.min.js",
                   MERMAID_MIN_JS_SHA256,
                   'mermaid, which draws the diagrams of `<pre class="mermaid">` blocks; only '
                   "decks that hold one load it")
VENDORED = (REMARK, MERMAID)


def readme_text() -> str:
    """assets/vendor/README.md, made from VENDORED so that it cannot drift from the pins."""
    rows = []
    for v in VENDORED:
        file = v.member.removeprefix("package/")
        rows.append(f"| `{v.js_path.name}` | {v.what} (npm package `{v.package}`, file `{file}`) "
                    f"| {v.version} | MIT, see `{v.license_path.name}` |")
        rows.append(f"| `{v.license_path.name}` | the license file shipped in that npm package "
                    f"| {v.version} | - |")
    specs = ", ".join(f"`npm pack {v.spec}`" for v in VENDORED)
    pins = ", ".join(f"`{v.name.upper()}_MIN_JS_SHA256`" for v in VENDORED)
    return f"""\
# Vendored third-party files

| file | what | version | license |
| --- | --- | --- | --- |
{chr(10).join(rows)}

These files are committed so that building and viewing decks never needs the
network. Do not edit them by hand.

To check the committed copies (no network):

    python scripts/fetch_vendor.py --check

To fetch them again (uses the npm client: {specs}):

    python scripts/fetch_vendor.py [NAME ...]

To move one to another version, change its version and its pinned hash
in `scripts/fetch_vendor.py` together ({pins}), after
reviewing the new release.
"""


README_TEXT = readme_text()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    return sha256_bytes(path.read_bytes())


def problems_with(vendored: Vendored) -> list[str]:
    """What is wrong with the committed copy of one package (nothing: an empty list)."""
    problems = []
    js = vendored.js_path
    if not js.is_file():
        problems.append(f"missing {js.relative_to(ROOT)}")
    else:
        actual = sha256_file(js)
        if actual != vendored.sha256:
            problems.append(f"{js.relative_to(ROOT)}: sha256 {actual} != pinned {vendored.sha256}")
    lic = vendored.license_path
    if not lic.is_file() or lic.stat().st_size == 0:
        problems.append(f"missing or empty {lic.relative_to(ROOT)}")
    return problems


def check(selected: tuple[Vendored, ...] = VENDORED) -> int:
    """Verify the committed files; return a process exit code."""
    failed = False
    for vendored in selected:
        problems = problems_with(vendored)
        for problem in problems:
            print(f"fetch_vendor: {problem}", file=sys.stderr)
        if problems:
            failed = True
        else:
            print(f"fetch_vendor: {vendored.spec} ok ({vendored.sha256[:12]}...)")
    return 1 if failed else 0


def npm_pack(spec: str, workdir: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("fetch_vendor: the npm client is needed to fetch (apt-get install npm)")
    subprocess.run(
        [npm, "pack", spec, "--silent"],
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


def fetch_one(vendored: Vendored) -> int:
    """Fetch one package, write its file and license if the file matches its pin."""
    with tempfile.TemporaryDirectory(prefix="deckwright-vendor-") as tmp:
        tarball = npm_pack(vendored.spec, Path(tmp))
        # Read members straight from the archive: nothing is extracted to disk,
        # so odd paths inside the tarball cannot escape the temp dir.
        with tarfile.open(tarball, "r:gz") as tar:
            js = read_member(tar, vendored.member)
            license_text = None
            for candidate in LICENSE_CANDIDATES:
                license_text = read_member(tar, candidate)
                if license_text:
                    break

    if js is None:
        print(f"fetch_vendor: {vendored.member} not found in {vendored.spec}", file=sys.stderr)
        return 1
    if not license_text:
        print(f"fetch_vendor: no license file found in {vendored.spec}", file=sys.stderr)
        return 1
    actual = sha256_bytes(js)
    if actual != vendored.sha256:
        print(
            f"fetch_vendor: {vendored.member} sha256 {actual} != pinned {vendored.sha256};"
            " refusing to write it",
            file=sys.stderr,
        )
        return 1

    VENDOR_DIR.mkdir(parents=True, exist_ok=True)
    vendored.js_path.write_bytes(js)
    vendored.license_path.write_bytes(license_text)
    print(f"fetch_vendor: wrote {vendored.spec} to {VENDOR_DIR.relative_to(ROOT)}/")
    return 0


def fetch(selected: tuple[Vendored, ...] = VENDORED) -> int:
    for vendored in selected:
        if fetch_one(vendored):
            return 1
    README_PATH.write_text(README_TEXT, encoding="utf-8")
    return check(selected)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    by_name = {v.name: v for v in VENDORED}
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"only these ({', '.join(by_name)}; default: all)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="only verify the committed files against the pinned hashes (no network)",
    )
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in by_name]
    if unknown:
        parser.error(f"unknown NAME {', '.join(unknown)} (choose from {', '.join(by_name)})")
    selected = tuple(by_name[n] for n in args.names) or VENDORED
    return check(selected) if args.check else fetch(selected)


if __name__ == "__main__":
    sys.exit(main())
