"""Remote file names a connector refuses to write into landing: a name is data from outside,
and becomes a local path, a row of audit.load_batch and a line of every log that names it."""

from __future__ import annotations

import unicodedata

MAX_NAME_BYTES = 255  # the longest file name Linux file systems take
SHOWN_CHARS = 80


def name_problem(name: str) -> str | None:
    """Why a remote file name is unsafe as a landing file name, or None.

    Refused: path separators and `..` (the name could leave the landing folder), a leading dot
    (hidden, and the landing rule for unfinished files: svdw.landing), control and format
    characters (a newline forges log lines, an escape sequence rewrites a terminal, a
    right-to-left override disguises the extension), and names longer than a file system takes.
    """
    if not name or name in (".", ".."):
        return "an empty or relative name"
    if "/" in name or "\\" in name:
        return "a path separator (it could write outside the landing folder)"
    if ".." in name.split("."):
        return "'..' (it could write outside the landing folder)"
    if name.startswith("."):
        return "a leading dot (hidden, and the mark of a file still being written)"
    hidden = sorted({f"U+{ord(c):04X}" for c in name if unicodedata.category(c) in ("Cc", "Cf")})
    if hidden:
        return f"control or format characters ({', '.join(hidden)})"
    if len(name.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
        return f"more than {MAX_NAME_BYTES} bytes"
    return None


def shown(name: str) -> str:
    """The name as safe, bounded text for a message: escaped, cut to SHOWN_CHARS."""
    text = ascii(name)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."
