"""Small operating-system helpers more than one module needs: an atomic file writer,
a free port, and folders and files only their owner can read (what a candidate
produces — answers, reports, password hashes — is nobody else's on a shared machine)."""

from __future__ import annotations

import logging
import os
import socket
import stat
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)
#: the umask of a process that writes candidates' data: folders 0700, files 0600
PRIVATE_UMASK = 0o077


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` so a reader sees the old file or the new one,
    never half of it: a temporary file in the same folder, then ``os.replace``."""
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def private_dir(path: Path, *, tighten: bool = False) -> Path:
    """``path`` as a folder only its owner can open: created 0700 when missing (its
    missing parents too); with ``tighten``, an existing one of ours that others can
    read becomes 0700 too (never a shared folder with the sticky bit, such as /tmp,
    nor /)."""
    for folder in [*reversed(path.parents), path]:  # the missing ones, top down
        if not folder.is_dir():
            folder.mkdir(mode=0o700, exist_ok=True)
    if tighten and path.resolve() != Path(path.anchor or "/"):
        make_private(path)
    return path


def private_file(path: Path) -> Path:
    """``path`` readable by its owner only: created empty (0600) when missing, an
    existing one of ours made 0600. Its folder is created 0700 when missing."""
    private_dir(path.parent)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    make_private(path)
    return path


def make_private(path: Path) -> bool:
    """Take the group's and others' permissions off ``path`` when it is ours (and not
    a sticky folder); True when they were there and are gone."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return False
    mode = stat.S_IMODE(info.st_mode)
    if info.st_uid != os.geteuid() or mode & stat.S_ISVTX or not mode & 0o077:
        return False
    os.chmod(path, mode & 0o700)
    log.info("%s was readable by others (%o): now %o", path, mode, mode & 0o700)
    return True
