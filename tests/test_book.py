"""The book as a whole: notebooks follow the conventions, and a strict build renders them."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC_TEXT = (ROOT / "_toc.yml").read_text()
#: Every notebook of the book: the chapters, then the appendices that compute.
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb")) + sorted((ROOT / "appendix").glob("*.ipynb"))
_spec = importlib.util.spec_from_file_location("setup_cell", ROOT / "tools" / "setup_cell.py")
_setup_cell = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_setup_cell)
SETUP_CELL = _setup_cell.setup_cell()
_spec = importlib.util.spec_from_file_location("measured_cells", ROOT / "tools" / "measured_cells.py")
measured_cells = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(measured_cells)
GLUE_ROLE = re.compile(r"\{glue:text\}`([^`:]+)(?::([^`]*))?`")


def code_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in notebook.cells if c.cell_type == "code" and c.source.strip()]


def glue_records(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """Glued name -> stored text/plain, read from the notebook's outputs."""
    records = {}
    for cell in code_cells(notebook):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name and "application/papermill.record/text/plain" in data:
                records[name] = data["application/papermill.record/text/plain"]
    return records


def test_there_are_chapters() -> None:
    assert NOTEBOOKS, "chapters/ holds no notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_in_the_table_of_contents(path: Path) -> None:
    assert path.relative_to(ROOT).with_suffix("").as_posix() in TOC_TEXT


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_was_executed_in_order_without_errors(path: Path) -> None:
    cells = code_cells(nbformat.read(path, as_version=4))
    assert [c.execution_count for c in cells] == list(range(1, len(cells) + 1))
    for cell in cells:
        for output in cell.outputs:
            assert output.output_type != "error", f"stored error in {path.name}: {output.get('ename')}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_outputs_hold_no_deprecation_warning(path: Path) -> None:
    """A deprecation a chapter triggers is fixed, not stored: nbval then fails wherever a fresh
    run prints one, on any stack (make check-oldest, make check-newest)."""
    for cell in code_cells(nbformat.read(path, as_version=4)):
        for output in cell.outputs:
            text = output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
            for warning in ("DeprecationWarning", "FutureWarning", "will be deprecated", "is deprecated"):
                assert warning not in text, f"{path.name}: a stored output says {warning!r}:\n{text[:300]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_cells_showing_measured_results_are_not_compared_byte_for_byte(path: Path) -> None:
    """A cell that reads what training or a clock produced, and shows output, is tagged
    nbval-ignore-output (its claims asserted elsewhere) or nbval-check-output (declared exact):
    otherwise the stored outputs pass only on the machine that stored them."""
    unmarked = [f for f in measured_cells.measured_cells(nbformat.read(path, as_version=4)) if not f.marked]
    assert not unmarked, "\n".join(
        f"{path.name}, code cell {f.index} shows output and reads {', '.join(f.reasons)}: tag it "
        f"{measured_cells.IGNORE_TAG} and assert its claims, or {measured_cells.EXACT_TAG} if it is exact"
        for f in unmarked
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_cell_both_ignores_and_checks_its_output(path: Path) -> None:
    for index, cell in enumerate(code_cells(nbformat.read(path, as_version=4))):
        tags = set(cell.metadata.get("tags", []))
        assert not {measured_cells.IGNORE_TAG, measured_cells.EXACT_TAG} <= tags, (path.name, index)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_cell_installs_cnnlib_from_the_configured_repository(path: Path) -> None:
    first = code_cells(nbformat.read(path, as_version=4))[0]
    repository = CONFIG["repository"]
    assert f'git+{repository["url"]}@{repository["branch"]}' in SETUP_CELL
    assert first.source == SETUP_CELL, (
        f"{path.name}: the first cell must be the set-up cell; run tools/setup_cell.py --write"
    )
    assert "remove-cell" in first.metadata.get("tags", [])
    assert not first.outputs, "the set-up cell shows nothing when cnnlib is installed"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_glued_name_in_the_prose_is_recorded(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    records = glue_records(notebook)
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    missing = sorted({m.group(1) for m in GLUE_ROLE.finditer(markdown)} - set(records))
    assert not missing, f"{path.name} uses glued names it never records: {missing}"


#: Tags that take a cell's code off the page (hide-input and hide-cell only fold it away).
HIDDEN_CODE_TAGS = {"remove-cell", "remove-input"}
#: The longest code line the site shows without a scroll bar.
MAX_CODE_LINE = 80
GLUE_CALL = re.compile(r"\bglue\(")


def visible_code_cells(notebook: nbformat.NotebookNode) -> list[tuple[int, nbformat.NotebookNode]]:
    """(index among the notebook's cells, cell) of every code cell whose code the page shows."""
    return [
        (index, cell)
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and not HIDDEN_CODE_TAGS & set(cell.metadata.get("tags", []))
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_visible_code_cells_do_not_glue(path: Path) -> None:
    """Gluing numbers into the prose is bookkeeping, not the lesson: glue(...) calls go into a
    cell tagged remove-cell right after the code that computes the values (nbval still runs it)."""
    offenders = [
        f"{path.name}, cell {index} (id {cell.get('id')}): {line.strip()}"
        for index, cell in visible_code_cells(nbformat.read(path, as_version=4))
        for line in cell.source.splitlines()
        if GLUE_CALL.search(line)
    ]
    assert not offenders, "visible code cells call glue; move the calls to a remove-cell cell:\n" + "\n".join(
        offenders
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_visible_code_lines_fit_the_page_width(path: Path) -> None:
    """A code line longer than the page is cut off behind a scroll bar on the site."""
    offenders = [
        f"{path.name}, cell {index} (id {cell.get('id')}), {len(line)} characters: {line}"
        for index, cell in visible_code_cells(nbformat.read(path, as_version=4))
        for line in cell.source.splitlines()
        if len(line) > MAX_CODE_LINE
    ]
    assert not offenders, f"visible code lines longer than {MAX_CODE_LINE} characters:\n" + "\n".join(offenders)


def test_strict_build_produces_the_landing_page_and_bibliography(built_site: Path) -> None:
    index = (built_site / "intro.html").read_text()
    assert "How Machines See" in index
    bibliography = (built_site / "appendix" / "bibliography.html").read_text()
    # every entry of references.bib is listed (the plain style writes titles in sentence case)
    titles = re.findall(r"^\s*title\s*=\s*\{(.+)\},?\s*$", (ROOT / "references.bib").read_text(), re.M)
    assert len(titles) >= 11
    text = re.sub(r"\s+", " ", bibliography).lower()
    for title in titles:
        words = re.sub(r"[{}]", "", title).lower().split()
        assert " ".join(words[:4]) in text, title


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_built_chapter_shows_its_glued_numbers_and_figures(built_site: Path, path: Path) -> None:
    from myst_nb.core.variables import format_plain_text

    html = (built_site / path.relative_to(ROOT).with_suffix(".html")).read_text()
    notebook = nbformat.read(path, as_version=4)
    records = glue_records(notebook)
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    for match in GLUE_ROLE.finditer(markdown):
        name, spec = match.group(1), match.group(2) or "s"
        expected = format_plain_text(records[name], spec)
        assert f'<span class="pasted-text">{expected}</span>' in html, (name, expected)
    stored_figures = sum(
        "image/png" in o.get("data", {}) for c in code_cells(notebook) for o in c.outputs
    )
    assert html.count('<img alt="../_images/') >= stored_figures > 0 or stored_figures == 0
