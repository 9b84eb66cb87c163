"""Shared fixtures for {{ cookiecutter.project_slug }}'s tests."""

from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def project_dir() -> Path:
    """The project's root folder."""
    return PROJECT_DIR
