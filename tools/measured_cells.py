"""Which cells of a chapter show measured results, and are they marked as such?

Usage: python tools/measured_cells.py [--all] chapters/*.ipynb

A notebook's outputs are of two kinds (CONTRIBUTING.md, "Exact facts and measured results"):
exact facts, the same on every machine, which nbval compares with the stored outputs; and
measured results (anything downstream of training or of a clock), which differ between CPUs,
thread counts and GPUs. A cell that shows a measured result is tagged ``nbval-ignore-output``,
and the claims the prose draws from it are asserted in code, so nbval still fails when they stop
holding. A cell that reads measured values but shows only exact facts (the output shape of a
trained network, say) is tagged ``nbval-check-output`` to say so; running the notebooks under two
numeric environments in CI checks that declaration.

This script finds the cells that read measured values by following names through the code:

- a *source* is a call that trains or reads a clock: ``fit``, an optimiser's (or any) ``.step()``,
  ``time.perf_counter`` and the other clocks, ``timeit``;
- a statement that calls a source, or reads a measured name, makes every name it assigns
  measured, and so does an object it changes (``rows.append(accuracy)``, ``x.mul_(2)``), and the
  first argument of ``fit`` (the model it trains, in place); modules are never measured;
- a function whose body does either becomes a source itself;
- a ``with`` block that does either makes its ``as`` target measured (a recorder that watched
  training holds measured values);
- a statement that does neither makes the names it assigns exact again.

It over-approximates on purpose (a whole statement is measured if any part of it is): the tag
``nbval-check-output`` is the way to say that a flagged cell's output is exact after all.
Without ``--all`` it prints only the cells that break the rule and exits with status 1 if any do;
tests/test_book.py runs the same check on every chapter.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import NamedTuple

import nbformat

#: Calls whose result depends on the machine: training and clocks (matched by their last name).
SOURCES = frozenset({
    "fit", "step", "perf_counter", "perf_counter_ns", "monotonic", "process_time", "time",
    "timeit", "blocked_autorange", "adaptive_autorange",
})
#: Methods that change the object they are called on (and in-place tensor methods, ``x.add_()``).
MUTATORS = frozenset({"append", "extend", "insert", "update", "add", "setdefault", "load_state_dict"})
#: The tags that mark a cell reading measured values: its output is not compared, or it is
#: declared exact.
IGNORE_TAG = "nbval-ignore-output"
EXACT_TAG = "nbval-check-output"


class Finding(NamedTuple):
    """One code cell that reads measured values."""

    index: int  #: position among the notebook's code cells, from 0
    reasons: tuple[str, ...]  #: the measured names it reads and the sources it calls
    tags: tuple[str, ...]
    has_output: bool

    @property
    def marked(self) -> bool:
        """True when the cell says how to treat its output, or shows none."""
        return not self.has_output or IGNORE_TAG in self.tags or EXACT_TAG in self.tags


def _call_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _root(node: ast.AST) -> str | None:
    """The variable at the root of ``a``, ``a.b``, ``a[i]``, ``a.b[i].c``."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


class _Tracer:
    """Follows measured names through the cells of one notebook, in order."""

    def __init__(self) -> None:
        self.measured: set[str] = set()
        self.sources: set[str] = set(SOURCES)
        self.modules: set[str] = set()

    def _local(self, statement: ast.AST) -> set[str]:
        """Names the statement binds before it reads them: loop variables over exact values,
        function arguments."""
        local = set()
        for node in ast.walk(statement):
            if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                if not any(isinstance(n, ast.Name) and n.id in self.measured for n in ast.walk(node.iter)):
                    local |= {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                arguments = node.args
                local |= {a.arg for a in arguments.posonlyargs + arguments.args + arguments.kwonlyargs}
        return local

    def _reasons(self, statement: ast.AST) -> set[str]:
        reasons = set()
        local = self._local(statement)
        for node in ast.walk(statement):
            if (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
                    and node.id in self.measured and node.id not in local):
                reasons.add(node.id)
            elif isinstance(node, ast.Call) and _call_name(node) in self.sources:
                reasons.add(f"{_call_name(node)}()")
        return reasons

    def _taint(self, statement: ast.AST) -> None:
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                self.measured.add(node.id)
            elif isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, ast.Store):
                if (root := _root(node)) is not None:
                    self.measured.add(root)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                method = node.func.attr
                if method in MUTATORS or (method.endswith("_") and not method.startswith("__")):
                    if (root := _root(node.func.value)) is not None:
                        self.measured.add(root)
        self.measured -= self.modules

    def _mutations(self, statement: ast.AST) -> None:
        """``fit(model, ...)`` trains ``model`` in place."""
        for node in ast.walk(statement):
            if isinstance(node, ast.Call) and _call_name(node) in self.sources and node.args:
                if (root := _root(node.args[0])) is not None:
                    self.measured.add(root)
        self.measured -= self.modules

    def _kill(self, node: ast.AST) -> None:
        self.measured -= {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}

    def _block(self, statements: list[ast.stmt]) -> set[str]:
        found: set[str] = set()
        for statement in statements:
            found |= self._statement(statement)
        return found

    def _statement(self, statement: ast.stmt) -> set[str]:
        """Trace one statement in order (a loop's variable before its body); return its reasons."""
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            self.modules |= {(a.asname or a.name).split(".")[0] for a in statement.names}
            return set()
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            reasons = self._reasons(statement)
            if reasons:
                self.sources.add(statement.name)
            return reasons
        if isinstance(statement, (ast.For, ast.AsyncFor, ast.While, ast.If, ast.With, ast.AsyncWith, ast.Try)):
            headers = [getattr(statement, "iter", None), getattr(statement, "test", None),
                       *[item.context_expr for item in getattr(statement, "items", [])]]
            reasons = set().union(*(self._reasons(h) for h in headers if h is not None))
            targets = [getattr(statement, "target", None),
                       *[item.optional_vars for item in getattr(statement, "items", [])]]
            for target in filter(None, targets):
                (self._taint if reasons else self._kill)(target)
            bodies = [statement.body, statement.orelse if hasattr(statement, "orelse") else [],
                      *[h.body for h in getattr(statement, "handlers", [])],
                      getattr(statement, "finalbody", [])]
            loops = 2 if isinstance(statement, (ast.For, ast.AsyncFor, ast.While)) else 1
            for _ in range(loops):  # twice round a loop: what one pass measures, the next reads
                for body in bodies:
                    reasons |= self._block(body)
            if reasons and isinstance(statement, (ast.If, ast.While)) and self._reasons(statement.test):
                self._taint(statement)  # what a measured condition chooses is measured too
            if reasons and isinstance(statement, (ast.With, ast.AsyncWith)):
                for item in statement.items:  # a recorder that watched training holds measured values
                    if item.optional_vars is not None:
                        self._taint(item.optional_vars)
            return reasons
        reasons = self._reasons(statement)
        if reasons:
            self._mutations(statement)
            self._taint(statement)
        else:  # the names it assigns hold exact values again
            self._kill(statement)
        return reasons

    def cell(self, source: str) -> set[str]:
        """Trace one cell; return why it reads measured values (empty if it does not)."""
        try:
            tree = ast.parse(source)
        except SyntaxError:  # IPython magics: no Python to follow
            return set()
        return self._block(tree.body)


def measured_cells(notebook: nbformat.NotebookNode) -> list[Finding]:
    """Every code cell of ``notebook`` that reads measured values, in order.

    Examples:
        >>> nb = nbformat.v4.new_notebook(cells=[
        ...     nbformat.v4.new_code_cell("model = make()\\nhistory = fit(model, data)"),
        ...     nbformat.v4.new_code_cell("print(model)"),
        ...     nbformat.v4.new_code_cell("print(len(data))"),
        ... ])
        >>> [(f.index, sorted(f.reasons)) for f in measured_cells(nb)]
        [(0, ['fit()']), (1, ['model'])]
    """
    tracer = _Tracer()
    findings = []
    code = [c for c in notebook.cells if c.cell_type == "code" and c.source.strip()]
    for index, cell in enumerate(code):
        reasons = tracer.cell(cell.source)
        if reasons:
            findings.append(Finding(index, tuple(sorted(reasons)), tuple(cell.metadata.get("tags", [])),
                                    bool(cell.get("outputs"))))
    return findings


def main(argv: list[str]) -> int:
    show_all = "--all" in argv
    paths = [a for a in argv if a != "--all"]
    if not paths:
        raise SystemExit(__doc__)
    broken = 0
    for name in paths:
        for finding in measured_cells(nbformat.read(name, as_version=4)):
            if show_all or not finding.marked:
                state = "ok" if finding.marked else f"UNMARKED: tag it {IGNORE_TAG} or {EXACT_TAG}"
                print(f"{name} code cell {finding.index}: reads {', '.join(finding.reasons)} [{state}]")
            broken += not finding.marked
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
