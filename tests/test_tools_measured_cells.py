"""tools/measured_cells.py: which cells read values that training or a clock produced."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("measured_cells", ROOT / "tools" / "measured_cells.py")
measured_cells = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(measured_cells)


def flagged(*sources: str, tags: dict[int, list[str]] | None = None) -> dict[int, tuple[str, ...]]:
    """Code cell index -> reasons, for the cells the tracer flags."""
    cells = []
    for i, source in enumerate(sources):
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["tags"] = (tags or {}).get(i, [])
        cell.outputs = [nbformat.v4.new_output("stream", text="x")]
        cells.append(cell)
    notebook = nbformat.v4.new_notebook(cells=cells)
    return {f.index: f.reasons for f in measured_cells.measured_cells(notebook)}


def test_training_marks_the_model_and_what_is_computed_from_it() -> None:
    found = flagged(
        "model = make()",
        "train.fit(model, data)",
        "accuracy = evaluate(model)",
        "print(accuracy)",
        "print(len(data))",
    )
    assert set(found) == {1, 2, 3}
    assert found[1] == ("fit()",) and found[2] == ("model",) and found[3] == ("accuracy",)


def test_clocks_are_measured() -> None:
    found = flagged("import time\nstart = time.perf_counter()", "print(start)")
    assert set(found) == {0, 1}


def test_a_function_that_trains_becomes_a_source() -> None:
    found = flagged("def run(seed):\n    return fit(make(seed), data)", "result = run(0)", "print(result)")
    assert set(found) == {0, 1, 2} and found[1] == ("run()",)


def test_reassigning_a_name_from_exact_values_makes_it_exact_again() -> None:
    found = flagged("model = make()\nfit(model, data)", "model = make()\nprint(count(model))")
    assert set(found) == {0}


def test_a_loop_variable_over_exact_values_is_exact() -> None:
    found = flagged("for name in runs_names:\n    acc = fit(make(name), data)",
                    "for name in ('a', 'b'):\n    print(name)")
    assert set(found) == {0}


def test_a_container_filled_with_measured_values_is_measured() -> None:
    found = flagged("rows = []", "rows.append(fit(make(), data))", "print(rows)")
    assert set(found) == {1, 2}


def test_what_a_measured_condition_chooses_is_measured() -> None:
    found = flagged("acc = fit(m, d)", "if acc > 0.9:\n    verdict = 'good'", "print(verdict)")
    assert set(found) == {0, 1, 2}


def test_modules_are_never_measured() -> None:
    found = flagged("import numpy as np\nhistory = fit(m, d)\nnp.mean(history)", "print(np.pi)")
    assert set(found) == {0}


@pytest.mark.parametrize("tag", [measured_cells.IGNORE_TAG, measured_cells.EXACT_TAG])
def test_a_tagged_cell_is_marked_and_an_untagged_one_is_not(tag: str) -> None:
    cells = [nbformat.v4.new_code_cell("h = fit(m, d)"), nbformat.v4.new_code_cell("print(h)")]
    cells[0].metadata["tags"] = [tag]
    for cell in cells:
        cell.outputs = [nbformat.v4.new_output("stream", text="x")]
    findings = measured_cells.measured_cells(nbformat.v4.new_notebook(cells=cells))
    assert [f.marked for f in findings] == [True, False]


def test_a_cell_without_output_needs_no_tag() -> None:
    cell = nbformat.v4.new_code_cell("h = fit(m, d)")
    (finding,) = measured_cells.measured_cells(nbformat.v4.new_notebook(cells=[cell]))
    assert finding.marked and not finding.has_output


def test_the_command_line_reports_unmarked_cells_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    cell = nbformat.v4.new_code_cell("h = fit(m, d)\nprint(h)")
    cell.outputs = [nbformat.v4.new_output("stream", text="0.97")]
    path = tmp_path / "chapter.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
    assert measured_cells.main([str(path)]) == 1
    assert "UNMARKED" in capsys.readouterr().out
    cell.metadata["tags"] = [measured_cells.IGNORE_TAG]
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
    assert measured_cells.main([str(path)]) == 0


def test_a_recorder_that_watched_training_holds_measured_values() -> None:
    found = flagged("with Recorder(model) as recorder:\n    fit(model, data)", "frame = recorder.frame()",
                    "print(frame)")
    assert set(found) == {0, 1, 2}
