"""The shape of the package: registries complete, __all__ exact, package data loadable."""

from __future__ import annotations

import importlib
import pkgutil
from importlib import resources

import pytest

import oncoclaims
from oncoclaims.ingest import INGESTERS
from oncoclaims.ingest.base import Ingester

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(oncoclaims.__path__, prefix="oncoclaims.")
    if info.name != "oncoclaims.__main__"
)


@pytest.mark.parametrize("name", MODULES)
def test_every_module_declares_an_exact_all(name: str) -> None:
    module = importlib.import_module(name)
    assert hasattr(module, "__all__"), f"{name} has no __all__"
    for symbol in module.__all__:
        assert hasattr(module, symbol), f"{name}.__all__ names {symbol}, which does not exist"
    assert len(set(module.__all__)) == len(module.__all__)


def test_every_ingest_module_registers_its_ingester() -> None:
    registered = {type(ingester).__module__ for ingester in INGESTERS.values()}
    for info in pkgutil.iter_modules(importlib.import_module("oncoclaims.ingest").__path__):
        module = importlib.import_module(f"oncoclaims.ingest.{info.name}")
        classes = [
            obj for obj in vars(module).values()
            if isinstance(obj, type) and obj.__name__.endswith("Ingester") and obj.__module__ == module.__name__
        ]
        if classes and info.name != "base":  # base defines the Ingester protocol itself
            assert module.__name__ in registered, f"{module.__name__} defines an ingester that is not registered"
    assert all(isinstance(ingester, Ingester) for ingester in INGESTERS.values())


@pytest.mark.parametrize(
    ("package", "suffix"),
    [("oncoclaims.queries", ".rq"), ("oncoclaims.reference", ".toml"), ("oncoclaims.reference", ".txt")],
)
def test_package_data_loads_through_importlib_resources(package: str, suffix: str) -> None:
    files = [p for p in resources.files(package).iterdir() if p.name.endswith(suffix)]
    assert files
    for file in files:
        assert file.read_text(encoding="utf-8")
