"""The API reference (appendix/api.md): every public module of cnnlib is on the page; every public
function and class it lists has an example (run as a doctest by ``--doctest-modules``) and says
in which chapter it is introduced; and every name a chapter uses from cnnlib is one of them."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from functools import cache
from pathlib import Path

import nbformat
import pytest
from sphinx.pycode import ModuleAnalyzer

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


def missing_documentation(obj: object) -> list[str]:
    """What the docstring of a function or class lacks: an ``Examples:`` section with a doctest,
    the line saying where it is introduced."""
    doc = " ".join((inspect.getdoc(obj) or "").split())  # a line break may fall inside a phrase
    examples = doc.partition("Examples:")[2]
    return [part for part, present in [("an Examples section with a >>> doctest", ">>>" in examples),
                                       ('the line Introduced in chapter (or appendix) "..."',
                                        re.search(r'Introduced in (chapter|appendix) "', doc) is not None)]
            if not present]


@pytest.mark.parametrize("module_name", DOCUMENTED)
def test_every_documented_function_and_class_has_an_example(module_name: str) -> None:
    members = [(n, o) for n, o in public_members(module_name) if inspect.isfunction(o) or inspect.isclass(o)]
    assert members, f"{module_name} documents nothing"
    without = {name: missing for name, obj in members if (missing := missing_documentation(obj))}
    assert not without, f"{module_name}: complete these docstrings: {without}"


def chapter_uses(source: str) -> set[str]:
    """The dotted names a notebook's code takes from cnnlib: ``from cnnlib.x import name`` gives
    ``cnnlib.x.name``, and ``x.attr.more`` on a name bound by such an import gives
    ``cnnlib.x.attr.more`` (the attribute chain as written)."""
    tree = ast.parse(source)
    bound: dict[str, str] = {}
    uses: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "cnnlib":
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
                uses.add(f"{node.module}.{alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "cnnlib":
                    bound[alias.asname or "cnnlib"] = alias.name if alias.asname else "cnnlib"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            chain, value = [], node
            while isinstance(value, ast.Attribute):
                chain.append(value.attr)
                value = value.value
            if isinstance(value, ast.Name) and value.id in bound:
                uses.add(".".join([bound[value.id], *reversed(chain)]))
    return uses


def used_object(dotted: str) -> tuple[str, object] | None:
    """The documentable object a dotted use reaches: the function, class or module-level value
    where the chain leaves cnnlib's modules (an attribute of a class or value stays with it);
    ``None`` for a module itself."""
    parts = dotted.split(".")
    obj: object = importlib.import_module(parts[0])
    for i, part in enumerate(parts[1:], start=2):
        if inspect.ismodule(obj) and not hasattr(obj, part):
            obj = importlib.import_module(".".join(parts[:i]))
            continue
        owner, obj = obj, getattr(obj, part)
        if not inspect.ismodule(owner):  # a method or attribute: document its class or value
            return ".".join(parts[:i - 1]), owner
    return None if inspect.ismodule(obj) else (dotted, obj)


@cache
def chapter_objects() -> dict[str, object]:
    """Every function, class and value of cnnlib that a chapter's code uses, by the name it is used as."""
    objects: dict[str, object] = {}
    for path in sorted(ROOT.glob("chapters/*.ipynb")) + sorted(ROOT.glob("appendix/*.ipynb")):
        cells = [cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]
        lines = [line for cell in cells for line in cell.splitlines() if not line.lstrip().startswith(("%", "!"))]
        for dotted in chapter_uses("\n".join(lines)):  # the notebook's code as one program
            if (found := used_object(dotted)) is not None:
                objects.setdefault(*found)
    return objects


def test_chapter_uses_are_read_from_imports_and_attributes() -> None:
    code = "from cnnlib import data as d, plot\nfrom cnnlib.ops import conv2d\nd.load_digits(); plot.show_images.__doc__; x.y"
    assert chapter_uses(code) == {"cnnlib.data", "cnnlib.plot", "cnnlib.ops.conv2d", "cnnlib.data.load_digits",
                                  "cnnlib.plot.show_images", "cnnlib.plot.show_images.__doc__"}
    assert used_object("cnnlib.models.BatchNorm2d.forward")[0] == "cnnlib.models.BatchNorm2d"
    assert used_object("cnnlib.widgets") is None
    assert "cnnlib.data.load_digits" in chapter_objects()


def documented_objects() -> dict[int, str]:
    """``id`` of every object the API page documents -> where it is documented."""
    shown: dict[int, str] = {}
    for module_name in DOCUMENTED:
        for name, obj in public_members(module_name):
            shown[id(obj)] = f"{module_name}.{name}"
    return shown


def test_every_function_and_class_a_chapter_uses_is_documented_with_an_example() -> None:
    shown = documented_objects()
    used = {name: obj for name, obj in chapter_objects().items() if inspect.isfunction(obj) or inspect.isclass(obj)}
    assert len(used) > 50
    off_the_page = sorted(name for name, obj in used.items() if id(obj) not in shown)
    assert not off_the_page, f"add to the API reference (appendix/api.md, a module's __all__): {off_the_page}"
    incomplete = {name: missing for name, obj in used.items() if (missing := missing_documentation(obj))}
    assert not incomplete, f"complete these docstrings: {incomplete}"


def test_every_value_a_chapter_uses_has_a_doc_comment() -> None:
    """A module-level value (a constant, a path) is documented by a ``#:`` comment above it, which
    autodoc shows on the API page."""
    values = {name: obj for name, obj in chapter_objects().items()
              if not (inspect.isfunction(obj) or inspect.isclass(obj))}
    undocumented = []
    for name in values:
        module_name, _, attribute = name.rpartition(".")
        if ("", attribute) not in ModuleAnalyzer.for_module(module_name).find_attr_docs():
            undocumented.append(name)
    assert not undocumented, f"document these with a #: comment: {sorted(undocumented)}"


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
