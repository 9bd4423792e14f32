"""The Lambda deployment package, made smaller and quicker to start after `chalice package` wrote it.

`slim_package(zip_path)` rewrites Chalice's deployment.zip in place:

- the distributions the Lambda Python runtime already provides (boto3, botocore and what they need) are left
  out: PynamoDB requires botocore, so pip puts 24 MB of it in the zip, and the runtime's copy is used anyway
  once ours is gone. The runtime's version, not the pinned one, then serves production (infra/README.md);
- the distributions only needed to build others are left out too, but for their compiled modules (pip brings
  cffi and pycparser for cryptography, whose own compiled module needs nothing of them but `_cffi_backend`);
- so are the files of libraries that Python never loads: type stubs and browser assets (`.pyi`, `.js`, `.css`,
  `.map`; Powertools carries a 1.7 MB Swagger UI for its own web framework, which a Chalice app never serves);
- so are the parts of Powertools the app never imports (`_UNUSED`: its web framework, parser, parameters,
  feature flags, ...: 0.8 MB zipped);
- the local runner (`chalicelib/local/`: `make run`'s embedded emulator, pollers and scheduler) stays out: it
  never runs in Lambda;
- every module gets bytecode (`__pycache__/*.cpython-313.pyc`, unchecked-hash: the package is immutable, so
  the source is never compared, and no timestamp can make it stale after unzipping); sources stay beside it
  for tracebacks, and a file that does not compile (a Python 2 leftover in a library) keeps its source only;
- entries are sorted and dated 1980-01-01, so unchanged code makes a byte-identical zip (CDK hashes it).

`report_layer(zip_path, layer_path)` then moves the report libraries (openpyxl, fpdf2, Pillow, the font, and
what only they require: 17 MB zipped) out of that zip into a Lambda layer zip (under `python/`, which the
Python runtime puts on `sys.path`). Chalice makes one package for every function; infra/ attaches the layer to
the functions in `REPORT_FUNCTIONS` only (they render report files: `chalicelib.jobs.reports.render`, which
nothing else imports), so the API's package and cold start carry none of it.

No CDK import here: bench/ measures the same package from the project's own virtualenv.
"""
from __future__ import annotations

import csv
import email.parser
import io
import json
import os
import py_compile
import re
import sys
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from packaging.requirements import Requirement

__all__ = ["BUILD_ONLY", "LAMBDA_ARCHITECTURE", "LAYER_ROOT", "REPORT_FUNCTIONS", "REPORT_LIBRARIES",
           "RUNTIME_PROVIDED", "PackageError", "PackageSize", "package_runtime", "package_size", "report_layer",
           "slim_package"]

LAMBDA_ARCHITECTURE = "arm64"  # about 20 % cheaper per GB-second than x86_64; every wheel we need exists for it
# Distributions of the Lambda Python runtime (normalised names); the package must not carry its own copy.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3"})
# Distributions needed to build others; only their compiled extension modules are kept.
BUILD_ONLY = frozenset({"cffi", "pycparser"})
# What renders report files (and, with what only they require, moves to the report layer).
REPORT_LIBRARIES = frozenset({"openpyxl", "fpdf2", "pillow", "fontpkg-pt-sans"})
# The functions (Chalice logical ids) that render report files, and get the report layer: the report tasks
# (Tasks runs every queued task) and the region reports. The scheduled school jobs only queue tasks.
REPORT_FUNCTIONS = frozenset({"Tasks", "ReportRegions"})
LAYER_ROOT = "python/"  # where a layer's modules go: the runtime has /opt/python on sys.path

_FIXED_DATE = (1980, 1, 1, 0, 0, 0)
_DIST_INFO = re.compile(r"([^/]+)-[^/-]+\.dist-info/RECORD")
_RUNTIME = re.compile(r"python(\d+)\.(\d+)")
_EXTENSION = re.compile(r"[^/]+\.(?:so|pyd)")  # a top-level compiled module, such as _cffi_backend
_NEVER_LOADED = (".pyi", ".js", ".css", ".map")
_APP = ("app.py", "chalicelib/")  # what the project wrote: shipped whole, but for the local runner
_LOCAL_ONLY = "chalicelib/local/"
# Parts of Powertools the app never imports: its own web framework, and utilities for other services or for
# pydantic models (Powertools reaches `event_handler` and `parser` only when pydantic is installed; it is not).
_UNUSED = tuple(f"aws_lambda_powertools/{part}/" for part in (
    "event_handler", "utilities/parser", "utilities/auth_alpha", "utilities/parameters",
    "utilities/circuit_breaker", "utilities/feature_flags", "utilities/kafka", "utilities/data_masking",
    "utilities/streaming", "utilities/validation"))


class PackageError(RuntimeError):
    """The package cannot be slimmed: wrong interpreter for its runtime, or not a deployment zip."""


@dataclass(frozen=True, slots=True)
class PackageSize:
    """Sizes of a deployment zip: the file itself, its contents unpacked, how many files."""

    zipped_bytes: int
    unzipped_bytes: int
    files: int


def package_runtime(package_dir: Path) -> str:
    """The Lambda runtime (`python3.13`) of the functions in the SAM template `chalice package` wrote beside
    its deployment.zip."""
    resources = json.loads((package_dir / "sam.json").read_text(encoding="utf-8"))["Resources"]
    runtimes = {r["Properties"]["Runtime"] for r in resources.values() if r["Type"] == "AWS::Serverless::Function"}
    if len(runtimes) != 1:
        raise PackageError(f"expected one runtime in {package_dir / 'sam.json'}, found {sorted(runtimes)}")
    return runtimes.pop()


def package_size(zip_path: Path) -> PackageSize:
    """The sizes Lambda counts against its limits (50 MB zipped upload, 250 MB unzipped)."""
    with zipfile.ZipFile(zip_path) as package:
        entries = [info for info in package.infolist() if not info.is_dir()]
    return PackageSize(zip_path.stat().st_size, sum(info.file_size for info in entries), len(entries))


def slim_package(zip_path: Path, *, runtime: str = "python3.13", provided: Iterable[str] = RUNTIME_PROVIDED,
                 build_only: Iterable[str] = BUILD_ONLY) -> PackageSize:
    """Rewrite `zip_path` without the `provided` distributions, with only the extension modules of the
    `build_only` ones, without the files of libraries Python never loads, and with bytecode for `runtime`; its
    new size.

    The bytecode is this interpreter's, so it must be the runtime's version (`python3.13`).
    """
    match = _RUNTIME.fullmatch(runtime)
    if match is None or (int(match[1]), int(match[2])) != sys.version_info[:2]:
        raise PackageError(f"bytecode for {runtime} needs that interpreter; this is "
                           f"python{sys.version_info.major}.{sys.version_info.minor}")
    with zipfile.ZipFile(zip_path) as package:
        if "app.py" not in package.namelist():
            raise PackageError(f"{zip_path} is not a Chalice deployment package (no app.py)")
        dropped = _files_of(package, {_normalised(name) for name in provided})
        dropped |= {name for name in _files_of(package, {_normalised(name) for name in build_only})
                    if not _EXTENSION.fullmatch(name)}
        kept = [info for info in package.infolist()
                if not info.is_dir() and info.filename not in dropped and not _is_bytecode(info.filename)
                and (info.filename.startswith(_APP) or not info.filename.endswith(_NEVER_LOADED))
                and not info.filename.startswith((_LOCAL_ONLY, *_UNUSED))]
        contents = {info.filename: package.read(info) for info in kept}
        modes = {info.filename: info.external_attr for info in kept}
    contents.update(_bytecode(contents))
    draft = zip_path.with_suffix(".slim.zip")
    with zipfile.ZipFile(draft, "w") as package:
        for name in sorted(contents):
            info = zipfile.ZipInfo(name, date_time=_FIXED_DATE)
            info.external_attr = modes.get(name, 0o644 << 16)
            package.writestr(info, contents[name], compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    os.replace(draft, zip_path)
    return package_size(zip_path)


def report_layer(zip_path: Path, layer_path: Path, *, libraries: Iterable[str] = REPORT_LIBRARIES) -> PackageSize:
    """Move the `libraries` distributions, and the ones that only they require, from the (slimmed) `zip_path`
    into the layer zip `layer_path` (under `LAYER_ROOT`, bytecode included); `zip_path` is rewritten without
    them. The layer's size."""
    with zipfile.ZipFile(zip_path) as package:
        moved = _files_of(package, _only_for(package, {_normalised(name) for name in libraries}))
        entries = [(info, package.read(info)) for info in package.infolist()]
    if not moved:
        raise PackageError(f"{zip_path} holds none of {', '.join(sorted(libraries))}")
    draft = zip_path.with_suffix(".app.zip")
    with zipfile.ZipFile(draft, "w") as app, zipfile.ZipFile(layer_path, "w") as layer:
        for info, data in entries:
            if info.filename in moved or _bytecode_of(info.filename, moved):
                target, info = layer, _renamed(info, LAYER_ROOT + info.filename)
            else:
                target = app
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    os.replace(draft, zip_path)
    return package_size(layer_path)


def _renamed(info: zipfile.ZipInfo, name: str) -> zipfile.ZipInfo:
    renamed = zipfile.ZipInfo(name, date_time=info.date_time)
    renamed.external_attr = info.external_attr
    return renamed


def _only_for(package: zipfile.ZipFile, distributions: set[str]) -> set[str]:
    """`distributions` and every distribution of the package that nothing but they require."""
    requires = _requirements(package)
    left_out = set(distributions)
    while True:
        needed = {dependency for name, dependencies in requires.items() if name not in left_out
                  for dependency in dependencies}
        more = {dependency for name in left_out for dependency in requires.get(name, ())} - needed - left_out
        if not more:
            return left_out
        left_out |= more


def _requirements(package: zipfile.ZipFile) -> dict[str, set[str]]:
    """Each distribution's unconditional requirements (for this interpreter, no extras), by normalised name."""
    requires: dict[str, set[str]] = {}
    for name in package.namelist():
        if not re.fullmatch(r"[^/]+\.dist-info/METADATA", name):
            continue
        metadata = email.parser.HeaderParser().parsestr(package.read(name).decode("utf-8"))
        wanted = (Requirement(text) for text in metadata.get_all("Requires-Dist") or ())
        requires[_normalised(metadata["Name"])] = {
            _normalised(r.name) for r in wanted if r.marker is None or r.marker.evaluate({"extra": ""})}
    return requires


def _bytecode_of(name: str, sources: set[str]) -> bool:
    """Whether `name` is the `__pycache__` bytecode of one of `sources` (RECORDs list no bytecode we made)."""
    if "/__pycache__/" not in f"/{name}":
        return False
    folder, _, file = name.rpartition("__pycache__/")
    return f"{folder}{file.split('.', 1)[0]}.py" in sources


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _files_of(package: zipfile.ZipFile, distributions: set[str]) -> set[str]:
    """Every file the RECORDs of `distributions` list, and their .dist-info directories."""
    files: set[str] = set()
    for name in package.namelist():
        found = _DIST_INFO.fullmatch(name)
        if found is None or _normalised(found[1]) not in distributions:
            continue
        info_dir = name.rpartition("/")[0] + "/"
        files.update(n for n in package.namelist() if n.startswith(info_dir))
        for row in csv.reader(io.StringIO(package.read(name).decode("utf-8"))):
            if row and not row[0].startswith(".."):
                files.add(str(PurePosixPath(row[0])))
    return files


def _is_bytecode(name: str) -> bool:
    return name.endswith((".pyc", ".pyo")) or "/__pycache__/" in f"/{name}"


def _bytecode(sources: dict[str, bytes]) -> dict[str, bytes]:
    """`__pycache__/<module>.<tag>.pyc` of every module in `sources` that compiles (names relative to the
    package root, so tracebacks find the source on sys.path wherever the package is unpacked)."""
    compiled: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="slim-package-") as scratch:
        for name, source in sources.items():
            if not name.endswith(".py"):
                continue
            path = PurePosixPath(name)
            target = Path(scratch) / "out.pyc"
            source_file = Path(scratch) / "source.py"
            source_file.write_bytes(source)
            try:
                py_compile.compile(str(source_file), cfile=str(target), dfile=name, doraise=True,
                                   invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
            except py_compile.PyCompileError:
                continue
            cached = path.parent / "__pycache__" / f"{path.stem}.{sys.implementation.cache_tag}.pyc"
            compiled[str(cached)] = target.read_bytes()
    return compiled
