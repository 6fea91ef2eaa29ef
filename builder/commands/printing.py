"""Printing diagnostics for people (text) and for CI (JSON)."""

from __future__ import annotations

import json
import sys
from typing import Sequence, TextIO

from ..errors import Diagnostic


def print_diagnostics(diagnostics: Sequence[Diagnostic], fmt: str = "text", stream: TextIO | None = None) -> None:
    """Errors and warnings, errors first, each with file and line."""
    ordered = sorted(diagnostics, key=lambda d: (d.severity != "error", d.path, d.line or 0))
    if fmt == "json":
        print(json.dumps([d.as_dict() for d in ordered], ensure_ascii=False, indent=2), file=sys.stdout)
        return
    for diagnostic in ordered:
        print(diagnostic, file=stream or sys.stderr)
