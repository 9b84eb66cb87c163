"""Endpoint URLs made safe to show: credentials in the user-info or the query string hidden.

Azure-style endpoints carry their key in the query string (``...?api-key=...``);
anything that prints, stores or hashes an endpoint URL goes through `redact_url`.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["is_secret_param", "redact_url", "secret_values"]

REDACTED = "***"

# Parameter names that carry credentials in the wild: api-key / api_key / apikey / key,
# (access_|id_|refresh_)token, secret, signature / sig (pre-signed URLs), password, auth...
_SECRET_NAME = re.compile(
    r"(^|[-_.])(key|apikey|token|secret|sig|signature|password|passwd|pwd|auth|authorization"
    r"|credential|credentials|session|code)$|api[-_]?key|access[-_]?token|client[-_]?secret",
    re.IGNORECASE,
)


def is_secret_param(name: str) -> bool:
    """Whether a query parameter of this name carries a credential."""
    return bool(_SECRET_NAME.search(name.strip()))


def secret_values(url: str) -> list[str]:
    """The credentials a URL carries: its user-info password and secret query values.

    The client scrubs them from any text that might echo the URL (an HTTP error message).
    """
    try:
        parts = urlsplit(url)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        return []
    found = [value for name, value in pairs if value and is_secret_param(name)]
    if parts.password:
        found.append(parts.password)
    return found


def redact_url(url: str) -> str:
    """``url`` with user-info and credential query parameters replaced by ``***``.

    Other parameters (``api-version=...``) stay readable. A value that is not a URL
    is returned unchanged, except that anything after ``?`` is dropped when it cannot
    be parsed, so nothing unparsed leaks.

    Args:
        url: An endpoint URL, or ``local``.

    Returns:
        The URL, safe for logs, reports, errors and cache keys.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return url.split("?", 1)[0].split("#", 1)[0]
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode(
            [(name, REDACTED if is_secret_param(name) else value) for name, value in pairs],
            safe="*",
        )
    fragment = REDACTED if parts.fragment else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, fragment))
