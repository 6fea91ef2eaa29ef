"""Diagnostics: one error type that says where (file, line, column) and what."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Diagnostic:
    """A problem found in the site's input, located as precisely as we know."""

    path: str
    line: int | None
    message: str
    severity: Severity = "error"
    col: int | None = None
    hint: str | None = None

    def location(self) -> str:
        """`path:line:col`, leaving out what is unknown."""
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)

    def __str__(self) -> str:
        text = f"{self.location()}: {self.severity}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form for `--format json`."""
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }


class LocatedError(Exception):
    """A problem at a place in one text: 1-based line and column (when known), message, hint.

    Readers raise subclasses of it; the loader turns them into a Diagnostic for the file.
    """

    def __init__(self, line: int, col: int | None, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.col = col
        self.message = message
        self.hint = hint


class BuildError(Exception):
    """Raised when a build has errors; carries all of them, warnings included."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        errors = [d for d in self.diagnostics if d.severity == "error"]
        super().__init__("\n".join(str(d) for d in errors) or "build failed")


@dataclass
class Diagnostics:
    """Collects the diagnostics of one build so they can be reported together."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, path: str, line: int | None, message: str, *, col: int | None = None,
              hint: str | None = None) -> None:
        self.items.append(Diagnostic(path, line, message, "error", col, hint))

    def warning(self, path: str, line: int | None, message: str, *, col: int | None = None,
                hint: str | None = None) -> None:
        self.items.append(Diagnostic(path, line, message, "warning", col, hint))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.items.extend(diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise BuildError(self.items)
