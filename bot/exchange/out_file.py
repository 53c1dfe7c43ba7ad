"""This module writes an export file safely: all or nothing, never over a file unasked.

The bytes go to a temporary file in the same folder, which is flushed to disk and then
renamed over the destination (an atomic step on POSIX and Windows), so a failed write leaves
no truncated file behind. An existing path — a file, a symbolic link (the link itself is
replaced, never its target) or anything else — is replaced only when the caller says so.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


class OutFileExists(Exception):
    """The destination exists and replacing it was not asked for."""


def write_new_file(path: Path, data: bytes, *, replace: bool) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    Args:
        path: The destination.
        data: The whole content.
        replace: Whether an existing ``path`` may be replaced (``--force``).

    Raises:
        OutFileExists: If ``path`` exists (or is a symbolic link) and ``replace`` is false.
        OSError: If the folder cannot be written, or ``path`` is a folder.
    """
    if os.path.lexists(path):
        if not replace:
            raise OutFileExists(str(path))
        if path.is_dir() and not path.is_symlink():
            raise IsADirectoryError(21, os.strerror(21), str(path))
    folder = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
