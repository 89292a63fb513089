"""The grader's layers, read from its own imports (statically, function-level ones too).

- no import cycle among the grader's modules, and its packages import only those
  below them: contract < errors < sandbox < intake < grading < outputs < run;
- the sandbox imports nothing of the grader but itself and the contract;
- exactly one module names `solutions/` (grading/course.py); `solutions/` imports only
  the contract of the grader; nothing in the grader imports the build, jupytext or torch;
- package `__init__` files have no side effects (a docstring, imports, `__all__`).
"""

import ast
from collections import defaultdict

import pytest
from grading_helpers import ROOT

PACKAGE = ROOT / "autograder"
LAYERS = ("contract", "errors", "sandbox", "intake", "grading", "outputs", "run")
BUILD_ONLY = ("solutions.build", "jupytext", "torch")


def module_name(path):
    """autograder/grading/course.py -> autograder.grading.course."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path):
    """(line, absolute module name) of every import in `path`, relative ones resolved."""
    tree = ast.parse(path.read_text(), str(path))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            # `from package import x`: the module x where there is one, else the package.
            found += [(node.lineno, f"{module}.{alias.name}"
                       if f"{module}.{alias.name}" in MODULES else module)
                      for alias in node.names]
    return found


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def graph():
    edges = defaultdict(set)
    for name, path in MODULES.items():
        for _, imported in imports(path):
            if imported in MODULES and imported != name:
                edges[name].add(imported)
    return edges


def layer(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_no_import_cycle_among_the_grader_modules():
    edges = graph()
    # Tarjan's strongly connected components: a cycle is a component of two or more.
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in MODULES:
        if node not in index:
            visit(node)
    assert not cycles, cycles


def test_every_module_sits_in_a_layer():
    loose = [m for m in MODULES if layer(m) not in ("", *LAYERS)
             and not m.startswith("autograder.__main__")]
    assert not loose, f"modules outside the layers {LAYERS}: {loose}"


def test_packages_import_only_the_layers_below_them():
    wrong = []
    for name, targets in graph().items():
        source = layer(name)
        if source not in LAYERS:
            continue
        for target in targets:
            if layer(target) in LAYERS and LAYERS.index(layer(target)) > LAYERS.index(source):
                wrong.append(f"{name} imports {target}")
    assert not wrong, wrong


def test_the_sandbox_imports_only_itself_and_the_contract():
    for name, path in MODULES.items():
        if layer(name) != "sandbox":
            continue
        for line, imported in imports(path):
            if imported.startswith("autograder"):
                assert layer(imported) in ("sandbox", "contract") or imported == "autograder", (
                    f"{path.relative_to(ROOT)}:{line} imports {imported}")


def names_solutions(path):
    """Whether a module imports `solutions` or spells its name in a string."""
    tree = ast.parse(path.read_text())
    return any(imported.split(".")[0] == "solutions" for _, imported in imports(path)) or any(
        isinstance(node, ast.Constant) and isinstance(node.value, str)
        and "solutions" in node.value.replace("solutions/", "solutions.").split(".")
        for node in ast.walk(tree) if not isinstance(node, ast.Expr))


def test_exactly_one_module_brings_the_course_to_grading():
    naming = sorted(m for m, p in MODULES.items() if names_solutions(p))
    assert naming == ["autograder.grading.course"]


@pytest.mark.parametrize("path", sorted((ROOT / "solutions").rglob("*.py")),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_solutions_import_only_the_contract_of_the_grader(path):
    if "notebooks" in path.parts:  # authored exercises: their hidden lines are the build's
        return
    for line, imported in imports(path):
        if imported.split(".")[0] == "autograder":
            assert imported == "autograder" or imported.startswith("autograder.contract"), (
                f"{path.relative_to(ROOT)}:{line} imports {imported}")


def test_no_grader_module_imports_the_build_side():
    """No `import` in autograder/ names the build, jupytext or torch, and the contract
    imports nothing but NumPy (and itself)."""
    for name, path in MODULES.items():
        for line, imported in imports(path):
            assert not any(imported == b or imported.startswith(b + ".") for b in BUILD_ONLY), (
                f"{path.relative_to(ROOT)}:{line} imports {imported}")
            if layer(name) == "contract":
                assert imported.split(".")[0] in ("numpy", "dataclasses", "enum", "autograder"), (
                    f"{path.relative_to(ROOT)} imports {imported}")
                assert not imported.startswith("autograder") or layer(imported) == "contract"


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("__init__.py")),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_package_init_files_have_no_side_effects(path):
    tree = ast.parse(path.read_text())
    for k, node in enumerate(tree.body):
        docstring = k == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        exports = isinstance(node, ast.Assign) and [getattr(t, "id", "") for t in node.targets] \
            == ["__all__"]
        assert docstring or exports or isinstance(node, (ast.Import, ast.ImportFrom)), (
            f"{path.relative_to(ROOT)}:{node.lineno} does more than import")
