"""Append-only, hash-chained audit log (JSON Lines).

Each line is one record in canonical JSON (sorted keys, no spaces, UTF-8)::

    {"alg":"sha256","event":{...},"hash":"<hex>","prev":"<hex>","seq":1,"ts":"2026-..Z"}

``hash`` is SHA-256 — or HMAC-SHA256 when a key is set in the environment
variable named by ``key_env`` — over the canonical JSON of the record without
``hash``. ``prev`` is the previous record's ``hash`` (64 zeros for the first), so
editing, deleting, inserting or reordering any record breaks the chain at that
record. Appends hold an exclusive ``flock`` on the file, read the last record,
write one line and ``fsync`` before releasing, so concurrent processes produce
one valid chain. A crash mid-append can only leave a final line without its
newline; ``verify`` reports it as a partial final record, and the next append
moves it to ``<log>.partial-<n>`` and records that recovery in the chain.
Dropping records from the end cannot be seen from the file alone: keep the head
hash ``verify`` prints somewhere else and pass it back as ``expected_head``.

Signing is declared, not guessed: when ``key_env`` is given (a project's
``compliance.audit_key_env``) every record must be HMAC-signed. Appending without
the key in the environment is refused, and ``verify`` reports a plain-sha256
record as a downgrade even when the key is not at hand (anyone can write those).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.errors import AuditLogError
from toolkit.jsonfile import loads_bounded

__all__ = ["GENESIS", "AuditLog", "VerifyResult", "canonical_json"]

GENESIS = "0" * 64
_TAIL_CHUNK = 65536


def canonical_json(obj: Any) -> str:
    """Serialise ``obj`` canonically: sorted keys, compact separators, UTF-8 kept."""
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def _digest(body: Mapping[str, Any], key: bytes | None) -> str:
    data = canonical_json(body).encode("utf-8")
    if key is not None:
        return hmac.new(key, data, hashlib.sha256).hexdigest()
    return hashlib.sha256(data).hexdigest()


def _key(key_env: str | None) -> bytes | None:
    if not key_env:
        return None
    value = os.environ.get(key_env)
    return value.encode("utf-8") if value else None


def _signing_key(key_env: str | None, path: Path) -> bytes | None:
    """The key to append with; a declared but unset key is refused (never a silent sha256)."""
    key = _key(key_env)
    if key_env and key is None:
        raise AuditLogError(
            path=str(path),
            problem=(
                f"the project signs its audit log with the HMAC key in ${key_env}, which is "
                f"not set; export {key_env} (records are never written unsigned instead)"
            ),
        )
    return key


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of :meth:`AuditLog.verify`.

    Attributes:
        ok: True when every record is intact and chained.
        records: Number of complete, valid records before the first problem.
        first_bad: 1-based line number of the first bad record (None when ok).
        reason: What is wrong with it (None when ok).
        head: Hash of the last valid record (store it to detect truncation later).
        partial_tail: True when the only problem is an unfinished final line.
    """

    ok: bool
    records: int
    first_bad: int | None = None
    reason: str | None = None
    head: str = GENESIS
    partial_tail: bool = False


class AuditLog:
    """An append-only, tamper-evident log of compliance decisions.

    Args:
        path: The JSON Lines file (created with its folder if missing).
        key_env: Name of an environment variable holding an HMAC key; when set and
            non-empty, records are authenticated with HMAC-SHA256. The key itself
            is never stored or shown.
        scrubber: Applied to every event before it is written (the engine passes
            its PII masker), so values never reach the log in clear.
    """

    def __init__(
        self,
        path: str | Path,
        key_env: str | None = None,
        *,
        scrubber: Callable[[Any], Any] | None = None,
    ) -> None:
        self.path = Path(path)
        self.key_env = key_env
        self.scrubber = scrubber
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def __repr__(self) -> str:
        return f"AuditLog({str(self.path)!r}, key_env={self.key_env!r})"

    def append(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """Append one event; returns the record written (with its seq and hash).

        Raises:
            AuditLogError: the file's last complete record is unreadable (the log
                was tampered with); nothing is written.
        """
        payload = dict(event)
        if self.scrubber is not None:
            payload = self.scrubber(payload)
        key = _signing_key(self.key_env, self.path)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o640)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                seq, prev, recovered_tail = self._tail(fd)
                if recovered_tail:  # a partial final line was set aside; chain the recovery
                    recovered = self._write(
                        fd, seq + 1, prev, {"type": "recovered_partial_record"}, key
                    )
                    seq, prev = recovered["seq"], recovered["hash"]
                return self._write(fd, seq + 1, prev, payload, key)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def _write(
        self, fd: int, seq: int, prev: str, event: Mapping[str, Any], key: bytes | None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "alg": "hmac-sha256" if key is not None else "sha256",
            "event": event,
            "prev": prev,
            "seq": seq,
            "ts": dt.datetime.now(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z"),
        }
        record = {**body, "hash": _digest(body, key)}
        data = (canonical_json(record) + "\n").encode("utf-8")
        written = 0
        while written < len(data):
            written += os.write(fd, data[written:])
        os.fsync(fd)
        return record

    def _tail(self, fd: int) -> tuple[int, str, bool]:
        """Return (seq, hash) of the last complete record and whether a partial line was cut."""
        size = os.fstat(fd).st_size
        if size == 0:
            return 0, GENESIS, False
        end, chunk = size, b""
        while end > 0:
            start = max(0, end - _TAIL_CHUNK)
            chunk = os.pread(fd, end - start, start) + chunk
            end = start
            # Enough once the last complete line is whole: two newlines, or the file start.
            last_nl = chunk.rfind(b"\n")
            if last_nl != -1 and chunk.rfind(b"\n", 0, last_nl) != -1:
                break
        partial = not chunk.endswith(b"\n")
        lines = chunk.split(b"\n")
        if partial:
            tail = lines.pop()
            self._set_aside(fd, size - len(tail), tail)
        else:
            lines.pop()
        last = next((ln for ln in reversed(lines) if ln.strip()), None)
        if last is None:
            return 0, GENESIS, partial
        try:
            record = loads_bounded(last)
            seq, digest = int(record["seq"]), str(record["hash"])
        except (ValueError, KeyError, TypeError):
            raise AuditLogError(
                path=str(self.path), problem="the last complete record is not a valid audit record"
            ) from None
        return seq, digest, partial

    def _set_aside(self, fd: int, offset: int, tail: bytes) -> None:
        n = 1
        while (aside := self.path.with_name(f"{self.path.name}.partial-{n}")).exists():
            n += 1
        aside.write_bytes(tail)
        os.ftruncate(fd, offset)
        os.fsync(fd)

    @staticmethod
    def verify(
        path: str | Path, key_env: str | None = None, *, expected_head: str | None = None
    ) -> VerifyResult:
        """Check every record's hash and link; report the first bad record.

        Args:
            path: The log file.
            key_env: Environment variable holding the HMAC key. Naming one declares the
                log signed: a plain-sha256 record then fails as a downgrade, with or
                without the key in the environment.
            expected_head: A head hash stored earlier; the log must still contain it
                (detects truncation of the newest records).

        Returns:
            The verification result; never raises for a damaged log.
        """
        key = _key(key_env)
        path = Path(path)
        prev, count, found_head = GENESIS, 0, expected_head in (None, GENESIS)
        try:
            with path.open("rb") as fh:
                for lineno, raw in enumerate(fh, start=1):
                    partial = not raw.endswith(b"\n")
                    line = raw[:-1] if not partial else raw
                    reason, digest = _check_record(line, lineno, prev, key, key_env)
                    if reason is None and partial:
                        reason = "complete JSON but no newline"
                    if reason is not None:
                        if partial:
                            reason = f"partial final record (an append was interrupted): {reason}"
                        return VerifyResult(False, count, lineno, reason, prev, partial)
                    prev = digest
                    found_head = found_head or digest == expected_head
                    count += 1
        except OSError as exc:
            return VerifyResult(False, count, None, f"cannot read the log ({exc.strerror})")
        if not found_head:
            return VerifyResult(
                False,
                count,
                count + 1,
                "the expected head record is missing (log truncated?)",
                prev,
            )
        return VerifyResult(True, count, None, None, prev)


_FIELDS = frozenset({"alg", "event", "hash", "prev", "seq", "ts"})


def _check_record(
    line: bytes, lineno: int, prev: str, key: bytes | None, key_env: str | None
) -> tuple[str | None, str]:
    """Return (problem or None, the record's hash)."""
    try:
        record = loads_bounded(line)
    except (ValueError, UnicodeDecodeError):
        return "not valid JSON (or nested too deeply)", ""
    if not isinstance(record, dict) or set(record) != _FIELDS:
        return "not an audit record (wrong fields)", ""
    if canonical_json(record).encode("utf-8") != line:
        return "record is not in canonical form (edited by hand?)", ""
    alg = record["alg"]
    if alg not in ("sha256", "hmac-sha256"):
        return f"unknown hash algorithm {alg!r}", ""
    if alg == "hmac-sha256" and key is None:
        where = f"${key_env}" if key_env else "an environment variable named by --key-env"
        return f"record is HMAC-signed; put the key in {where}", ""
    if alg == "sha256" and (key is not None or key_env):
        where = f" (${key_env})" if key_env else ""
        return (
            f"record is not HMAC-signed although the log is signed with a key{where} "
            "(forged or downgraded)",
            "",
        )
    body = {k: v for k, v in record.items() if k != "hash"}
    if not hmac.compare_digest(_digest(body, key), str(record["hash"])):
        return "hash does not match the record's content (record edited)", ""
    if record["prev"] != prev:
        return "previous-hash link broken (a record was deleted, inserted or reordered)", ""
    if record["seq"] != lineno:
        return f"sequence number {record['seq']} where {lineno} was expected", ""
    return None, str(record["hash"])
