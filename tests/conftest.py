"""Shared fixtures for the toolkit's own tests."""

from __future__ import annotations

import os
import sys
import textwrap
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


_LLAMA_STAND_IN = textwrap.dedent(
    """\
    #!{python}
    import argparse, http.server, os, sys, time
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int)
    parser.add_argument("--host")
    parser.add_argument("--model")
    args, _ = parser.parse_known_args()
    print("stand-in llama-server", " ".join(sys.argv[1:]), flush=True)
    if os.environ.get("STAND_IN_FAIL"):
        print("error: failed to load model", flush=True)
        sys.exit(3)
    time.sleep(float(os.environ.get("STAND_IN_LOAD_S", "0")))

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/health" else 404)
            self.end_headers()
            self.wfile.write(b'{{"status":"ok"}}')

        def log_message(self, *args):
            pass

    http.server.HTTPServer((args.host, args.port), Health).serve_forever()
    """
)


@pytest.fixture
def llama_stand_in(tmp_path: Path) -> Path:
    """An executable that takes llama-server's arguments and answers ``/health`` like it.

    Process supervision (start, readiness, restart, stop) runs for real against it without
    the 11-minute build; ``STAND_IN_FAIL=1`` makes it exit 3, ``STAND_IN_LOAD_S`` delays it.
    """
    path = tmp_path / "llama-server"
    path.write_text(_LLAMA_STAND_IN.format(python=sys.executable), encoding="utf-8")
    path.chmod(0o755)
    return path
