"""What is kept of an evidence file: its content, never its metadata.

A citizen who reports misconduct, even anonymously, may send a photo, a PDF
or a recording made on their own phone or computer. Left as they are, those
files say who made them and where: a photo's EXIF block (GPS position, phone
model, time), a PDF's document information and XMP packet (author, the
account name of the computer, the software, dates), a recording's tags
(title — a phone names a voice memo after the street it was made in —,
artist, dates, recorder). A staff member's photo of a meeting, attached as
evidence of a task's progress, says as much about them. Each is rewritten
before it is stored (`cases.uploads` and `planning.uploads`, through
`core.uploads`):

* photos are re-encoded from their pixels (Pillow; orientation applied first);
* PDFs are rewritten by pypdf from the pages a reader sees: no document
  information, no XMP packet (document or page), no application data, no
  JavaScript or open action; older revisions saved in the file are not
  carried over. A digitally signed PDF is the exception: it is kept as it is
  (rewriting it would break the signature);
* MP3 and Ogg recordings lose their tags (mutagen: ID3 and APE tags,
  Vorbis/Opus comments);
* MPEG-4 recordings (M4A, and an MP4 accepted as one) lose every `udta` box
  (the item list with the title, `©xyz` with the GPS position, `©day`,
  `©too`, `©mak`/`©mod`, `loci`…), every `meta` box (QuickTime's keys, the
  location among them) and every `uuid` box (XMP), in the file, the movie or
  a track, and any top-level box a player does not need: each becomes a
  `free` box of the same size with nothing in it, as do the `free`/`skip`
  boxes already there (they may hold what they replaced). Nothing moves, so
  the chunk offsets (`stco`/`co64`) stay right and the sound is not touched;
* WAV recordings keep only their `fmt `, `fact` and `data` chunks (no `LIST`
  INFO, `bext` or ID3 chunk).

A file that cannot be read that far is refused (`Unreadable`), with a message
saying which file: storing what we cannot clean would store what we promised
to remove.
"""

from __future__ import annotations

import io
import logging
import struct
import warnings
from typing import Any, Final

import mutagen
from mutagen.apev2 import delete as delete_ape_tag
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject

logger = logging.getLogger(__name__)

#: 40 megapixels: more than any phone camera; beyond twice that Pillow refuses outright.
MAX_IMAGE_PIXELS: Final = 40_000_000
#: A scanned complaint is a few dozen pages; a PDF claiming more is not read.
MAX_PDF_PAGES: Final = 2000


class Unreadable(ValueError):
    """The file could not be read well enough to remove its metadata."""


class Encrypted(Unreadable):
    """A PDF with a password: nobody could read it without one."""


# --- photos ----------------------------------------------------------------------------------


def image(data: bytes, fmt: str) -> bytes:
    """Re-encode a photo (`fmt`: "JPEG", "PNG" or "WEBP") from its pixels only.

    Raises Unreadable for a broken image or a decompression bomb.
    """
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    with warnings.catch_warnings():
        # Between MAX_IMAGE_PIXELS and twice that Pillow only warns: refuse those too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as opened:
                opened.load()
                # Keep how the photo was meant to be seen, then forget the orientation tag.
                upright = ImageOps.exif_transpose(opened)
                if fmt == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
                    upright = upright.convert("RGB")
                if fmt == "WEBP" and upright.mode not in ("RGB", "RGBA"):
                    upright = upright.convert("RGBA" if "A" in upright.mode else "RGB")
                # A fresh image holds pixels only: no info dict to carry metadata over.
                clean = Image.new(upright.mode, upright.size)
                clean.paste(upright)
                if upright.mode == "P" and upright.getpalette():
                    clean.putpalette(upright.getpalette() or [])
                out = io.BytesIO()
                options: dict[str, Any] = {"quality": 90} if fmt in ("JPEG", "WEBP") else {}
                clean.save(out, format=fmt, **options)
                return out.getvalue()
        except (
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
            UnidentifiedImageError,
            OSError,
            SyntaxError,
            ValueError,
            KeyError,
            TypeError,
            MemoryError,
        ) as exc:
            raise Unreadable(str(exc)) from exc


# --- PDF -------------------------------------------------------------------------------------

#: Document-level entries that carry metadata or run code when the file is opened.
_PDF_ROOT_DROPPED: Final = ("/Metadata", "/PieceInfo", "/OpenAction", "/AA")
#: The same, page by page (a page may carry its own XMP packet and application data).
_PDF_PAGE_DROPPED: Final = ("/Metadata", "/PieceInfo", "/AA")


def _drop(dictionary: Any, keys: tuple[str, ...]) -> None:
    for key in keys:
        if key in dictionary:
            del dictionary[NameObject(key)]


def _signed(reader: PdfReader) -> bool:
    """Whether the PDF carries a digital signature (`/SigFlags` bit 1, or a signed field)."""
    form = reader.root_object.get("/AcroForm")
    if not isinstance(form, DictionaryObject):
        return False
    flags = form.get("/SigFlags", 0)
    if isinstance(flags, int) and flags & 1:
        return True
    return any(
        field.get("/FT") == "/Sig" and field.get("/V") is not None
        for field in (reader.get_fields() or {}).values()
    )


def pdf(data: bytes) -> bytes:
    """The PDF rewritten from its pages without metadata or scripts.

    A digitally signed PDF (an official's signed document, "văn bản ký số") is
    kept byte for byte: rewriting it would break the signature, which is worth
    more than its metadata (which names its signer anyway).

    Raises Encrypted for a password-protected file, Unreadable for one pypdf
    cannot read.
    """
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise Encrypted("the PDF needs a password")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise Unreadable("too many pages")
        if _signed(reader):
            return data
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None
        _drop(writer.root_object, _PDF_ROOT_DROPPED)
        names = writer.root_object.get("/Names")
        if isinstance(names, DictionaryObject):
            _drop(names.get_object(), ("/JavaScript",))
        for page in writer.pages:
            _drop(page, _PDF_PAGE_DROPPED)
        # What was cut off above is still in the writer's object table until this.
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        out = io.BytesIO()
        writer.write(out)
    except Unreadable:
        raise
    except Exception as exc:
        # Anyone's file, parsed by a library: whatever it trips on (a crafted object
        # tree, an unsupported filter or cipher) is a file we cannot clean, never a 500.
        logger.info("PDF refused: %s: %s", type(exc).__name__, exc)
        raise Unreadable(str(exc)) from exc
    return out.getvalue()


# --- recordings ------------------------------------------------------------------------------


def audio(data: bytes) -> bytes:
    """An MP3, M4A or Ogg recording without its tags (the sound is not touched).

    Raises Unreadable when mutagen does not recognise a recording in `data`.
    """
    buffer = io.BytesIO(data)
    try:
        recording = mutagen.File(buffer)
        if recording is None:
            raise Unreadable("not a recording mutagen knows")
        if isinstance(recording, MP4):
            return mp4(data)  # mutagen would remove the item list only
        buffer.seek(0)
        if recording.tags is not None:
            recording.delete(buffer)
        if isinstance(recording, MP3):
            buffer.seek(0)
            delete_ape_tag(buffer)  # an APEv2 tag, which the MP3 type does not remove
    except Unreadable:
        raise
    except Exception as exc:  # as for PDFs: anything mutagen trips on is a refusal
        logger.info("recording refused: %s: %s", type(exc).__name__, exc)
        raise Unreadable(str(exc)) from exc
    return buffer.getvalue()


#: Boxes the walk enters: their content is boxes, and a track's `udta`, `meta` or `uuid`
#: sits three levels down. Nothing else is entered: `stsd`, `mdat` and the like are data.
_MP4_CONTAINERS: Final = frozenset(
    {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"mvex", b"moof", b"traf"}
)
#: moov › trak › mdia › minf › stbl is as deep as a real file goes.
_MP4_MAX_DEPTH: Final = 5
#: Blanked wherever the walk meets them: user data, metadata, vendor boxes (XMP is a
#: `uuid`), and `free`/`skip` boxes, which an editor may have made from a box it dropped
#: without clearing it.
_MP4_BLANKED: Final = frozenset({b"udta", b"meta", b"uuid", b"free", b"skip", b"wide"})
#: What may stay at the top of the file. A player skips a top-level box it does not
#: know, so any other (a camera maker's, a misplaced `udta`) is blanked too;
#: inside the movie an unknown box may matter to some player, and is kept.
_MP4_TOP_LEVEL: Final = frozenset(
    {b"ftyp", b"moov", b"mdat", b"moof", b"mfra", b"styp", b"sidx", b"ssix", b"prft", b"pdin"}
)


def _mp4_boxes(data: bytearray, start: int, end: int) -> list[tuple[bytes, int, int, int]]:
    """(type, start, header length, end) of each box from `start` to exactly `end`.

    Raises Unreadable when a box does not fit: a header cut off, a size smaller than
    its header or past the end of its parent (a truncated or garbled file).
    """
    boxes: list[tuple[bytes, int, int, int]] = []
    at = start
    while at < end:
        if end - at < 8:
            raise Unreadable(f"a box header is cut off at byte {at}")
        size, kind = struct.unpack_from(">I4s", data, at)
        header = 8
        if size == 1:  # a 64-bit size follows the type
            if end - at < 16:
                raise Unreadable(f"a box header is cut off at byte {at}")
            (size,) = struct.unpack_from(">Q", data, at + 8)
            header = 16
        elif size == 0:  # the box runs to the end of the file (so must its parents)
            size = len(data) - at
        if size < header or size > end - at:
            raise Unreadable(f"box {kind!r} at byte {at} does not fit ({size} bytes)")
        boxes.append((kind, at, header, at + size))
        at += size
    return boxes


def _mp4_blank(data: bytearray, start: int, end: int, depth: int) -> None:
    for kind, at, header, stop in _mp4_boxes(data, start, end):
        if kind in _MP4_BLANKED or (depth == 0 and kind not in _MP4_TOP_LEVEL):
            # Same size, type `free`, payload zeroed: every byte after it stays where
            # it was, so the chunk offsets into `mdat` (`stco`/`co64`) stay right.
            data[at + 4 : at + 8] = b"free"
            data[at + header : stop] = bytes(stop - at - header)
        elif kind in _MP4_CONTAINERS:
            if depth >= _MP4_MAX_DEPTH:
                raise Unreadable(f"boxes nested deeper than {_MP4_MAX_DEPTH}")
            _mp4_blank(data, at + header, stop, depth + 1)


def mp4(data: bytes) -> bytes:
    """An MPEG-4 recording (M4A, or an MP4 accepted as one) without metadata boxes.

    Every `udta`, `meta` and `uuid` box (and any top-level box a player does not
    need) becomes a `free` box of the same size filled with zeros: the sound is not
    touched and nothing moves. Raises Unreadable when the boxes do not parse or
    mutagen then finds no MPEG-4 movie in the result.
    """
    cleaned = bytearray(data)
    _mp4_blank(cleaned, 0, len(cleaned), 0)
    try:
        MP4(io.BytesIO(cleaned))
    except Exception as exc:  # as for PDFs: anything mutagen trips on is a refusal
        logger.info("MP4 recording refused: %s: %s", type(exc).__name__, exc)
        raise Unreadable(str(exc)) from exc
    return bytes(cleaned)


#: The chunks a WAV player needs; everything else (LIST/INFO, bext, id3, iXML…) goes.
_WAV_KEPT: Final = frozenset({b"fmt ", b"fact", b"data"})


def wav(data: bytes) -> bytes:
    """A WAV recording with only the chunks that make the sound.

    Raises Unreadable for a RIFF file without `fmt ` and `data` chunks.
    """
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise Unreadable("not a WAVE file")
    kept: list[bytes] = []
    seen: set[bytes] = set()
    at = 12
    while at + 8 <= len(data):
        chunk_id = data[at : at + 4]
        (size,) = struct.unpack_from("<I", data, at + 4)
        body = data[at + 8 : at + 8 + size]
        if chunk_id in _WAV_KEPT and chunk_id not in seen:
            seen.add(chunk_id)
            # A recorder stopped mid-write may leave `data` shorter than it says: keep it all.
            kept.append(chunk_id + struct.pack("<I", len(body)) + body + b"\x00" * (len(body) % 2))
        at += 8 + size + (size % 2)
    if not {b"fmt ", b"data"} <= seen:
        raise Unreadable("no fmt or data chunk")
    chunks = b"".join(kept)
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks
