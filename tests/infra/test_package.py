"""The Lambda packages the stack deploys: arm64, without what the runtime provides or the tools, with bytecode;
one package for every function, the report libraries in a layer attached only to the functions that render
report files."""
from __future__ import annotations

import sys
import zipfile
from pathlib import Path

from infra.package import LAYER_ROOT, REPORT_FUNCTIONS, package_size

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


def _report_layer(stage) -> tuple[str, Path]:
    ((layer_id, layer),) = stage.resources("AWS::Lambda::LayerVersion").items()
    return layer_id, stage.outdir / f"asset.{layer['Properties']['Content']['S3Key']}"


def test_every_function_runs_the_same_package_without_the_report_libraries(stage):
    (package,) = _packages(stage).values()
    assert not [n for n in package.namelist() if n.startswith(_REPORT_LIBRARIES)]


def test_the_report_layer_is_attached_to_the_report_functions_only(stage):
    layer_id, _ = _report_layer(stage)
    with_layer = {f for f, props in stage.functions().items() if props["Properties"].get("Layers")}
    assert with_layer == REPORT_FUNCTIONS == {"Tasks", "ReportRegions"}
    for function in with_layer:
        assert stage.functions()[function]["Properties"]["Layers"] == [{"Ref": layer_id}]


def test_the_report_layer_holds_the_report_libraries_and_nothing_else_for_the_runtime_and_architecture(stage):
    layer_id, path = _report_layer(stage)
    props = stage.resources("AWS::Lambda::LayerVersion")[layer_id]["Properties"]
    assert props["CompatibleArchitectures"] == ["arm64"] and props["CompatibleRuntimes"] == ["python3.13"]
    names = zipfile.ZipFile(path).namelist()
    assert all(n.startswith(LAYER_ROOT) for n in names)
    top = {n.removeprefix(LAYER_ROOT).split("/")[0] + "/" for n in names}
    assert top >= set(_REPORT_LIBRARIES)
    assert not top & {"chalicelib/", "chalice/", "pynamodb/", "jwt/", "app.py/", *_LEFT_TO_THE_RUNTIME}
    assert any(n.endswith(".ttf") for n in names)  # the PDF font, with its Kazakh letters


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
    for package in [*_packages(stage).values(), zipfile.ZipFile(_report_layer(stage)[1])]:
        libraries = [n for n in package.namelist() if n.endswith(".so")]
        assert libraries
        for name in libraries:
            header = package.read(name)[:20]
            assert header[:4] == b"\x7fELF" and int.from_bytes(header[18:20], "little") == _AARCH64, name


def test_every_package_is_within_lambda_s_limits_with_its_layer(stage):
    _, layer = _report_layer(stage)
    for function in stage.functions():
        package = package_size(_asset(stage, function))
        unzipped = package.unzipped_bytes + (package_size(layer).unzipped_bytes if function in REPORT_FUNCTIONS else 0)
        assert package.zipped_bytes < 50 * _MIB and unzipped < 250 * _MIB, function
