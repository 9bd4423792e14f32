"""The Lambda package after `chalice package`: the runtime's boto3 left out, bytecode in, a deterministic zip."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from infra.package import LAYER_ROOT, PackageError, package_runtime, package_size, report_layer, slim_package

RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"


def _record(*files: str) -> str:
    return "".join(f"{name},sha256=x,1\n" for name in files)


def _deployment(path: Path) -> Path:
    """A small Chalice-like zip: the app, a library, botocore (runtime-provided) and cffi (build-only)."""
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("app.py", "from chalicelib import journal\nfrom lib import VALUE\n")
        package.writestr("chalicelib/__init__.py", "")
        package.writestr("chalicelib/journal.py", "TERMS = 4\n")
        package.writestr("chalicelib/__pycache__/journal.cpython-313.pyc", b"stale")
        package.writestr("chalicelib/local/runner.py", "import moto\n")
        package.writestr("lib/__init__.py", "VALUE = 'from the source'\n")
        package.writestr("lib/static/ui.js", "alert(1)")
        package.writestr("lib/__init__.pyi", "VALUE: str\n")
        package.writestr("lib/legacy.py", "print 'python 2'\n")
        package.writestr("aws_lambda_powertools/logging/__init__.py", "")
        package.writestr("aws_lambda_powertools/event_handler/api_gateway.py", "")
        package.writestr("aws_lambda_powertools/utilities/parser/models.py", "import pydantic\n")
        package.writestr("botocore/__init__.py", "raise ImportError('the runtime provides me')\n")
        package.writestr("botocore/data/endpoints.json", "{}")
        package.writestr("botocore-1.44.8.dist-info/RECORD",
                         _record("botocore/__init__.py", "botocore/data/endpoints.json",
                                 "botocore-1.44.8.dist-info/RECORD", "../../bin/jp.py"))
        package.writestr("cffi/__init__.py", "")
        package.writestr("_cffi_backend.cpython-313-x86_64-linux-gnu.so", b"\x7fELF")
        package.writestr("cffi-2.1.1.dist-info/RECORD",
                         _record("cffi/__init__.py", "_cffi_backend.cpython-313-x86_64-linux-gnu.so"))
    return path


def test_runtime_provided_and_build_only_files_go_and_bytecode_comes(tmp_path: Path) -> None:
    package = _deployment(tmp_path / "deployment.zip")
    size = slim_package(package, runtime=RUNTIME)
    names = set(zipfile.ZipFile(package).namelist())
    assert not any(n.startswith(("botocore", "cffi")) for n in names)
    assert "_cffi_backend.cpython-313-x86_64-linux-gnu.so" in names  # what cryptography's module loads
    assert not names & {"lib/static/ui.js", "lib/__init__.pyi", "chalicelib/local/runner.py"}
    assert {n for n in names if n.startswith("aws_lambda_powertools/") and n.endswith(".py")} == {
        "aws_lambda_powertools/logging/__init__.py"}  # what the app uses stays, Powertools' web framework goes
    tag = sys.implementation.cache_tag
    assert {f"__pycache__/app.{tag}.pyc", f"chalicelib/__pycache__/journal.{tag}.pyc",
            f"lib/__pycache__/__init__.{tag}.pyc", "lib/legacy.py"} <= names
    assert f"lib/__pycache__/legacy.{tag}.pyc" not in names  # it does not compile: shipped as it was
    assert zipfile.ZipFile(package).read(f"chalicelib/__pycache__/journal.{tag}.pyc") != b"stale"
    assert size == package_size(package) and size.files == len(names)


def test_the_shipped_bytecode_is_what_runs_even_when_the_source_changes_after_unpacking(tmp_path: Path) -> None:
    package = _deployment(tmp_path / "deployment.zip")
    slim_package(package, runtime=RUNTIME)
    task = tmp_path / "task"
    zipfile.ZipFile(package).extractall(task)
    (task / "lib" / "__init__.py").write_text("VALUE = 'edited after packaging'\n")
    probe = "import sys; sys.path.insert(0, sys.argv[1]); import app, lib; print(lib.VALUE)"
    run = subprocess.run([sys.executable, "-S", "-P", "-c", probe, str(task)], capture_output=True, text=True,
                         env={"PYTHONDONTWRITEBYTECODE": "1"}, check=True)
    assert run.stdout.strip() == "from the source"


_REPORTS_AND_THE_APP = (  # distribution, its module, version, requirements
    ("fpdf2", "fpdf", "2.8.9", ["defusedxml", "Pillow>=8", "typing-extensions"]),
    ("defusedxml", "defusedxml", "0.7.1", []),
    ("pillow", "PIL", "13.0.0", []),
    ("openpyxl", "openpyxl", "3.1.5", ["et-xmlfile", 'lxml; extra == "fast"']),
    ("typing_extensions", "typing_extensions", "4.16.0", []),
    ("PyJWT", "jwt", "2.15.1", ['typing_extensions; python_version < "3.0"', "typing_extensions>=4"]),
)


def _with_report_libraries(path: Path) -> Path:
    """The deployment zip plus report libraries, what only they need, and what the app needs too; slimmed."""
    package = _deployment(path)
    with zipfile.ZipFile(package, "a") as more:
        for name, module, version, requires in _REPORTS_AND_THE_APP:
            info = f"{name}-{version}.dist-info"
            more.writestr(f"{module}/__init__.py", "")
            more.writestr(f"{info}/METADATA", f"Name: {name}\n" + "".join(f"Requires-Dist: {r}\n" for r in requires))
            more.writestr(f"{info}/RECORD", _record(f"{module}/__init__.py", f"{info}/METADATA"))
    slim_package(package, runtime=RUNTIME)
    return package


def test_the_report_libraries_and_what_only_they_need_move_to_the_layer(tmp_path: Path) -> None:
    package = _with_report_libraries(tmp_path / "deployment.zip")
    before = package_size(package)
    layer = report_layer(package, tmp_path / "layer.zip")
    tops = {name.split("/")[0] for name in zipfile.ZipFile(package).namelist()}
    assert not tops & {"fpdf", "PIL", "defusedxml", "openpyxl"}
    assert not [t for t in tops if t.startswith(("fpdf2-", "pillow-", "defusedxml-", "openpyxl-"))]
    assert {"app.py", "chalicelib", "lib", "jwt", "typing_extensions", "__pycache__"} <= tops  # the app's own
    assert package_size(package).files + layer.files == before.files  # moved, nothing lost
    probe = zipfile.ZipFile(package).namelist()
    assert f"jwt/__pycache__/__init__.{sys.implementation.cache_tag}.pyc" in probe
    assert not [n for n in probe if n.startswith("fpdf/")]  # its bytecode went with its sources
    moved = zipfile.ZipFile(tmp_path / "layer.zip").namelist()
    assert all(n.startswith(LAYER_ROOT) for n in moved)
    assert {n.removeprefix(LAYER_ROOT).split("/")[0] for n in moved} >= {"fpdf", "PIL", "defusedxml", "openpyxl"}
    assert f"{LAYER_ROOT}fpdf/__pycache__/__init__.{sys.implementation.cache_tag}.pyc" in moved


def test_a_package_without_report_libraries_has_no_layer_to_give(tmp_path: Path) -> None:
    package = _deployment(tmp_path / "deployment.zip")
    slim_package(package, runtime=RUNTIME)
    with pytest.raises(PackageError):
        report_layer(package, tmp_path / "layer.zip")


def test_slimming_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    first, second = _deployment(tmp_path / "a.zip"), _deployment(tmp_path / "b.zip")
    slim_package(first, runtime=RUNTIME)
    slim_package(second, runtime=RUNTIME)
    assert first.read_bytes() == second.read_bytes()


def test_bytecode_for_another_python_or_of_another_zip_is_refused(tmp_path: Path) -> None:
    package = _deployment(tmp_path / "deployment.zip")
    with pytest.raises(PackageError, match="python3.9"):
        slim_package(package, runtime="python3.9")
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as other:
        other.writestr("main.py", "")
    with pytest.raises(PackageError, match="no app.py"):
        slim_package(tmp_path / "other.zip", runtime=RUNTIME)


def test_the_runtime_comes_from_the_template_beside_the_zip(tmp_path: Path) -> None:
    function = {"Type": "AWS::Serverless::Function", "Properties": {"Runtime": "python3.13"}}
    (tmp_path / "sam.json").write_text(json.dumps({"Resources": {"A": function, "B": function,
                                                                 "Api": {"Type": "AWS::Serverless::Api"}}}))
    assert package_runtime(tmp_path) == "python3.13"
