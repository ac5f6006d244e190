"""
``docs/openedx_contract.md`` covers every edx-platform module the package imports, and every test it names exists.
"""
import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONTRACT = (REPO / "docs" / "openedx_contract.md").read_text(encoding="utf-8")
#: The top-level packages of openedx-platform and edx-ace.
PLATFORM_PACKAGES = ("common", "lms", "openedx", "xmodule", "edx_ace")


def platform_imports():
    """(module, imported names, file) of every import of an edx-platform module in the package, in either form."""
    for path in (REPO / "honorcode_xblock").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PLATFORM_PACKAGES:
                names = [f"{node.module}.{alias.name}" for alias in node.names]
                yield node.module, names, path.relative_to(REPO)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] in PLATFORM_PACKAGES:
                        yield alias.name, [], path.relative_to(REPO)


def test_only_the_open_edx_platform_package_imports_edx_platform():
    files = {str(path) for _module, _names, path in platform_imports()}
    assert files and all(file.startswith("honorcode_xblock/platform/openedx/") for file in files), files


def test_every_edx_platform_module_imported_is_in_the_contract():
    missing = []
    for module, names, _path in platform_imports():
        candidates = [module, *names]
        paths = [candidate.replace(".", "/") for candidate in candidates]
        if module.startswith("edx_ace"):
            paths += [candidate.replace("edx_ace.", "edx_ace/").replace(".", "/") for candidate in candidates]
        if not any(path in CONTRACT for path in paths):
            missing.append(module)
    assert not missing, f"not in docs/openedx_contract.md: {sorted(set(missing))}"


def test_every_test_the_contract_names_exists():
    named = set(re.findall(r"`(tests/[\w/]+\.py)((?:::\w+)*)`", CONTRACT))
    assert len(named) > 40
    for file_name, nodes in named:
        path = REPO / file_name
        assert path.exists(), file_name
        tree = ast.parse(path.read_text(encoding="utf-8"))
        scope = tree.body
        for name in [part for part in nodes.split("::") if part]:
            found = next((node for node in scope if getattr(node, "name", None) == name), None)
            assert found is not None, f"{file_name}{nodes}: no {name}"
            scope = getattr(found, "body", [])
