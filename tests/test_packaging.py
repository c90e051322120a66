"""The wheel installs one import root, ``chanspec``, and holds every module of the source folders."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAPPED = {
    "chanspec": "chanspec",
    "spec": "chanspec/spec",
    "reference": "chanspec/reference",
    "impl": "chanspec/impl",
    "conformance": "chanspec/conformance",
}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        check=True,
        timeout=600,
    )
    (built,) = out.glob("chanspec-*.whl")
    return zipfile.ZipFile(built)


def test_only_top_level_name_is_chanspec(wheel: zipfile.ZipFile) -> None:
    tops = {name.split("/", 1)[0] for name in wheel.namelist()}
    packages = {top for top in tops if not top.endswith(".dist-info")}
    assert packages == {"chanspec"}
    top_level = [n for n in wheel.namelist() if n.endswith("top_level.txt")]
    if top_level:
        assert wheel.read(top_level[0]).decode().split() == ["chanspec"]


def test_every_source_module_is_in_the_wheel(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    missing = []
    for folder, target in MAPPED.items():
        for source in (ROOT / folder).rglob("*.py"):
            if "__pycache__" in source.parts:
                continue
            relative = source.relative_to(ROOT / folder).as_posix()
            if f"{target}/{relative}" not in names:
                missing.append(f"{folder}/{relative}")
    assert missing == [], f"not in the wheel (list the sub-package in pyproject.toml): {missing}"


def test_every_package_ships_py_typed(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    for target in MAPPED.values():
        assert f"{target}/py.typed" in names


def test_source_folders_are_not_importable_as_top_level_names() -> None:
    names = "('spec', 'reference', 'impl', 'conformance')"
    probe = f"import importlib.util as u; print([n for n in {names} if u.find_spec(n)])"
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd="/", timeout=60
    ).stdout.strip()
    assert found == "[]"
