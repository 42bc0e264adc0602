"""Extract the text of a PDF written by fpdf2, for tests (no PDF reader is installed).

It reads the objects, inflates FlateDecode streams, builds each Type0 font's ToUnicode map
(bfchar/bfrange) and decodes the ``Tj``/``TJ`` strings of every page's content stream with the
font selected by ``Tf``. Simple (core) fonts are decoded as Windows-1252. It also checks the
file's structure (header, cross-reference offsets, trailer), i.e. that a reader can open it.
"""

from __future__ import annotations

import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)\s*endobj", re.S)
_STREAM = re.compile(rb"^(.*?)stream\r?\n(.*?)\r?\nendstream", re.S)
_TOKEN = re.compile(
    rb"\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>|\[|\]|/[^\s/\[\]()<>]+|[^\s/\[\]()<>]+", re.S
)


class PdfError(AssertionError):
    pass


def _offsets(data: bytes) -> dict[int, int]:
    """Object number -> byte offset, from the cross-reference table."""
    start = re.search(rb"startxref\s+(\d+)", data)
    if start is None:
        raise PdfError("no startxref")
    table = data[int(start.group(1)) :]
    header = re.match(rb"xref\s+0\s+(\d+)\s+", table)
    if header is None:
        raise PdfError("bad xref table")
    entries = re.findall(rb"(\d{10}) (\d{5}) ([nf])", table[header.end() :])[: int(header.group(1))]
    return {n: int(offset) for n, (offset, _, kind) in enumerate(entries) if kind == b"n"}


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Objects read at their xref offsets; a stream is cut by its /Length, never by searching
    for ``endstream`` (compressed bytes may contain anything)."""
    found: dict[int, tuple[bytes, bytes | None]] = {}
    for number, offset in _offsets(data).items():
        begin = data.index(b"obj", offset) + 3
        stream_at = data.find(b"stream", begin)
        end_at = data.index(b"endobj", begin)
        if stream_at == -1 or stream_at > end_at:
            found[number] = (data[begin:end_at].strip(), None)
            continue
        head = data[begin:stream_at]
        length = re.search(rb"/Length\s+(\d+)", head)
        if length is None:
            raise PdfError(f"object {number}: stream without a direct /Length")
        body = stream_at + len(b"stream")
        body += 2 if data[body : body + 2] == b"\r\n" else 1
        raw = data[body : body + int(length.group(1))]
        content = zlib.decompress(raw) if b"/FlateDecode" in head else raw
        found[number] = (head.strip(), content)
    return found


def check_structure(data: bytes) -> None:
    if not data.startswith(b"%PDF-1."):
        raise PdfError("no PDF header")
    if not data.rstrip().endswith(b"%%EOF"):
        raise PdfError("no %%EOF")
    start = re.search(rb"startxref\s+(\d+)", data)
    if start is None or data[int(start.group(1)) : int(start.group(1)) + 4] != b"xref":
        raise PdfError("startxref does not point at the xref table")
    table = data[int(start.group(1)) :]
    header = re.match(rb"xref\s+0\s+(\d+)\s+", table)
    if header is None:
        raise PdfError("bad xref table")
    entries = re.findall(rb"(\d{10}) (\d{5}) ([nf])", table[header.end() :])[: int(header.group(1))]
    for number, (offset, _, kind) in enumerate(entries):
        if kind == b"n" and not data[int(offset) :].startswith(f"{number} 0 obj".encode()):
            raise PdfError(f"xref entry {number} points at the wrong place")
    if b"/Root" not in table:
        raise PdfError("no /Root in the trailer")


def _literal(token: bytes) -> bytes:
    body = token[1:-1]
    out = bytearray()
    i = 0
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    while i < len(body):
        char = body[i : i + 1]
        if char != b"\\":
            out += char
            i += 1
            continue
        nxt = body[i + 1 : i + 2]
        octal = re.match(rb"[0-7]{1,3}", body[i + 1 : i + 4])
        if octal:
            out.append(int(octal.group(0), 8))
            i += 1 + len(octal.group(0))
        elif nxt in escapes:
            out += escapes[nxt]
            i += 2
        elif nxt in (b"\r", b"\n"):
            i += 2
        else:
            out += nxt
            i += 2
    return bytes(out)


def _cmap(text: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}

    def utf16(hexa: bytes) -> str:
        return bytes.fromhex(hexa.decode()).decode("utf-16-be")

    for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(src, 16)] = utf16(dst)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
        for low, high, dst in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            first = ord(utf16(dst))
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(first + offset)
    return mapping


def _fonts(objects: dict[int, tuple[bytes, bytes | None]]) -> dict[bytes, dict[int, str] | None]:
    """Resource name (``/F1``) -> code map (None: a simple font, cp1252)."""
    fonts: dict[bytes, dict[int, str] | None] = {}
    for head, _ in objects.values():
        resources = re.search(rb"/Font\s*<<(.*?)>>", head, re.S)
        if resources is None:
            continue
        for name, ref in re.findall(rb"(/F\w+)\s+(\d+) 0 R", resources.group(1)):
            font = objects[int(ref)][0]
            to_unicode = re.search(rb"/ToUnicode\s+(\d+) 0 R", font)
            if to_unicode is None:
                fonts[name] = None
            else:
                fonts[name] = _cmap(objects[int(to_unicode.group(1))][1] or b"")
    return fonts


def extract_text(data: bytes) -> str:
    """Every text-showing string, one per line, in drawing order."""
    check_structure(data)
    objects = _objects(data)
    fonts = _fonts(objects)
    pages = [
        int(ref)
        for head, _ in objects.values()
        if re.search(rb"/Type\s*/Page\b", head)
        for ref in re.findall(rb"/Contents\s+(\d+) 0 R", head)
    ]
    if not pages:
        raise PdfError("no page")
    lines: list[str] = []
    for ref in pages:
        content = objects[ref][1] or b""
        font: dict[int, str] | None = None
        operands: list[bytes] = []
        for token in _TOKEN.findall(content):
            if token == b"Tf" and len(operands) >= 2:
                font = fonts.get(operands[-2])
            elif token in (b"Tj", b"TJ"):
                strings = [t for t in operands if t[:1] in (b"(", b"<")]
                lines.append("".join(_decode(s, font) for s in strings))
            if token in (
                b"Tf",
                b"Tj",
                b"TJ",
                b"Td",
                b"BT",
                b"ET",
                b"Tm",
                b"re",
                b"f",
                b"S",
                b"l",
                b"m",
            ):
                operands = []
            else:
                operands.append(token)
    return "\n".join(lines)


def _decode(token: bytes, font: dict[int, str] | None) -> str:
    raw = bytes.fromhex(token[1:-1].decode()) if token[:1] == b"<" else _literal(token)
    if font is None:
        return raw.decode("cp1252")
    return "".join(
        font.get(int.from_bytes(raw[i : i + 2], "big"), "\ufffd") for i in range(0, len(raw), 2)
    )
