"""Start the gencomp app: `python demos/app.py` (the same as `gencomp demo`; -h for options)."""

import sys

from gencomp.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["demo", *sys.argv[1:]]))
