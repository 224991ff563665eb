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
  INFO, `bext` or ID3 chunk);
* Word, Excel and OpenDocument files (DOCX, XLSX, ODT) are rebuilt: their
  document properties emptied (author, last editor, company, manager, template,
  dates), every commenter's and tracked change's name replaced by
  `AUTHOR_LABEL` and their dates removed, thumbnails and `customXml` dropped,
  paths on someone's disk cut to the file's name, their photos re-encoded as
  above (GIF and SVG pictures lose their comments and metadata), Word's
  editing-session and document ids, document variables and mail-merge source,
  Excel's printer settings and revision pointer removed, old-style embedded
  objects (OLE) dropped for the picture that shows them; the text is not
  touched and unchanged parts keep their bytes. One with macros (`Macros`) or a
  password (`Encrypted`) is refused; a signed one is kept as it is.

A file that cannot be read that far is refused (`Unreadable`), with a message
saying which file: storing what we cannot clean would store what we promised
to remove.
"""

from __future__ import annotations

import copy
import io
import logging
import posixpath
import re
import struct
import warnings
import zipfile
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import unquote

import mutagen
from lxml import etree
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
    """A PDF or an Office document with a password: nobody could read it without one."""


class Macros(Unreadable):
    """An Office document carrying code that runs (VBA macros, ActiveX, LibreOffice Basic)."""


# --- photos ----------------------------------------------------------------------------------


def image(data: bytes, fmt: str) -> bytes:
    """Re-encode a photo (`fmt`: "JPEG", "PNG", "WEBP" or "TIFF") from its pixels only.

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
                if fmt == "TIFF":
                    options["compression"] = "tiff_deflate"  # uncompressed, a scan is huge
                # Which colour is transparent (a logo on a letterhead) says nothing of anyone.
                if fmt == "PNG" and "transparency" in upright.info:
                    options["transparency"] = upright.info["transparency"]
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


#: GIF extensions a picture needs: the frame timing and transparency (graphic control),
#: text drawn on it (plain text) and, among application extensions, the loop count.
_GIF_KEPT_EXTENSIONS: Final = frozenset({0xF9, 0x01})
_GIF_KEPT_APPLICATIONS: Final = frozenset({b"NETSCAPE2.0", b"ANIMEXTS1.0"})


def _gif_colour_table(flags: int) -> int:
    return 3 * 2 ** ((flags & 0x07) + 1) if flags & 0x80 else 0


def gif(data: bytes) -> bytes:
    """A GIF picture without its comments and application data (an XMP packet is one).

    The frames are copied byte for byte (an animation stays one); what follows the
    trailer goes. Raises Unreadable for a file that is not a whole GIF.
    """
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 13:
        raise Unreadable("not a GIF picture")

    def after_sub_blocks(at: int) -> int:
        while True:
            if at >= len(data):
                raise Unreadable("a GIF picture cut short")
            size = data[at]
            at += 1 + size
            if size == 0:
                return at

    at = 13 + _gif_colour_table(data[10])
    kept = [data[:at]]
    while True:
        if at >= len(data):
            raise Unreadable("a GIF picture without its end")
        kind = data[at]
        if kind == 0x3B:  # the trailer
            kept.append(b"\x3b")
            return b"".join(kept)
        if kind == 0x2C:  # a frame: descriptor, its own colours, the LZW code size, data
            if at + 11 > len(data):
                raise Unreadable("a GIF picture cut short")
            end = after_sub_blocks(at + 10 + _gif_colour_table(data[at + 9]) + 1)
            kept.append(data[at:end])
        elif kind == 0x21 and at + 2 <= len(data):  # an extension
            label = data[at + 1]
            end = after_sub_blocks(at + 2)
            application = data[at + 3 : at + 14] if data[at + 2 : at + 3] == b"\x0b" else b""
            if label in _GIF_KEPT_EXTENSIONS or (
                label == 0xFF and application in _GIF_KEPT_APPLICATIONS
            ):
                kept.append(data[at:end])
        else:
            raise Unreadable(f"a GIF picture with an unknown block {kind:#x}")
        at = end


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


# --- Office documents: DOCX, XLSX, ODT -------------------------------------------------------

#: What every person's name in comments, tracked changes and the like becomes.
AUTHOR_LABEL: Final = "Tác giả"
#: OpenDocument requires a date on each tracked change (`office:change-info`): every
#: change gets this one. Word's changes and comments simply lose theirs (optional there).
ODF_CHANGE_DATE: Final = "1970-01-01T00:00:00"
#: What one document may unpack to, together with the documents embedded in it (a
#: chart's workbook). `core.uploads.check_zip` has refused more (50 MB) before anything
#: reads an upload; this bounds a direct caller, and embedded documents, which that check
#: does not open.
MAX_OFFICE_UNZIPPED: Final = 64 * 1024 * 1024
MAX_OFFICE_ENTRIES: Final = 2000
MAX_OFFICE_RATIO: Final = 100
#: The pictures of one document together, decoded to be re-encoded: about 16 phone photos.
MAX_OFFICE_PIXELS: Final = 5 * MAX_IMAGE_PIXELS
#: A document embedded in a document is cleaned too, but not one nested deeper than this.
_OFFICE_MAX_NESTING: Final = 2
#: Every entry of a rebuilt file gets this time: an entry's own time says when (and, as
#: local time, in which time zone) the file was last saved.
_ZIP_TIME: Final = (1980, 1, 1, 0, 0, 0)
#: An encrypted DOCX or XLSX is an OLE2 compound file, not a ZIP (so are .doc and .xls).
_OLE2_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Transitional (2006) and Strict (purl.oclc.org) spellings of the same OOXML vocabularies.
_W: Final = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
)
_SML: Final = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
_EXTENDED_NS: Final = (
    "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    "http://purl.oclc.org/ooxml/officeDocument/extendedProperties",
)
_CUSTOM_NS: Final = (
    "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
    "http://purl.oclc.org/ooxml/officeDocument/customProperties",
)
_CORE_PROPERTIES: Final = (
    "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}coreProperties"
)
_W14: Final = "http://schemas.microsoft.com/office/word/2010/wordml"
_W15: Final = "http://schemas.microsoft.com/office/word/2012/wordml"
_W16DU: Final = "http://schemas.microsoft.com/office/word/2023/wordml/word16du"
_XR: Final = "http://schemas.microsoft.com/office/spreadsheetml/2014/revision"
_VML_OFFICE: Final = "urn:schemas-microsoft-com:office:office"
_R_ID: Final = (
    "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
    "{http://purl.oclc.org/ooxml/officeDocument/relationships}id",
)
_SVG: Final = "http://www.w3.org/2000/svg"
#: Attributes and elements of drawing programs' own namespaces in an SVG picture: the
#: file it was saved as and exported to (`sodipodi:docname`, `inkscape:export-filename`,
#: full paths), window positions. No viewer draws them.
_SVG_EDITOR_NS: Final = (
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.inkscape.org/namespaces/inkscape",
    "http://ns.adobe.com/AdobeIllustrator/10.0/",
    "http://ns.adobe.com/Extensibility/1.0/",
    "http://ns.adobe.com/SaveForWeb/1.0/",
    "http://www.bohemiancoding.com/sketch/ns",
)
_W16CEX: Final = "http://schemas.microsoft.com/office/word/2018/wordml/cex"
_XTC: Final = "http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments"
_X15AC_ABS_PATH: Final = "{http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac}absPath"
_MC_CHOICE: Final = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Choice"
_RELS: Final = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPES: Final = "http://schemas.openxmlformats.org/package/2006/content-types"
_THUMBNAIL_REL: Final = "/metadata/thumbnail"

#: Statistics and flags: what is kept of `docProps/app.xml` (no company, manager,
#: template path, software, editing time, hyperlink base, titles of parts).
_EXTENDED_KEPT: Final = frozenset(
    {
        "Pages",
        "Words",
        "Characters",
        "CharactersWithSpaces",
        "Lines",
        "Paragraphs",
        "Slides",
        "Notes",
        "HiddenSlides",
        "MMClips",
        "DocSecurity",
        "ScaleCrop",
        "LinksUpToDate",
        "SharedDoc",
        "HyperlinksChanged",
    }
)
#: Parts whose whole content is about people: emptied, the part kept (so no relationship
#: or content type changes): custom properties (sensitivity labels, a company's fields),
#: Word's list of commenters and their accounts (`people.xml`).
_EMPTIED_ROOTS: Final = frozenset(
    {*(f"{{{ns}}}Properties" for ns in _CUSTOM_NS), f"{{{_W15}}}people", _CORE_PROPERTIES}
)
#: Parts dropped with every relationship to them: SharePoint and cover-page properties
#: (`customXml`, which hold names, e-mail addresses, company addresses), sensitivity
#: label data (`docMetadata`: the organisation's tenant), and — found through their
#: relationship — the thumbnail, a picture of the first page as it once was.
_OOXML_DROPPED_FOLDERS: Final = ("customxml/", "docmetadata/")
#: Printer settings (a Windows DEVMODE: the printer's name, often the computer's or
#: the office server's): dropped, and the `r:id` of the page setup that named them.
_OOXML_DROPPED_PRINTER_SETTINGS: Final = "/printersettings/"

#: Attributes in a namespace, wherever they are: the new value, or None to remove them.
_OOXML_QUALIFIED: Final[dict[str, str | None]] = {
    **{f"{{{w}}}author": AUTHOR_LABEL for w in _W},  # comments, every kind of tracked change
    **{f"{{{w}}}date": None for w in _W},
    **{f"{{{w}}}initials": None for w in _W},
    f"{{{_W15}}}author": AUTHOR_LABEL,
    f"{{{_W16CEX}}}dateUtc": None,
    f"{{{_W16DU}}}dateUtc": None,  # a tracked change's time in UTC (Word 2023 and later)
}
#: Elements dropped wherever they are: Word's editing-session ids (`w:rsids`, the list
#: of every session that saved the file; the same ids mark paragraphs and styles, see
#: `_is_rsid`) and the document's own ids (`w14:docId`, `w15:docId`), which tie copies
#: of one document — and of one computer's documents — together; document variables
#: (`w:docVars`, whatever a template or add-in stored); a mail merge's data source
#: and its connection string (a path on someone's disk); Excel's revision pointer
#: (`xr:revisionPtr`, the document's id in its owner's cloud storage).
_OOXML_DROPPED_ELEMENTS: Final = frozenset(
    {
        *(f"{{{w}}}{name}" for w in _W for name in ("rsids", "docVars", "mailMerge")),
        f"{{{_W14}}}docId",
        f"{{{_W15}}}docId",
        f"{{{_XR}}}revisionPtr",
    }
)
_W_RSID_PREFIXES: Final = tuple(f"{{{w}}}rsid" for w in _W)
_W_RSID_ELEMENTS: Final = frozenset(f"{{{w}}}rsid" for w in _W)
#: An old-style embedded object (OLE), a compound file of its own: the program that
#: made it writes its author and last editor there, an embedded worksheet its user
#: name, a "package" the full path of the file it wraps. It is not cleaned but
#: dropped; the picture the document shows for it stays (`o:OLEObject`, Excel's
#: `oleObject`, which pointed at it, go), so the page looks the same.
_OLE_OBJECT_REFERENCES: Final = frozenset(
    {f"{{{_VML_OFFICE}}}OLEObject", *(f"{{{s}}}oleObject" for s in _SML)}
)
#: Containers that may not be left empty once the object they held is gone.
_OLE_OBJECT_CONTAINERS: Final = frozenset(
    {
        *(f"{{{s}}}oleObjects" for s in _SML),
        "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent",
        _MC_CHOICE,
        "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback",
    }
)
#: Attributes without a namespace, on the elements named.
_OOXML_UNQUALIFIED: Final[dict[tuple[str, str], str | None]] = {
    (f"{{{_XTC}}}threadedComment", "dT"): None,
    (f"{{{_XTC}}}person", "displayName"): AUTHOR_LABEL,
    (f"{{{_XTC}}}person", "userId"): None,
    (f"{{{_XTC}}}person", "providerId"): None,
    **{(f"{{{s}}}pivotCacheDefinition", "refreshedBy"): AUTHOR_LABEL for s in _SML},
    **{(f"{{{s}}}header", "userName"): AUTHOR_LABEL for s in _SML},  # shared-workbook log
    **{(f"{{{s}}}userInfo", "name"): AUTHOR_LABEL for s in _SML},
    **{(f"{{{s}}}fileSharing", "userName"): None for s in _SML},
}

_EXTENDED_ROOTS: Final = frozenset(f"{{{ns}}}Properties" for ns in _EXTENDED_NS)
_SML_AUTHOR: Final = frozenset(f"{{{s}}}author" for s in _SML)
_SML_COMMENT: Final = tuple(f"{{{s}}}comment" for s in _SML)
_SML_TEXT: Final = tuple(f"{{{s}}}t" for s in _SML)

_ODF_OFFICE: Final = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_ODF_META: Final = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
_ODF_CONFIG: Final = "urn:oasis:names:tc:opendocument:xmlns:config:1.0"
_ODF_MANIFEST: Final = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
_DC: Final = "http://purl.org/dc/elements/1.1/"
_XLINK: Final = "http://www.w3.org/1999/xlink"
_XLINK_HREF: Final = f"{{{_XLINK}}}href"
_ODF_MIMETYPE_PREFIX: Final = b"application/vnd.oasis.opendocument."
_ODF_OBJECT_OLE: Final = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}object-ole"
#: What is kept of `meta.xml`: the statistics (no creators, dates, editing time and
#: cycles, generator, template path, printer, user-defined fields, title or keywords).
_ODF_META_KEPT: Final = frozenset({f"{{{_ODF_META}}}document-statistic"})
#: Settings naming the printer last used (an office's network printer and its driver).
_ODF_PRINTER_SETTINGS: Final = frozenset({"PrinterName", "PrinterSetup"})


@dataclass
class _Budget:
    """What is left to unpack and to decode in one document and those embedded in it."""

    unzipped: int = field(default_factory=lambda: MAX_OFFICE_UNZIPPED)
    pixels: int = field(default_factory=lambda: MAX_OFFICE_PIXELS)


Entries = list[tuple[zipfile.ZipInfo, bytes]]


def _entries(data: bytes, budget: _Budget) -> Entries:
    """Every entry of the ZIP, read within the budget. Raises Unreadable, Encrypted."""
    if data.startswith(_OLE2_MAGIC):
        raise Encrypted("an OLE2 file: an encrypted Office document")
    entries: Entries = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            total = sum(info.file_size for info in infos)
            if (
                len(infos) > MAX_OFFICE_ENTRIES
                or total > budget.unzipped
                or total > max(len(data), 1) * MAX_OFFICE_RATIO
            ):
                raise Unreadable("the archive expands too far")
            budget.unzipped -= total
            seen: set[str] = set()
            for info in infos:
                # Part names ignore case: two spellings of one name could be read as
                # either, and we must clean the one a reader opens.
                key = info.filename.lower()
                if key in seen:
                    raise Unreadable(f"two entries named {info.filename!r}")
                seen.add(key)
                if info.flag_bits & 0x1:
                    raise Encrypted("an encrypted entry")
                entries.append((info, archive.read(info)))
    except Unreadable:
        raise
    except Exception as exc:  # a CRC error, a bad deflate stream, a truncated archive…
        raise Unreadable(f"{type(exc).__name__}: {exc}") from exc
    return entries


def _parse(data: bytes, name: str) -> Any:
    """The XML part as a tree; no DTD (no Office part has one), no entity, no network."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise Unreadable(f"{name}: {exc}") from exc
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise Unreadable(f"{name}: a DTD")
    return tree


def _serialise(tree: Any) -> bytes:
    # `standalone="yes"` as Word writes it; "no" is what a missing declaration means.
    standalone = True if tree.docinfo.standalone else None
    return bytes(
        etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=standalone)
    )


def _remove(element: Any) -> None:
    """Remove an element, keeping the text (not the indentation) that followed it."""
    parent = element.getparent()
    if element.tail and element.tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _empty(element: Any) -> bool:
    changed = len(element) > 0 or bool((element.text or "").strip())
    for child in list(element):
        element.remove(child)
    element.text = None
    return changed


def _set_text(element: Any, text: str) -> bool:
    if element.text == text and not len(element):
        return False
    for child in list(element):
        element.remove(child)
    element.text = text
    return True


_LOCAL_PATH: Final = re.compile(r"^\s*(?:file:|[a-z]:[\\/]|[\\/])", re.IGNORECASE)


def _local_file_name(target: str) -> str | None:
    """For a link to a file on someone's disk or share, only the file's name, else None.

    `file:///C:/Users/an/AppData/…/Normal.dotm` (Word's template), a linked picture
    or workbook, a mail-merge list: the folders name the account. Web and mail links,
    and relative ones (a document's own parts), are left as they are.
    """
    if not _LOCAL_PATH.match(target):
        return None
    name = re.split(r"[\\/]", target.strip())[-1]
    return name if name and name != target else None


def _picture(data: bytes) -> str | None:
    """Pillow's name for the format of a picture that can carry EXIF or XMP, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    return None


def _clean_picture(data: bytes, fmt: str, budget: _Budget) -> bytes:
    """The picture re-encoded by `image`, counted against the document's pixel budget."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            width, height = opened.size
    except Exception as exc:  # as for `image`: a picture Pillow cannot open is refused
        raise Unreadable(f"a picture: {exc}") from exc
    budget.pixels -= width * height
    if budget.pixels < 0:
        raise Unreadable("the pictures together are too large to clean")
    return gif(data) if fmt == "GIF" else image(data, fmt)


def _svg_part(tree: Any) -> bool:
    """An SVG picture without its metadata, comments and drawing programs' own data.

    Dropped: `<metadata>` (the creator, the licence holder, the file's own name),
    comments (a program's name and version, sometimes the user's), every element and
    attribute of a drawing program's namespace (`_SVG_EDITOR_NS`: the file it was
    saved and exported as, with their folders). A link to a picture on someone's disk
    keeps only the file's name. What is drawn is not touched.
    """
    root = tree.getroot()
    changed = False
    if root.getprevious() is not None or root.getnext() is not None:
        # Comments and processing instructions around the root ("Generator: …"): a copy
        # of the root is a document without them.
        root = copy.deepcopy(root)
        tree._setroot(root)
        changed = True
    doomed = []
    for element in root.iter():
        if not isinstance(element.tag, str):  # a comment or processing instruction
            doomed.append(element)
            continue
        if element.tag == f"{{{_SVG}}}metadata" or (
            etree.QName(element).namespace in _SVG_EDITOR_NS
        ):
            doomed.append(element)
            continue
        for key in list(element.attrib):
            namespace = etree.QName(key).namespace
            if namespace in _SVG_EDITOR_NS:
                del element.attrib[key]
                changed = True
            elif etree.QName(key).localname == "href" and namespace in (None, _XLINK):
                name = _local_file_name(element.attrib[key])
                if name is not None:
                    element.attrib[key] = name
                    changed = True
    for element in doomed:
        if element.getparent() is not None:
            _remove(element)
            changed = True
    return changed


def _rebuild(entries: Entries, *, stored_first: str | None = None) -> bytes:
    """A new ZIP of `entries` in their order: same names and content, no times or extras.

    `stored_first` (ODF's `mimetype`) is written first and uncompressed.
    """
    if stored_first is not None:
        first = [entry for entry in entries if entry[0].filename == stored_first]
        entries = first + [entry for entry in entries if entry[0].filename != stored_first]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info, content in entries:
            clean = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            stored = info.compress_type == zipfile.ZIP_STORED or info.filename == stored_first
            clean.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            if info.is_dir():
                clean.external_attr = 0o40755 << 16 | 0x10
            archive.writestr(clean, content)
    return out.getvalue()


def _embedded(data: bytes, budget: _Budget, depth: int) -> bytes:
    """A document embedded in another (a chart's workbook, an attached document), cleaned."""
    if not data.startswith(b"PK\x03\x04"):
        return data
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = {name.lower() for name in archive.namelist()}
    except Exception:  # not a ZIP after all: kept as it is, like any unknown object
        return data
    if depth >= _OFFICE_MAX_NESTING:
        raise Unreadable("documents nested too deep")
    if "[content_types].xml" in names:
        return _ooxml(data, budget, depth + 1)
    if "mimetype" in names:
        return _odf(data, budget, depth + 1)
    return data


# OOXML (DOCX, XLSX) -----------------------------------------------------------------------


def _part_name(name: str) -> str:
    return unquote(name).lstrip("/").lower()


def _content_types(entries: Entries) -> tuple[Any, dict[str, str], dict[str, str]]:
    """`[Content_Types].xml`: its tree, its defaults by extension and overrides by part."""
    for info, content in entries:
        if info.filename.lower() == "[content_types].xml":
            tree = _parse(content, info.filename)
            defaults: dict[str, str] = {}
            overrides: dict[str, str] = {}
            for element in tree.getroot():
                if element.tag == f"{{{_CONTENT_TYPES}}}Default":
                    defaults[element.get("Extension", "").lower()] = element.get("ContentType", "")
                elif element.tag == f"{{{_CONTENT_TYPES}}}Override":
                    overrides[_part_name(element.get("PartName", ""))] = element.get(
                        "ContentType", ""
                    )
            return tree, defaults, overrides
    raise Unreadable("no [Content_Types].xml: not an Office Open XML document")


def _rels_source_folder(rels_name: str) -> str:
    """`word/_rels/document.xml.rels` → `word/`: where its relative targets start from."""
    folder = posixpath.dirname(posixpath.dirname(rels_name))
    return f"{folder}/" if folder else ""


def _resolve(folder: str, target: str) -> str:
    target = unquote(target)
    path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
    return posixpath.normpath(path).lower()


def _ooxml_macros(entries: Entries, defaults: dict[str, str], overrides: dict[str, str]) -> None:
    for info, _content in entries:
        name = info.filename.lower()
        extension = name.rsplit(".", 1)[-1] if "." in name else ""
        content_type = overrides.get(name, defaults.get(extension, "")).lower()
        if (
            name.endswith(("vbaproject.bin", "vbadata.xml"))
            or "/activex/" in f"/{name}"
            or any(kind in content_type for kind in ("vbaproject", "vbadata", "macroenabled"))
            or "activex" in content_type
        ):
            raise Macros(f"{info.filename}: code that runs")


def _ooxml_part(tree: Any, gone: frozenset[str] = frozenset()) -> bool:
    """Remove who and when from one XML part; True when it changed.

    `gone`: the ids of this part's relationships to parts that were dropped (OLE
    objects): the elements that name them go too.
    """
    root = tree.getroot()
    if root.tag == f"{{{_SVG}}}svg":
        return _svg_part(tree)
    if root.tag in _EMPTIED_ROOTS:
        return _empty(root)
    if root.tag in _EXTENDED_ROOTS:
        changed = False
        for child in list(root):
            if not isinstance(child.tag, str) or etree.QName(child).localname not in _EXTENDED_KEPT:
                _remove(child)
                changed = True
        return changed
    changed = False
    doomed = []
    authors: list[str] = []
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str):  # a comment or processing instruction
            continue
        if tag == _X15AC_ABS_PATH:  # Excel's "saved in C:\Users\…\"
            parent = element.getparent()
            choice = parent is not None and parent.tag == _MC_CHOICE and len(parent) == 1
            doomed.append(parent.getparent() if choice else element)
            continue
        if tag in _OOXML_DROPPED_ELEMENTS:
            doomed.append(element)
            continue
        if gone and (names_gone := [r for r in _R_ID if element.get(r) in gone]):
            if tag in _OLE_OBJECT_REFERENCES:
                doomed.append(element)
                continue
            for key in names_gone:  # a page setup's printer settings: optional there
                del element.attrib[key]
            changed = True
        for key in list(element.attrib):
            if key.startswith(_W_RSID_PREFIXES):  # w:rsidR, w:rsidRPr, w:rsidDel, w:rsidSect…
                del element.attrib[key]
                changed = True
                continue
            if key in _OOXML_QUALIFIED:
                replacement = _OOXML_QUALIFIED[key]
            elif (tag, key) in _OOXML_UNQUALIFIED:
                replacement = _OOXML_UNQUALIFIED[(tag, key)]
            else:
                continue
            if replacement is None:
                del element.attrib[key]
            elif element.attrib[key] != replacement:
                element.attrib[key] = replacement
            else:
                continue
            changed = True
        if tag in _SML_AUTHOR:  # a spreadsheet's list of commenters
            authors.append(element.text or "")
            changed |= _set_text(element, AUTHOR_LABEL)
        elif tag in _W_RSID_ELEMENTS:  # a style's editing session
            doomed.append(element)
    for element in doomed:
        if element is not None and element.getparent() is not None:
            parent = element.getparent()
            _remove(element)
            changed = True
            # An OLE object's container left empty would not be valid any more.
            while parent.tag in _OLE_OBJECT_CONTAINERS and len(parent) == 0:
                element, parent = parent, parent.getparent()
                _remove(element)
    if authors:
        changed |= _comment_signatures(root, authors)
    return changed


def _comment_signatures(root: Any, authors: list[str]) -> bool:
    """Excel starts a note's text with its author's name ("Nguyễn Văn An:"): the label instead."""
    changed = False
    for comment in root.iter(*_SML_COMMENT):
        try:
            author = authors[int(comment.get("authorId", ""))]
        except (ValueError, IndexError):
            continue
        first = next(comment.iter(*_SML_TEXT), None)
        if author and first is not None and (first.text or "").startswith(f"{author}:"):
            first.text = AUTHOR_LABEL + first.text[len(author) :]
            changed = True
    return changed


def _ooxml_relationships(tree: Any, folder: str, dropped: set[str]) -> bool:
    changed = False
    for relation in list(tree.getroot()):
        if relation.tag != f"{{{_RELS}}}Relationship":
            continue
        target = relation.get("Target", "")
        if relation.get("TargetMode") == "External":
            name = _local_file_name(target)
            if name is not None:
                relation.set("Target", name)
                changed = True
        elif _resolve(folder, target) in dropped:
            _remove(relation)
            changed = True
    return changed


def _ooxml(data: bytes, budget: _Budget, depth: int = 0) -> bytes:
    entries = _entries(data, budget)
    types, defaults, overrides = _content_types(entries)
    _ooxml_macros(entries, defaults, overrides)
    if any(info.filename.lower().startswith("_xmlsignatures/") for info, _ in entries):
        return data  # digitally signed: kept byte for byte, as a signed PDF is
    dropped = {
        info.filename.lower()
        for info, content in entries
        if info.filename.lower().startswith(_OOXML_DROPPED_FOLDERS)
        or _OOXML_DROPPED_PRINTER_SETTINGS in f"/{info.filename.lower()}"
        or content.startswith(_OLE2_MAGIC)  # an old-style embedded object
    }
    trees: dict[str, Any] = {}
    for info, content in entries:
        name = info.filename.lower()
        if name.endswith(".rels") and name not in dropped:
            trees[name] = tree = _parse(content, info.filename)
            for relation in tree.getroot():
                if str(relation.get("Type", "")).endswith(_THUMBNAIL_REL):
                    dropped.add(_resolve(_rels_source_folder(name), relation.get("Target", "")))
    # The relationships that go with the dropped parts, by the part they start from.
    gone: dict[str, frozenset[str]] = {}
    for name, tree in trees.items():
        folder = _rels_source_folder(name)
        ids = frozenset(
            relation.get("Id", "")
            for relation in tree.getroot()
            if relation.get("TargetMode") != "External"
            and _resolve(folder, relation.get("Target", "")) in dropped
        )
        if ids:
            gone[folder + posixpath.basename(name)[: -len(".rels")]] = ids
    cleaned: Entries = []
    for info, content in entries:
        name = info.filename.lower()
        if name in dropped:
            continue
        extension = name.rsplit(".", 1)[-1] if "." in name else ""
        content_type = overrides.get(name, defaults.get(extension, "")).lower()
        if info.is_dir():
            pass
        elif name == "[content_types].xml":
            changed = False
            for element in list(types.getroot()):
                if _part_name(element.get("PartName", "")) in dropped:
                    _remove(element)
                    changed = True
            content = _serialise(types) if changed else content
        elif name.endswith(".rels"):
            tree = trees[name]
            if _ooxml_relationships(tree, _rels_source_folder(name), dropped):
                content = _serialise(tree)
        elif name.endswith((".xml", ".svg")) or content_type.endswith(("+xml", "/xml")):
            tree = _parse(content, info.filename)
            content = (
                _serialise(tree) if _ooxml_part(tree, gone.get(name, frozenset())) else content
            )
        elif (fmt := _picture(content)) is not None:
            content = _clean_picture(content, fmt, budget)
        else:
            content = _embedded(content, budget, depth)
        cleaned.append((info, content))
    return _rebuild(cleaned)


def docx(data: bytes) -> bytes:
    """A Word document (DOCX) without who made, edited or commented it, rebuilt.

    Emptied: the core properties (author, last editor, revision, dates, title…),
    the custom properties and Word's list of commenters (`people.xml`); from the
    extended properties everything but the statistics (company, manager, template,
    software, editing time). Every `w:author` (comments, tracked changes, in the
    body, headers, footers, footnotes…) becomes `AUTHOR_LABEL`; their `w:date` and
    `w:initials` go. Dropped with their relationships: `customXml` and `docMetadata`
    parts and the thumbnail. A link to a file on a disk or share (the template's
    path names the account) keeps only the file's name. Photos are re-encoded by
    `image` (no EXIF, no GPS), GIFs lose their comments and XMP (`gif`), SVGs their
    metadata (`_svg_part`); an embedded DOCX, XLSX or ODT is cleaned the same way,
    an old-style (OLE) object is dropped and the picture the page shows for it kept.
    Removed too: `w:rsid*` (editing sessions), `w14:docId`/`w15:docId`, `w:docVars`,
    `w:mailMerge` (its data source's path) and `w16du:dateUtc`.
    Every other part keeps its bytes; the ZIP keeps its order, its entries lose
    their times.

    A digitally signed document (`_xmlsignatures/`) is kept byte for byte, as a
    signed PDF is. Raises Macros for VBA or ActiveX, Encrypted for a password
    (an OLE2 file, or a ZIP entry), Unreadable for anything that does not parse.
    """
    return _ooxml(data, _Budget())


def xlsx(data: bytes) -> bytes:
    """An Excel workbook (XLSX) cleaned as `docx` cleans a Word document.

    Also: comment authors (and the "Name:" Excel writes first in a note's text),
    threaded comments' people (name, account) and dates, who refreshed a pivot
    table, the shared-workbook log's user names, the folder Excel saved it in
    (`x15ac:absPath`), the file-sharing user, the printer settings
    (`printerSettings*.bin`, the printer's and often the computer's name) and the
    revision pointer (`xr:revisionPtr`, the file's id in its owner's cloud).
    """
    return _ooxml(data, _Budget())


# OpenDocument (ODT) -----------------------------------------------------------------------


def _odf_part(tree: Any, dropped: set[str] | frozenset[str] = frozenset()) -> bool:
    """Remove who and when from one XML part of an OpenDocument file; True when it changed.

    An old-style object (`draw:object-ole`) whose file was `dropped` goes; the picture
    beside it in its frame (`draw:image`) stays, so the page looks the same.
    """
    root = tree.getroot()
    changed = False
    if root.tag == f"{{{_ODF_OFFICE}}}document-meta":
        for meta in root.iter(f"{{{_ODF_OFFICE}}}meta"):
            for child in list(meta):
                if child.tag not in _ODF_META_KEPT:
                    _remove(child)
                    changed = True
        return changed
    doomed = []
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str):
            continue
        if tag == f"{{{_DC}}}creator":  # tracked changes and comments
            changed |= _set_text(element, AUTHOR_LABEL)
        elif tag == f"{{{_DC}}}date":
            parent = element.getparent()
            if parent is not None and parent.tag == f"{{{_ODF_OFFICE}}}change-info":
                changed |= _set_text(element, ODF_CHANGE_DATE)
            else:
                doomed.append(element)
        elif tag in (f"{{{_ODF_META}}}date-string", f"{{{_ODF_META}}}creator-initials"):
            doomed.append(element)
        elif (
            tag == f"{{{_ODF_CONFIG}}}config-item"
            and element.get(f"{{{_ODF_CONFIG}}}name") in _ODF_PRINTER_SETTINGS
            and element.text
        ):
            element.text = None
            changed = True
        href = element.get(_XLINK_HREF)
        if tag == _ODF_OBJECT_OLE and _odf_path(href or "") in dropped:
            doomed.append(element)
        elif href is not None and (name := _local_file_name(href)) is not None:
            element.set(_XLINK_HREF, name)
            changed = True
    for element in doomed:
        _remove(element)
        changed = True
    return changed


def _odf_path(href: str) -> str:
    """`./Object 1` → `object 1`: a link inside the package as its entry's (lower) name."""
    return posixpath.normpath(unquote(href).removeprefix("./")).lower()


def _odf(data: bytes, budget: _Budget, depth: int = 0) -> bytes:
    entries = _entries(data, budget)
    names = {info.filename.lower(): content for info, content in entries}
    if not names.get("mimetype", b"").strip().startswith(_ODF_MIMETYPE_PREFIX):
        raise Unreadable("no OpenDocument mimetype")
    manifest_name = "meta-inf/manifest.xml"
    # Required since ODF 1.2, though a reader does without; without it, an encrypted
    # part is still found: it does not parse.
    manifest = _parse(names[manifest_name], manifest_name) if manifest_name in names else None
    encryption = f"{{{_ODF_MANIFEST}}}encryption-data"
    if manifest is not None and next(manifest.getroot().iter(encryption), None) is not None:
        raise Encrypted("an OpenDocument file with a password")
    for name in names:
        if name.startswith(("basic/", "scripts/")) or name == "meta-inf/macrosignatures.xml":
            raise Macros(f"{name}: code that runs")
    if "meta-inf/documentsignatures.xml" in names:
        return data  # digitally signed: kept byte for byte, as a signed PDF is
    dropped = {
        name
        for name, content in names.items()
        if name.startswith("thumbnails/") or content.startswith(_OLE2_MAGIC)
    }
    cleaned: Entries = []
    for info, content in entries:
        name = info.filename.lower()
        if name in dropped:
            continue
        if info.is_dir() or name == "mimetype":
            pass
        elif name == manifest_name and manifest is not None:
            changed = False
            for entry in list(manifest.getroot()):
                if entry.get(f"{{{_ODF_MANIFEST}}}full-path", "").lower() in dropped:
                    _remove(entry)
                    changed = True
            content = _serialise(manifest) if changed else content
        elif name.endswith(".xml"):
            tree = _parse(content, info.filename)
            content = _serialise(tree) if _odf_part(tree, dropped) else content
        elif name.endswith(".svg"):
            tree = _parse(content, info.filename)
            content = _serialise(tree) if _svg_part(tree) else content
        elif (fmt := _picture(content)) is not None:
            content = _clean_picture(content, fmt, budget)
        else:
            content = _embedded(content, budget, depth)
        cleaned.append((info, content))
    return _rebuild(cleaned, stored_first="mimetype")


def odt(data: bytes) -> bytes:
    """An OpenDocument text (ODT; any OpenDocument package) without who made or edited it.

    `meta.xml` keeps only its statistics (no initial creator, creator, dates,
    editing time, generator, template, printer, user-defined fields, title).
    Tracked changes and comments: `dc:creator` becomes `AUTHOR_LABEL`, a change's
    date becomes `ODF_CHANGE_DATE` (required there), a comment's date and initials
    go. The printer's name and setup are blanked in `settings.xml`; a link to a
    file on a disk or share keeps only the file's name; the thumbnail is dropped
    (and left out of the manifest); photos under `Pictures/` (anywhere) are
    re-encoded by `image`, GIF and SVG pictures cleaned as in `docx`; an old-style
    object (`draw:object-ole`, an OLE file) is dropped, its replacement picture kept.
    `mimetype` stays first and uncompressed, the other entries in their order;
    untouched parts keep their bytes.

    A signed document (`META-INF/documentsignatures.xml`) is kept byte for byte.
    Raises Macros for Basic or scripts, Encrypted for a password, Unreadable for
    anything that does not parse.
    """
    return _odf(data, _Budget())
