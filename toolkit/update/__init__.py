"""`toolkit update`: bring a newer template version into a customized project, offline.

`plan_update` decides each file's outcome without side effects (what `toolkit fleet scan`
calls to learn whether an update would conflict); `update_project` applies it
transactionally; `revert_update` undoes the last update. Template versions come from a
`TemplateShelf`: the current templates plus the frozen archives of older releases.
"""

from __future__ import annotations

from toolkit.update.apply import UpdateResult, apply_update, recover, revert_update, update_project
from toolkit.update.merge import MergeInput, MergeResult, is_binary, merge_many
from toolkit.update.plan import FileChange, Outcome, UpdatePlan, plan_update
from toolkit.update.releases import TemplateShelf, freeze_release

__all__ = [
    "FileChange",
    "MergeInput",
    "MergeResult",
    "Outcome",
    "TemplateShelf",
    "UpdatePlan",
    "UpdateResult",
    "apply_update",
    "freeze_release",
    "is_binary",
    "merge_many",
    "plan_update",
    "recover",
    "revert_update",
    "update_project",
]
