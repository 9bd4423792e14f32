"""The Lambda packages the stack deploys: arm64, without what the runtime provides or the tools, with bytecode;
the report libraries only in the package of the functions that render report files."""
from __future__ import annotations

import sys
import zipfile
from pathlib import Path

from infra.package import FULL_PACKAGE_FUNCTIONS, package_size

_AARCH64 = 0xB7  # ELF e_machine of arm64
_LEFT_TO_THE_RUNTIME = ("boto3/", "botocore/", "s3transfer/", "jmespath/", "dateutil/", "urllib3/", "six.py")
_TOOLS = ("aws_cdk/", "constructs/", "jsii/", "chalice/cli/", "pip/", "setuptools/", "moto/", "pytest/", "infra/",
          "chalicelib/local/")
_REPORT_LIBRARIES = ("openpyxl/", "fpdf/", "PIL/", "fontTools/")
_MIB = 1024 * 1024


def _asset(stage, function: str) -> Path:
    return stage.outdir / f"asset.{stage.functions()[function]['Properties']['CodeUri']['Key']}"


def _packages(stage) -> dict[Path, zipfile.ZipFile]:
    return {path: zipfile.ZipFile(path) for path in {_asset(stage, f) for f in stage.functions()}}


def test_report_renderers_get_the_full_package_and_every_other_function_the_lean_one(stage):
    full = {_asset(stage, f) for f in stage.functions() if f in FULL_PACKAGE_FUNCTIONS}
    lean = {_asset(stage, f) for f in stage.functions() if f not in FULL_PACKAGE_FUNCTIONS}
    assert len(full) == 1 and len(lean) == 1 and "APIHandler" not in FULL_PACKAGE_FUNCTIONS
    (full_zip,), (lean_zip,) = full, lean
    assert {n.split("/")[0] + "/" for n in zipfile.ZipFile(full_zip).namelist()} >= set(_REPORT_LIBRARIES)
    assert not [n for n in zipfile.ZipFile(lean_zip).namelist() if n.startswith(_REPORT_LIBRARIES)]
    assert package_size(lean_zip).zipped_bytes < package_size(full_zip).zipped_bytes


def test_every_package_holds_the_app_but_not_boto3_nor_the_tools(stage):
    for package in _packages(stage).values():
        names = package.namelist()
        assert {"app.py", "chalice/app.py", "chalicelib/__init__.py"} <= set(names)
        assert not [n for n in names if n.startswith(_LEFT_TO_THE_RUNTIME)]
        assert not [n for n in names if n.startswith(_TOOLS)]


def test_every_module_of_the_app_ships_with_its_bytecode(stage):
    tag = sys.implementation.cache_tag
    for package in _packages(stage).values():
        names = set(package.namelist())
        modules = [n for n in names if n.endswith(".py") and (n == "app.py" or n.startswith("chalicelib/"))]
        assert modules
        for module in modules:
            folder, _, file = module.rpartition("/")
            assert f"{folder}/__pycache__/{file[:-3]}.{tag}.pyc".lstrip("/") in names, module


def test_compiled_libraries_are_built_for_arm64(stage):
    for package in _packages(stage).values():
        libraries = [n for n in package.namelist() if n.endswith(".so")]
        assert libraries
        for name in libraries:
            header = package.read(name)[:20]
            assert header[:4] == b"\x7fELF" and int.from_bytes(header[18:20], "little") == _AARCH64, name


def test_every_package_is_within_lambda_s_limits(stage):
    for path in _packages(stage):
        size = package_size(path)
        assert size.zipped_bytes < 50 * _MIB and size.unzipped_bytes < 250 * _MIB
