"""The house rules of the package layout: layers, who may draw, public names, annotations, module sizes."""

import ast
import importlib
import inspect
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import mmlab

SOURCE = Path(mmlab.__file__).parent
MODULES = sorted(m.name for m in pkgutil.walk_packages(mmlab.__path__, "mmlab."))

#: Longest module, in lines, before it should be split by concern.
MAX_MODULE_LINES = 500


def test_layers_contract_holds():
    """import-linter's layers contract (pyproject.toml): no module imports from a layer above its own."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports)], capture_output=True, text=True, cwd=SOURCE.parents[1])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_only_plots_and_widgets_modules_use_viz():
    offenders = []
    for path in SOURCE.rglob("*.py"):
        relative = path.relative_to(SOURCE)
        if relative.parts[0] == "viz" or path.stem in ("plots", "widgets", "dashboard"):
            continue
        if any(module == "mmlab.viz" or module.startswith("mmlab.viz.") for module in _imported_modules(path)):
            offenders.append(str(relative))
    assert offenders == []


@pytest.mark.parametrize("name", MODULES)
def test_every_public_module_declares_its_names_and_annotates_its_functions(name):
    module = importlib.import_module(name)
    assert hasattr(module, "__all__"), f"{name} has no __all__"
    missing = [item for item in module.__all__ if not hasattr(module, item)]
    assert missing == [], f"{name}.__all__ names {missing}, which it does not define"
    unannotated = []
    for item in module.__all__:
        value = getattr(module, item)
        if inspect.isfunction(value) and value.__module__ == name:
            if "return" not in value.__annotations__:
                unannotated.append(item)
        elif inspect.isclass(value) and value.__module__ == name:
            for method_name, method in vars(value).items():
                function = method.__func__ if isinstance(method, (classmethod, staticmethod)) else method
                if inspect.isfunction(function) and not method_name.startswith("_") \
                        and "return" not in function.__annotations__:
                    unannotated.append(f"{item}.{method_name}")
    assert unannotated == [], f"{name}: public functions without a return annotation: {unannotated}"


def test_modules_are_small():
    sizes = {str(p.relative_to(SOURCE)): len(p.read_text().splitlines()) for p in SOURCE.rglob("*.py")}
    assert {path: n for path, n in sizes.items() if n > MAX_MODULE_LINES} == {}
