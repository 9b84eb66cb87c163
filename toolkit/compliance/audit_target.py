"""Which audit log `toolkit audit verify` checks, and whether its project signs it.

A project declares signing in ``toolkit.yaml`` (``compliance.audit_key_env``). Verify
reads that declaration by default, so a signed log rewritten as plain sha256 is
caught without the user remembering ``--key-env``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from toolkit.config import CONFIG_FILE, ProjectConfig

__all__ = ["AuditTarget", "audit_target"]

#: How many folders above the log are searched for the project's toolkit.yaml.
_SEARCH_DEPTH = 6


@dataclass(frozen=True)
class AuditTarget:
    """The log to verify and the signing its project declares.

    Attributes:
        log: The audit log file.
        key_env: The environment variable of the HMAC key (None: the log is unsigned).
        config: The toolkit.yaml the setting came from (None: no project owns the log).
    """

    log: Path
    key_env: str | None
    config: Path | None


def audit_target(path: Path, *, key_env: str | None = None) -> AuditTarget:
    """Resolve ``path`` (a log file or a project folder) to the log and its key variable.

    Args:
        path: an audit log, or a project folder (its ``compliance.audit_log`` is used).
        key_env: an explicit key variable (``--key-env``); wins over the project's.

    Raises:
        ConfigError: the owning project's toolkit.yaml is invalid (signing cannot be known).
    """
    if path.is_dir():
        config = ProjectConfig.load(path)
        log = path / config.compliance.audit_log
        return AuditTarget(log, key_env or config.compliance.audit_key_env, path / CONFIG_FILE)
    log = path.resolve()
    for folder in list(log.parents)[:_SEARCH_DEPTH]:
        if not (folder / CONFIG_FILE).is_file():
            continue
        config = ProjectConfig.load(folder)
        if (folder / config.compliance.audit_log).resolve() != log:
            break  # the nearest project does not own this log
        return AuditTarget(path, key_env or config.compliance.audit_key_env, folder / CONFIG_FILE)
    return AuditTarget(path, key_env, None)
