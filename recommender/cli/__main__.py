"""``python -m recommender.cli``: the same as the ``recommender`` console script."""

import sys

from . import main

if __name__ == "__main__":  # importing the module (as tools that walk the package do) runs nothing
    sys.exit(main())
