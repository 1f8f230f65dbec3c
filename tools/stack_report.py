"""Print the versions of the stack the book runs on (Python and the packages readers install).

Used by `make upgrade`, `make check-newest` and `make check-oldest`, so the CI log says which
stack each run tested; the README's support table is filled from it.
"""

from __future__ import annotations

import platform
import sys
from importlib.metadata import PackageNotFoundError, version

PACKAGES = (
    "torch",
    "torchvision",
    "numpy",
    "scipy",
    "matplotlib",
    "scikit-learn",
    "scikit-image",
    "ipywidgets",
    "tqdm",
    "pandas",
    "cnnlib",
)


def installed(name: str) -> str:
    """The installed version of ``name``, or ``-`` when it is not installed."""
    try:
        return version(name)
    except PackageNotFoundError:
        return "-"


def main() -> None:
    print(f"stack of {sys.executable}")
    print(f"  {'python':<14}{platform.python_version()}")
    for name in PACKAGES:
        print(f"  {name:<14}{installed(name)}")


if __name__ == "__main__":
    main()
