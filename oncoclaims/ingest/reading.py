"""Reading one input file: never more than the input limit, whatever kind of file it is.

The size a file's ``stat`` gives is only a first answer: ``/dev/zero``, a FIFO or
standard input say 0 and never end. :func:`read_input` reads at most one byte past
:data:`MAX_INPUT_BYTES`, so the limit holds for streams and special files too.
:func:`shown_path` is the name errors and summaries print: a name whose bytes are not
UTF-8 (Linux allows any) shows those bytes as ``\\xNN`` instead of failing to print.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from oncoclaims.errors import FormatError, IngestError

__all__ = ["MAX_INPUT_BYTES", "read_input", "shown_path", "too_large"]

#: Inputs larger than this are refused before parsing (256 MiB).
MAX_INPUT_BYTES = 256 * 1024 * 1024

_BLOCK = 1 << 20


def shown_path(path: str | os.PathLike[str]) -> str:
    r"""``path`` as printable text: bytes of the name that are not UTF-8 shown as ``\xNN``.

    >>> shown_path(os.fsdecode(b"trial-\xff.json"))
    'trial-\\xff.json'
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def too_large(origin: str, size: int | None = None) -> FormatError:
    """The error for an input over :data:`MAX_INPUT_BYTES` (``size`` when it is known)."""
    amount = f"{size} bytes is" if size is not None else "the input is"
    return FormatError(
        f"{origin}: {amount} over the {MAX_INPUT_BYTES}-byte input limit; split the file"
    )


def read_input(path: str | os.PathLike[str]) -> bytes:
    """The bytes of the file at ``path``, a regular file or not (FIFO, ``/dev/stdin``...).

    :raises FormatError: when it holds more than :data:`MAX_INPUT_BYTES`; no more than one
        byte past the limit is read.
    :raises IngestError: when it cannot be read (missing, a folder, no permission).
    """
    origin = shown_path(path)
    limit = MAX_INPUT_BYTES
    try:
        with Path(path).open("rb") as file:
            info = os.fstat(file.fileno())
            if stat.S_ISDIR(info.st_mode):
                raise IngestError(f"{origin}: is a folder, not a file")
            if stat.S_ISREG(info.st_mode) and info.st_size > limit:
                raise too_large(origin, info.st_size)
            data = bytearray()
            while len(data) <= limit:
                block = file.read(min(_BLOCK, limit + 1 - len(data)))
                if not block:
                    break
                data += block
    except OSError as exc:
        raise IngestError(f"{origin}: cannot read the file: {exc.strerror or exc}") from exc
    if len(data) > limit:
        raise too_large(origin)
    return bytes(data)
