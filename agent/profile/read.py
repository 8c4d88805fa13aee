"""Text out of a CV or a job description: PDF (pypdf), DOCX (python-docx), Markdown or
plain text, Chinese or English. A file that gives no text says why.

A CV is hostile input. The file is at most ``MAX_BYTES``; PDF and DOCX are parsed in a
worker process (``extract.py``) that is killed after ``LIMITS.max_seconds`` and
may use at most ``LIMITS.max_memory_bytes``; a DOCX whose zip unpacks to more than
the limits, a PDF of more than ``LIMITS.max_pages`` pages and a document of more than
``LIMITS.max_chars`` characters are refused before or while they are read. Each
refusal is a ``UserError`` that names the limit.

Each file is read once: its text (or the reason it was refused) is cached by its
content, so the upload, the project list and the interview's start share one read.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass
from pathlib import Path

from agent.errors import UserError

MAX_BYTES = 10 * 1024 * 1024
#: Fewer characters than this from a PDF that has pages: a scan without a text layer.
MIN_TEXT_CHARS = 20
SUFFIXES = (".pdf", ".docx", ".md", ".markdown", ".txt")
WORKER = Path(__file__).resolve().with_name("extract.py")
#: Files whose text (or refusal) is kept.
CACHE_SIZE = 32


@dataclass(frozen=True)
class Limits:
    """What one document may cost to read."""

    max_pages: int = 50
    max_chars: int = 100_000
    #: the unpacked size of a DOCX's XML parts (python-docx holds them parsed in memory)
    max_xml_bytes: int = 4 * 2**20
    #: the unpacked size of all of a DOCX's parts (pictures included)
    max_unzipped_bytes: int = 64 * 2**20
    max_members: int = 2000
    #: paragraphs of a DOCX, table cells' included
    max_paragraphs: int = 20_000
    max_seconds: float = 20.0
    max_memory_bytes: int = 1024 * 2**20
    min_text_chars: int = MIN_TEXT_CHARS

    def for_worker(self) -> str:
        fields = asdict(self)
        fields["max_cpu_seconds"] = int(self.max_seconds) + 5  # the wall clock comes first
        fields.pop("max_seconds")
        return json.dumps(fields)


LIMITS = Limits()


class _Cache:
    """Text (or the refusal) per file content; one read at a time per content."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.done: OrderedDict[str, tuple[bool, str]] = OrderedDict()
        self.busy: dict[str, threading.Lock] = {}

    def get(self, key: str) -> tuple[bool, str] | None:
        with self.lock:
            hit = self.done.get(key)
            if hit is not None:
                self.done.move_to_end(key)
            return hit

    def key_lock(self, key: str) -> threading.Lock:
        with self.lock:
            return self.busy.setdefault(key, threading.Lock())

    def put(self, key: str, value: tuple[bool, str]) -> None:
        with self.lock:
            self.done[key] = value
            self.busy.pop(key, None)
            while len(self.done) > self.size:
                self.done.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.done.clear()


_cache = _Cache(CACHE_SIZE)


def read_document(path: Path | str, limits: Limits = LIMITS) -> str:
    """The document's text (``UserError`` with a clear message when there is none)."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"no such file: {path}")
    if path.stat().st_size > MAX_BYTES:
        raise UserError(f"{path.name} is over {MAX_BYTES // 2**20} MB; a CV is far smaller")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UserError(
            f"{path.name}: unsupported format {suffix or '(none)'}; "
            "give a PDF, DOCX, Markdown or plain-text file"
        )
    data = path.read_bytes()
    key = f"{hashlib.sha256(data).hexdigest()}{suffix}{path.name}{limits}"
    with _cache.key_lock(key):
        found = _cache.get(key)
        if found is None:
            try:
                found = (True, _read(path, suffix, data, limits))
            except UserError as exc:
                found = (False, str(exc))
            _cache.put(key, found)
    ok, text = found
    if not ok:
        raise UserError(text)
    return text


def _read(path: Path, suffix: str, data: bytes, limits: Limits) -> str:
    text = _in_worker(path, suffix, limits) if suffix in (".pdf", ".docx") else _plain(path, data)
    if len(text) > limits.max_chars:
        raise UserError(
            f"{path.name} has {len(text):,} characters of text; the limit is "
            f"{limits.max_chars:,} (a CV or job description is far shorter)"
        )
    text = "\n".join(line.rstrip() for line in text.splitlines()).strip()
    if not text:
        raise UserError(f"{path.name} has no text in it")
    return text


def _in_worker(path: Path, suffix: str, limits: Limits) -> str:
    """The text as the worker process extracts it, within the limits."""
    command = [sys.executable, "-P", str(WORKER), suffix, str(path), limits.for_worker()]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, encoding="utf-8",
            timeout=limits.max_seconds, check=False, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except subprocess.TimeoutExpired:  # the worker is killed
        raise UserError(
            f"{path.name} took longer than {limits.max_seconds:g} s to read, the limit; "
            "export it again as a plain PDF or DOCX, or give a Markdown or text file"
        ) from None
    try:
        reply = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        cause = "its reader ran out of CPU time or memory" if done.returncode else "no reply"
        raise UserError(f"{path.name} could not be read ({cause})") from None
    if "error" in reply:
        raise UserError(str(reply["error"]))
    return str(reply["text"])


def _plain(path: Path, data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UserError(f"{path.name} is neither UTF-8 nor GB18030 text")


def forget() -> None:
    """Drop every cached text (tests; a changed limit)."""
    _cache.clear()
