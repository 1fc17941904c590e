"""Helpers for the command line tests: the sandbox's credentials."""

from __future__ import annotations

AK, SK, SELLER = "AKCLI", "cli-secret", "A1CLISELLER"
