"""Commands of the sim part (placeholder until that part lands)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this part's commands to the app."""
