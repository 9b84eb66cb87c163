"""Rule kinds: each validates its params and checks text, tool calls or passages."""

from __future__ import annotations

from toolkit.compliance.kinds.access import AccessKind
from toolkit.compliance.kinds.base import CheckContext, Kind, KindParams
from toolkit.compliance.kinds.disclaimer import DisclaimerKind
from toolkit.compliance.kinds.injection import InjectionKind
from toolkit.compliance.kinds.list_limit import ListLimitKind
from toolkit.compliance.kinds.phrase import PhraseKind
from toolkit.compliance.kinds.pii import PiiKind
from toolkit.compliance.kinds.tools import ApprovalKind, BoundsKind, ToolPermissionKind

__all__ = ["KINDS", "CheckContext", "Kind", "KindParams"]

KINDS: dict[str, type[Kind]] = {
    k.name: k
    for k in (
        PiiKind,
        PhraseKind,
        ToolPermissionKind,
        ApprovalKind,
        BoundsKind,
        DisclaimerKind,
        InjectionKind,
        ListLimitKind,
        AccessKind,
    )
}
"""The known kinds by name."""
