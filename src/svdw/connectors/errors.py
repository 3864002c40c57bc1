"""The one exception the connectors raise."""

from __future__ import annotations


class ConnectorError(RuntimeError):
    """A source could not be read. The message names the source (never its credentials) and
    says what to do next."""

    def __init__(self, source: str, problem: str, hint: str) -> None:
        super().__init__(f"{source}: {problem}; next: {hint}")
        self.source = source
        self.problem = problem
        self.hint = hint
