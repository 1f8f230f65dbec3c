"""The API reference (appendix/api.md): every public module of cnnlib is on the page, and every
public function and class it lists has an example (run as a doctest by ``--doctest-modules``)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import cnnlib

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "appendix" / "api.md").read_text(encoding="utf-8")
DOCUMENTED = re.findall(r"^\.\. automodule:: ([\w.]+)", PAGE, flags=re.M)
#: Modules whose contents the page shows through a namespace that re-exports them.
SHOWN_THROUGH: dict[str, str] = {}


def public_members(module_name: str) -> list[tuple[str, object]]:
    """What autodoc shows for a module: ``__all__`` if it has one, else the functions and classes
    defined in it whose names do not start with an underscore."""
    module = importlib.import_module(module_name)
    if hasattr(module, "__all__"):
        return [(name, getattr(module, name)) for name in module.__all__]
    return [
        (name, obj)
        for name, obj in vars(module).items()
        if not name.startswith("_")
        and (inspect.isfunction(obj) or inspect.isclass(obj))
        and obj.__module__ == module_name
    ]


def test_every_public_module_is_on_the_page() -> None:
    modules = {f"cnnlib.{m.name}" for m in pkgutil.iter_modules(cnnlib.__path__) if not m.name.startswith("_")}
    missing = {m for m in modules - set(DOCUMENTED) if SHOWN_THROUGH.get(m) not in DOCUMENTED}
    assert not missing, f"add these modules to appendix/api.md: {sorted(missing)}"


@pytest.mark.parametrize("module_name", DOCUMENTED)
def test_every_documented_function_and_class_has_an_example(module_name: str) -> None:
    members = [(n, o) for n, o in public_members(module_name) if inspect.isfunction(o) or inspect.isclass(o)]
    assert members, f"{module_name} documents nothing"
    without = [name for name, obj in members if ">>>" not in (inspect.getdoc(obj) or "")]
    assert not without, f"{module_name}: add an Examples section to {without}"


@pytest.mark.parametrize("module_name", [m for m in DOCUMENTED if hasattr(importlib.import_module(m), "__all__")])
def test_all_lists_every_public_definition(module_name: str) -> None:
    """A namespace with ``__all__`` lists every public function and class of its submodules
    that the package exports, so nothing public is missing from the reference."""
    module = importlib.import_module(module_name)
    defined = {
        name
        for name, obj in vars(module).items()
        if not name.startswith("_")
        and (inspect.isfunction(obj) or inspect.isclass(obj))
        and (obj.__module__ == module_name or obj.__module__.startswith(module_name + "."))
    }
    assert defined <= set(module.__all__), f"add to {module_name}.__all__: {sorted(defined - set(module.__all__))}"
