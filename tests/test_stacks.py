"""The declared support range: pyproject's lower bounds are the oldest stack that
`make check-oldest` tests (stacks/oldest.txt), and the README's support table says the same."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
README = (ROOT / "README.md").read_text()


def lower_bounds() -> dict[str, Version]:
    """Package -> the lower bound pyproject declares (every dependency must have one)."""
    bounds = {}
    for line in PROJECT["dependencies"]:
        requirement = Requirement(line)
        lows = [Version(s.version) for s in requirement.specifier if s.operator == ">="]
        assert len(lows) == 1, f"{line}: give exactly one lower bound (>=)"
        uppers = [s for s in requirement.specifier if s.operator in ("<", "<=", "==", "~=")]
        assert not uppers, f"{line}: no upper pins (a new release must not be blocked)"
        bounds[requirement.name] = lows[0]
    return bounds


def oldest_pins() -> dict[str, Version]:
    pins = {}
    for line in (ROOT / "stacks" / "oldest.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[name] = Version(version)
    return pins


def test_oldest_stack_is_exactly_the_lower_bounds() -> None:
    assert oldest_pins() == lower_bounds()


def test_readme_support_table_states_the_lower_bounds() -> None:
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `?([\w-]+)`? \| ([\d.]+) \|", README, flags=re.M)}
    for name, bound in lower_bounds().items():
        assert name in rows, f"README's support table has no row for {name}"
        assert Version(rows[name]) == bound, f"README says {name} {rows[name]}, pyproject says {bound}"
    python = Version(PROJECT["requires-python"].removeprefix(">="))
    assert Version(rows["python"]) == python
