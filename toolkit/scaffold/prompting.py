"""Interactive prompts for `toolkit new` (rich)."""

from __future__ import annotations

from toolkit.scaffold.answers import Prompter

__all__ = ["rich_prompter"]


def rich_prompter() -> Prompter:
    """Return a prompter that asks on the terminal, showing the default."""
    from rich.prompt import Prompt

    def ask(name: str, default: str, choices: list[str]) -> str:
        if choices:
            return Prompt.ask(name, choices=choices, default=default)
        return Prompt.ask(name, default=default)

    return ask
