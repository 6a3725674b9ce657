"""The notebooks in notebooks/ run from top to bottom against the sample data, and are committed stripped.

Executing them is an integration test (real model, FAISS): every code cell must run without error. The
stripped-file checks are fast. To refresh a notebook after editing it in Jupyter, clear its outputs
("Kernel > Restart & Clear Output") before committing.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import nbformat
import pytest
from ipykernel.kernelspec import RESOURCES, get_kernel_dict
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CELL_TIMEOUT_S = 300


class ThisPythonKernelSpecs(KernelSpecManager):
    """Resolve the kernel "python3" to ipykernel's built-in spec for the interpreter running the tests.

    The notebooks ask for "python3". Jupyter looks that name up in the user's and the system's kernel folders
    first, so a "python3" kernelspec installed for another Python (e.g. in ~/.local/share/jupyter/kernels)
    would run the notebooks without this package, or with another copy of it. ipykernel builds its own spec
    from ``sys.executable``; using it pins the kernel to the test runner's environment without installing a
    kernelspec anywhere.
    """

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        if kernel_name == "python3":
            return KernelSpec(resource_dir=RESOURCES, **get_kernel_dict())
        return super().get_kernel_spec(kernel_name)


def execute(notebook: nbformat.NotebookNode, cwd: Path) -> nbformat.NotebookNode:
    """Run every cell in a kernel of this Python, with ``cwd`` as working directory; raise on the first failure."""
    manager = AsyncKernelManager(kernel_name="python3", kernel_spec_manager=ThisPythonKernelSpecs())
    client = NotebookClient(notebook, km=manager, kernel_name="python3", timeout=CELL_TIMEOUT_S,
                            resources={"metadata": {"path": str(cwd)}})
    return client.execute(cleanup_kc=True)  # shut the kernel down afterwards, even when a cell fails


def code_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, f"no notebooks found in {NOTEBOOK_DIR}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_stripped(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for number, cell in enumerate(code_cells(notebook), start=1):
        assert cell.outputs == [], f"{path.name}: code cell {number} has outputs; clear them before committing"
        assert cell.execution_count is None, f"{path.name}: code cell {number} has an execution count"
    assert "widgets" not in notebook.metadata, f"{path.name}: widget state in the notebook metadata"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_uses_only_the_public_api(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    private = re.compile(r"\._[A-Za-z]|import\s+_|import\s+\(?[^#\n]*\b_[A-Za-z]")
    for number, cell in enumerate(code_cells(notebook), start=1):
        for line in cell.source.splitlines():
            assert not private.search(line), f"{path.name}: code cell {number} uses a private name: {line.strip()!r}"


def test_notebook_kernel_is_this_python(tmp_path: Path) -> None:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import sys; print(sys.executable)")])
    output = execute(notebook, tmp_path).cells[0].outputs[0]
    assert Path(output.text.strip()) == Path(sys.executable)


@pytest.mark.integration
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the kernel inherits it: the bundled model loads without network
    notebook = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    execute(notebook, NOTEBOOK_DIR)  # a failing cell raises CellExecutionError with its traceback
    print(f"{path.name}: {time.perf_counter() - started:.1f}s")
