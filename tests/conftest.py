"""Shared fixtures for the toolkit's own tests."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Noisy 2-core machines: never fail a property test on wall-clock time.
settings.register_profile("toolkit", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("toolkit")

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def rendered_template(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Render a template with its default answers, once per test session; treat it read-only.

    Returns a function from template name to the rendered project folder.
    """
    from toolkit.scaffold import create_project

    rendered: dict[str, Path] = {}

    def render(name: str) -> Path:
        if name not in rendered:
            out = tmp_path_factory.mktemp(f"rendered-{name}")
            rendered[name] = create_project(name, output_dir=out, provided={}).project_dir
        return rendered[name]

    return render


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test depends on the caller's token-service settings."""
    for name in list(os.environ):
        if name.startswith("TOOLKIT_"):
            monkeypatch.delenv(name)
    yield


def run_at_once(action: Callable[[], object], threads: int = 12) -> list[BaseException]:
    """Start ``action`` in several threads released together; return what they raised."""
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def worker() -> None:
        barrier.wait()
        try:
            action()
        except BaseException as exc:  # collected for the caller's assertion
            errors.append(exc)

    started = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join()
    return errors
