"""Files written so that readers see the old content or the new, never half of either; their
checksums; and reading text files as strict UTF-8, with a clear refusal of anything else."""

from __future__ import annotations

import codecs
import hashlib
import os
import re
from pathlib import Path

from charset_normalizer import from_bytes


def write_atomically(path: Path, raw: bytes) -> None:
    """Write `raw` to a dotfile beside `path` (the indexer skips dotfiles), flush it to disk,
    then rename it over `path`: a crash midway leaves `path` as it was."""
    tmp = path.with_name(f".{path.name}.partial")
    with tmp.open("wb") as out:
        out.write(raw)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def file_sha256(path: Path) -> str:
    """The file's SHA-256, read a megabyte at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class NotTextError(ValueError):
    """Bytes that are not strict UTF-8 text; the message says what they look like, where the
    first foreign byte is and, for text in another encoding, how to re-save it as UTF-8."""


# Control characters other than tab/newline/CR mean a binary or corrupted file, not prose.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# UTF-32's marks first: its little-endian one begins with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
# In mostly-English text with a few accented letters, curly quotes or dashes, a detector's
# guess from so few bytes is close to random (it names Farsi or Central European code pages),
# while Windows-1252 is what Windows editors save Western text in. Past this share of non-ASCII
# letters the text is likely in another script, and the detector's guess is worth more.
_WESTERN_SHARE = 0.3
_FIX = "re-save it as UTF-8 (in an editor: Save As, encoding UTF-8; or `iconv -f {iconv} -t UTF-8`)"


def decode_utf8(raw: bytes) -> str:
    """`raw` as strict UTF-8 text (a leading byte-order mark is dropped).

    Anything else raises NotTextError: nothing is decoded on a guess, because what the index
    holds must be exactly what the file says. Text in another encoding is refused with the fix.
    """
    foreign = _utf16_or_32(raw)
    if foreign is not None:
        raise NotTextError(foreign)
    if b"\x00" in raw:
        raise NotTextError("binary file (contains NUL bytes)")
    try:
        text = raw.decode("utf-8-sig")  # strict
    except UnicodeDecodeError as exc:
        raise NotTextError(_not_utf8(raw, exc.start)) from None
    control = _CONTROL.search(raw.decode("latin-1"))  # ASCII bytes are themselves in any UTF-8 text
    if control:
        where = _position(raw, control.start())
        raise NotTextError(f"binary file (contains control characters: {ord(control.group()):#04x} at {where})")
    return text


def _utf16_or_32(raw: bytes) -> str | None:
    """Why `raw` is UTF-16 or UTF-32 text rather than UTF-8, or None when it is not."""
    for bom, codec, name in _BOMS:
        if raw.startswith(bom) and _reads_as_text(raw, codec):
            return _refusal(raw, f"{name} text (it starts with a byte-order mark)", name)
    for codec, name in (("utf-16-le", "UTF-16LE"), ("utf-16-be", "UTF-16BE")):
        if b"\x00" in raw and _reads_as_text(raw, codec):
            return _refusal(raw, "looks like UTF-16 text without a byte-order mark", name)
    return None


def _reads_as_text(raw: bytes, codec: str) -> bool:
    """Whether `raw` decodes under `codec` to something like prose. A byte-order mark followed
    by anything at all decodes to some characters; prose has spaces or line breaks."""
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError:
        return False
    return not _CONTROL.search(text) and (" " in text or "\n" in text)


def _not_utf8(raw: bytes, start: int) -> str:
    """What bytes that stop being UTF-8 at `start` are, and the fix."""
    decoded = raw.decode("utf-8", errors="replace")
    invalid = decoded.count("\ufffd")
    if sum(ord(c) > 0x7F for c in decoded) - invalid >= invalid:
        # More valid UTF-8 than foreign bytes: a UTF-8 file with something pasted into it or
        # damaged, with no one encoding to convert it from. (Text in a legacy encoding has few
        # byte runs that happen to be valid UTF-8.)
        return (
            f"not valid UTF-8: it is mostly UTF-8, but byte {raw[start]:#04x} at {_position(raw, start)} is not "
            "(two encodings mixed, or a damaged file); retype the character there and save the file as UTF-8"
        )
    codec = _guess_codec(raw)
    if codec is None:
        return (
            f"not valid UTF-8 (byte {raw[start]:#04x} at {_position(raw, start)}), nor text in an encoding "
            "recognised; re-save it as UTF-8"
        )
    windows = re.fullmatch(r"cp(125\d)", codec)
    name, iconv = (f"Windows-{windows[1]}", codec.upper()) if windows else (codec.upper(), codec.upper())
    return _refusal(raw, f"looks like {name} text", iconv)


def _guess_codec(raw: bytes) -> str | None:
    """The encoding `raw` (without NUL bytes, not UTF-8) is most likely in, as a codec name."""
    try:
        western: str | None = raw.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    best = from_bytes(raw).best()
    if western is not None:
        letters = [c for c in western if c.isalpha()]
        few_foreign = sum(not c.isascii() for c in letters) <= _WESTERN_SHARE * len(letters)
        if few_foreign or best is None or str(best) == western:
            return "cp1252"  # or its equivalent for these bytes (cp1250 often is): the common name
    if best is None or best.encoding.startswith("utf"):  # UTF-16/32 without NUL bytes is noise
        return None
    return codecs.lookup(best.encoding).name


def _refusal(raw: bytes, what: str, iconv: str) -> str:
    return (
        f"not valid UTF-8: {what}; the first byte that is not UTF-8 is at "
        f"{_position(raw, _first_foreign(raw))}; " + _FIX.format(iconv=iconv)
    )


def _first_foreign(raw: bytes) -> int:
    """Where `raw` stops reading as UTF-8 text: a NUL byte or an invalid sequence."""
    try:
        raw.decode("utf-8")
        invalid = len(raw)
    except UnicodeDecodeError as exc:
        invalid = exc.start
    nul = raw.find(b"\x00")
    return invalid if nul < 0 else min(nul, invalid)


def _position(raw: bytes, offset: int) -> str:
    """'line 3, column 12' of byte `offset`, in characters of the (valid) UTF-8 before it."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    before = raw[line_start:offset].decode("utf-8-sig" if line_start == 0 else "utf-8", errors="replace")
    line = raw.count(b"\n", 0, offset) + 1
    return f"line {line}, column {len(before) + 1}"
