"""`toolkit update` as one library call: recover, plan or apply, gate, report."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from rich.console import Console

from toolkit.errors import UsageError
from toolkit.update.apply import recover, revert_update, update_project
from toolkit.update.console import print_update, update_json
from toolkit.update.gate import GateResult, gated_update
from toolkit.update.releases import TemplateShelf

__all__ = ["run_update"]


def run_update(
    project_dir: Path,
    console: Console,
    *,
    to_version: str | None = None,
    provided: Mapping[str, object] | None = None,
    dry_run: bool = False,
    evaluate: bool = False,
    as_json: bool = False,
    revert: bool = False,
    shelf: TemplateShelf | None = None,
) -> int:
    """Run `toolkit update` and print its report; return the exit status.

    The status is 1 when ``evaluate`` found a regression, 0 otherwise (conflicts are
    reported, not failures: the customer resolves them).

    Raises:
        UsageError: incompatible options.
    """
    if evaluate and dry_run:
        raise UsageError("--eval runs the evaluation after applying; it cannot go with --dry-run")
    if revert:
        if dry_run or evaluate or to_version or provided:
            raise UsageError("--revert takes no other option")
        journal = revert_update(project_dir)
        message = f"Reverted the update {journal.from_version} -> {journal.to_version}."
        if as_json:
            console.print_json(json.dumps({"reverted": journal.to_json()}, ensure_ascii=False))
        else:
            console.print(message, markup=False)
        return 0
    gate: GateResult | None = None
    if evaluate:
        from toolkit.tokens import ideal_cache_bound

        recover(project_dir)
        result, gate = gated_update(
            project_dir,
            lambda: update_project(project_dir, to_version, provided=provided, shelf=shelf),
            cache_bound=ideal_cache_bound,
        )
    else:
        result = update_project(
            project_dir, to_version, provided=provided, dry_run=dry_run, shelf=shelf
        )
    if as_json:
        console.print_json(
            json.dumps(update_json(result, dry_run=dry_run, gate=gate), ensure_ascii=False)
        )
    else:
        print_update(console, result, dry_run=dry_run, gate=gate)
    return 1 if gate is not None and not gate.ok else 0
