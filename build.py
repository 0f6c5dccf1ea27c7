"""The main job: build every manifest in slides/ into dist/ (`python build.py`)."""

import sys

from deckwright.cli import main

if __name__ == "__main__":
    sys.exit(main(["build", "--root", "slides", "--out", "dist", *sys.argv[1:]]))
