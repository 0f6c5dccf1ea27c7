"""The main job: build every manifest in slides/ into dist/ (`python build.py`), both beside
this file, whichever folder it is run from."""

import sys
from pathlib import Path

from deckwright.cli import main

if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    sys.exit(main(["build", "--root", str(here / "slides"), "--out", str(here / "dist"), *sys.argv[1:]]))
