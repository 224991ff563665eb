"""Small but real evidence files, carrying what phones and computers record about their maker.

Photos with a GPS position and a phone model, PDFs naming their author,
recordings tagged the way phones tag them (a title naming the place, a position).
"""

from __future__ import annotations

import io
import struct
import wave
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from mutagen.id3 import ID3, TIT2, TPE1
from mutagen.mp4 import MP4
from mutagen.ogg import OggPage
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, StreamObject

#: The place a phone names a voice memo after, and the recorder's owner.
PLACE = "Duong Le Loi so 12"
OWNER = "NguyenVanBaoCao"


def jpeg_with_gps(name: str = "anh.jpg", size: tuple[int, int] = (64, 48)) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "SecretPhone 9"  # Model
    gps = {1: "N", 2: (21.0, 1.0, 30.0), 3: "E", 4: (105.0, 51.0, 10.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def png(name: str = "anh.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 255, 128)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


#: Who made a test file, as a citizen's computer or phone would record it.
AUTHOR = "NguyenVanBaoCao"


def pdf_bytes(*, pages: int = 1, xmp: bool = True) -> bytes:
    """A real PDF whose document information and XMP packet name its author."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Author": AUTHOR, "/Title": "Bien ban", "/Creator": "Laptop cua Bao"})
    if xmp:
        packet = (
            '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:creator>{AUTHOR}</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
            '<?xpacket end="w"?>'
        ).encode()
        stream = StreamObject()
        stream.set_data(packet)
        stream.update({NameObject("/Type"): NameObject("/Metadata")})
        writer.root_object[NameObject("/Metadata")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def signed_pdf_bytes() -> bytes:
    """A PDF that says it carries a digital signature (`/SigFlags`), as a signed decision does."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/SigFlags"): NumberObject(3), NameObject("/Fields"): ArrayObject()}
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf_bytes() -> bytes:
    """A PDF that opens only with a password."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.encrypt(user_password="bimat", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf(name: str = "van-ban.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def _frames(count: int = 20) -> bytes:
    """MPEG-1 Layer III frames, 128 kbit/s at 44.1 kHz (417 bytes each), of silence."""
    frame = b"\xff\xfb\x90\x64" + b"\x00" * 413
    return frame * count


def mp3_bytes() -> bytes:
    tags = ID3()
    tags.add(TIT2(encoding=3, text=PLACE))
    tags.add(TPE1(encoding=3, text=OWNER))
    out = io.BytesIO(_frames())
    tags.save(out)
    return out.getvalue()


def _page(packet: bytes, sequence: int, position: int, *, first: bool = False) -> bytes:
    page = OggPage()
    page.serial = 7
    page.sequence = sequence
    page.position = position
    page.first = first
    page.packets = [packet]
    return page.write()


def opus_bytes() -> bytes:
    """An Ogg Opus file (the format of a messaging app's voice note) with comments."""
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, 312, 48000, 0, 0)
    comments = [f"TITLE={PLACE}".encode(), f"ARTIST={OWNER}".encode()]
    tags = b"OpusTags" + struct.pack("<I", 7) + b"libopus"
    tags += struct.pack("<I", len(comments))
    tags += b"".join(struct.pack("<I", len(c)) + c for c in comments)
    sound = b"\xfc" + b"\x00" * 60  # one 20 ms packet
    pages = [
        _page(head, 0, 0, first=True),
        _page(tags, 1, 0),
        _page(sound, 2, 960 + 312),
    ]
    return b"".join(pages)


def _atom(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def _full(kind: bytes, body: bytes) -> bytes:
    return _atom(kind, b"\x00\x00\x00\x00" + body)


def m4a_bytes() -> bytes:
    """An MPEG-4 audio file whose item list names the place (as a phone's voice memo)."""
    mvhd = _full(b"mvhd", struct.pack(">IIII", 0, 0, 1000, 1000) + b"\x00" * 80)
    mdhd = _full(b"mdhd", struct.pack(">IIIIHH", 0, 0, 44100, 44100, 0, 0))
    hdlr = _full(b"hdlr", b"\x00" * 4 + b"soun" + b"\x00" * 12 + b"SoundHandler\x00")
    stbl = _atom(b"stbl", _full(b"stsd", struct.pack(">I", 0)))
    trak = _atom(b"trak", _atom(b"mdia", mdhd + hdlr + _atom(b"minf", stbl)))
    moov = _atom(b"moov", mvhd + trak)
    data = _atom(b"ftyp", b"M4A \x00\x00\x00\x00M4A isom") + moov + _atom(b"mdat", b"\x00" * 64)
    out = io.BytesIO(data)
    tags = MP4(out)
    tags["\xa9nam"] = [PLACE]
    tags["\xa9ART"] = [OWNER]
    out.seek(0)
    tags.save(out)
    return out.getvalue()


#: Where a phone says a recording was made (ISO 6709, as in `©xyz`), and what its XMP says.
LOCATION = "+21.4468+106.3366/"
XMP_CREATOR = "ThietBiCuaNguoiBaoCao"
#: The sound itself: it must still be where the chunk table points after cleaning.
SOUND = b"\x21\x10\x05\x20" * 16
#: Adobe's `uuid` for an XMP packet in an MPEG-4 file.
_XMP_UUID = bytes.fromhex("be7acfcb97a942e89c71999491e3afac")


def _text(kind: bytes, text: str) -> bytes:
    """A QuickTime user-data text (`©xyz`, `©day`…): length, language, text."""
    return _atom(kind, struct.pack(">HH", len(text.encode()), 0x15C7) + text.encode())


def _location_meta() -> bytes:
    """QuickTime's `meta` (as an iPhone writes it): one key, the ISO 6709 position."""
    key = _atom(b"mdta", b"com.apple.quicktime.location.ISO6709")
    value = _atom(b"\x00\x00\x00\x01", _atom(b"data", b"\x00" * 8 + LOCATION.encode()))
    return _full(
        b"meta",
        _full(b"hdlr", b"\x00" * 4 + b"mdta" + b"\x00" * 13)
        + _full(b"keys", struct.pack(">I", 1) + key)
        + _atom(b"ilst", value),
    )


def _phone_moov(sound_at: int) -> bytes:
    mvhd = _full(b"mvhd", struct.pack(">IIII", 0, 0, 1000, 2000) + b"\x00" * 80)
    mdhd = _full(b"mdhd", struct.pack(">IIIIHH", 0, 0, 44100, 88200, 0, 0))
    hdlr = _full(b"hdlr", b"\x00" * 4 + b"soun" + b"\x00" * 12 + b"SoundHandler\x00")
    stco = _full(b"stco", struct.pack(">II", 1, sound_at))
    stbl = _atom(b"stbl", _full(b"stsd", struct.pack(">I", 0)) + stco)
    mdia = _atom(b"mdia", mdhd + hdlr + _atom(b"minf", stbl))
    # A track may carry its own user data and metadata, as a camera app writes them.
    trak = _atom(b"trak", mdia + _atom(b"udta", _text(b"\xa9xyz", LOCATION)) + _location_meta())
    udta = _atom(
        b"udta",
        _text(b"\xa9xyz", LOCATION)
        + _text(b"\xa9day", "2026-11-20T08:15:00+0700")
        + _text(b"\xa9mod", OWNER)
        + _full(b"loci", b"\x15\xc7" + PLACE.encode() + b"\x00" + b"\x00" * 13),
    )
    return _atom(b"moov", mvhd + trak + udta + _location_meta())


def phone_m4a_bytes(brand: bytes = b"M4A ", *, long_sizes: bool = False) -> bytes:
    """An MPEG-4 recording as a phone leaves it: title, GPS position and XMP in the boxes.

    The metadata sits before the sound, so removing it instead of blanking it would
    move the sound away from where the chunk table (`stco`) says it is. With
    `long_sizes`, the XMP box has a 64-bit size and `mdat` runs to the end of the file
    (size 0), as a recorder that streams to disk writes it.
    """
    ftyp = _atom(b"ftyp", brand + b"\x00\x00\x00\x00" + brand + b"isom")
    xmp = (
        _XMP_UUID
        + (
            '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
            f'<dc:creator>{XMP_CREATOR}</dc:creator></x:xmpmeta><?xpacket end="w"?>'
        ).encode()
    )
    if long_sizes:
        uuid = struct.pack(">I4sQ", 1, b"uuid", 16 + len(xmp)) + xmp
        mdat = struct.pack(">I4s", 0, b"mdat") + SOUND
    else:
        uuid, mdat = _atom(b"uuid", xmp), _atom(b"mdat", SOUND)
    moov = _phone_moov(len(ftyp) + len(uuid) + len(_phone_moov(0)) + 8)
    out = io.BytesIO(ftyp + uuid + moov + mdat)
    tags = MP4(out)
    tags["\xa9nam"] = [PLACE]  # the item list, where the title goes; mutagen moves `stco`
    out.seek(0)
    tags.save(out)
    return out.getvalue()


def sound_of_mp4(data: bytes) -> bytes:
    """The bytes the chunk table points at: what a player would play."""
    at = data.index(b"stco")
    (offset,) = struct.unpack_from(">I", data, at + 12)
    return data[offset : offset + len(SOUND)]


def wav_bytes() -> bytes:
    """A WAV recording with a LIST/INFO chunk naming its owner (as desktop recorders write)."""
    out = io.BytesIO()
    with wave.open(out, "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(2)
        recording.setframerate(8000)
        recording.writeframes(b"\x01\x02" * 800)
    plain = out.getvalue()
    artist = OWNER.encode() + b"\x00"
    info = _le_chunk(b"LIST", b"INFO" + _le_chunk(b"IART", artist))
    body = plain[12:] + info
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + body


def _le_chunk(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("<I", len(body)) + body + b"\x00" * (len(body) % 2)


def sound_of_wav(data: bytes) -> bytes:
    with wave.open(io.BytesIO(data), "rb") as recording:
        return recording.readframes(recording.getnframes())


# --- Office files and zip bombs ---------------------------------------------------------------


def docx_bytes(text: str = "Kế hoạch thực hiện văn hóa công vụ") -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(*rows: list[object]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows or (["Đơn vị", "Số người tham dự"],):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def odt_bytes() -> bytes:
    """The smallest OpenDocument text: `mimetype` first and stored, then the content."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), b"application/vnd.oasis.opendocument.text")
        archive.writestr(
            "content.xml",
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office='
            '"urn:oasis:names:tc:opendocument:xmlns:office:1.0"><office:body><office:text/>'
            "</office:body></office:document-content>",
        )
    return out.getvalue()


#: What a zip bomb unpacks to in these tests: zeros deflate about a thousand times.
BOMB_BYTES = 8 * 1024 * 1024


def zip_bomb(
    base: bytes, *, unzipped: int = BOMB_BYTES, entry: str = "docProps/extra.xml"
) -> bytes:
    """`base` (a real DOCX, XLSX or ODT) with one more entry of `unzipped` zero bytes.

    A few kilobytes that a reader would inflate to `unzipped`; every other entry is
    the real file's, so a reader that ignores the extra part would open it, and
    only the bound on what it expands to can refuse it.
    """
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for info in source.infolist():
            bomb.writestr(info, source.read(info))
        bomb.writestr(entry, b"\0" * unzipped)
    return out.getvalue()
