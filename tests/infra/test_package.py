"""The Lambda package the stack deploys: arm64, without what the runtime provides or the tools, with bytecode."""
from __future__ import annotations

import sys
import zipfile
from pathlib import Path

from infra.package import package_size

_AARCH64 = 0xB7  # ELF e_machine of arm64
_LEFT_TO_THE_RUNTIME = ("boto3/", "botocore/", "s3transfer/", "jmespath/", "dateutil/", "urllib3/", "six.py")
_TOOLS = ("aws_cdk/", "constructs/", "jsii/", "chalice/cli/", "pip/", "setuptools/", "moto/", "pytest/", "infra/")
_LAMBDA_MB = 1024 * 1024


def _asset(stage) -> Path:
    (key,) = {f["Properties"]["CodeUri"]["Key"] for f in stage.functions().values()}  # one package for all
    return stage.outdir / f"asset.{key}"


def _package(stage) -> zipfile.ZipFile:
    return zipfile.ZipFile(_asset(stage))


def test_every_function_runs_the_one_package_the_stack_ships(stage):
    names = set(_package(stage).namelist())
    assert {"app.py", "chalice/app.py", "chalicelib/__init__.py"} <= names


def test_the_package_leaves_boto3_to_the_runtime_and_carries_no_tools(stage):
    names = _package(stage).namelist()
    assert not [n for n in names if n.startswith(_LEFT_TO_THE_RUNTIME)]
    assert not [n for n in names if n.startswith(_TOOLS)]


def test_every_module_of_the_app_ships_with_its_bytecode(stage):
    names = set(_package(stage).namelist())
    tag = sys.implementation.cache_tag
    modules = [n for n in names if n.endswith(".py") and (n == "app.py" or n.startswith("chalicelib/"))]
    assert modules
    for module in modules:
        folder, _, file = module.rpartition("/")
        assert f"{folder}/__pycache__/{file[:-3]}.{tag}.pyc".lstrip("/") in names, module


def test_compiled_libraries_are_built_for_arm64(stage):
    package = _package(stage)
    libraries = [n for n in package.namelist() if n.endswith(".so")]
    assert libraries
    for name in libraries:
        header = package.read(name)[:20]
        assert header[:4] == b"\x7fELF" and int.from_bytes(header[18:20], "little") == _AARCH64, name


def test_the_package_is_within_lambda_s_limits(stage):
    size = package_size(_asset(stage))
    assert size.zipped_bytes < 50 * _LAMBDA_MB and size.unzipped_bytes < 250 * _LAMBDA_MB
