"""Small but real evidence files, carrying what phones and computers record about their maker.

Photos with a GPS position and a phone model, PDFs naming their author,
recordings tagged the way phones tag them (a title naming the place, a position).
"""

from __future__ import annotations

import io
import re
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


# --- Office files that name their makers ------------------------------------------------------

#: Who a test document names, as Word, Excel or LibreOffice record them.
COMPANY = "CongTyCuaNguoiBaoCao"
MANAGER = "SepCuaNguoiBaoCao"
EDITOR = "LeVanSuaLanCuoi"
COMMENTER = "TranThiGopY"
REVISER = "PhamVanSuaDoi"
ACCOUNT = "baocao.nguyen@example.vn"
#: The Windows account in the template's and the workbook's folder.
WINDOWS_USER = "nguyenvanbaocao"
#: When the document was made and edited (each must disappear).
EDITED_AT = "2026-11-20T08:15:00Z"
#: What the document says: it must still say it.
BODY = "Cán bộ quầy số 3 đòi tiền bồi dưỡng mới nhận hồ sơ."
HEADER_TEXT = "Đơn phản ánh"
#: Every name a cleaned document must no longer contain, in any entry.
NAMES = (AUTHOR, COMPANY, MANAGER, EDITOR, COMMENTER, REVISER, ACCOUNT, WINDOWS_USER)
#: What an embedded photo's EXIF says (`jpeg_with_gps`).
PHONE = "SecretPhone"


def _rewrite(data: bytes, changes: dict[str, bytes | None], added: dict[str, bytes]) -> bytes:
    """A copy of the ZIP `data` with entries replaced (None: removed) and entries added."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = changes.get(info.filename, source.read(info))
            if content is not None:
                target.writestr(info, content)
        for name, content in added.items():
            target.writestr(name, content)
    return out.getvalue()


def _tracked(xml: bytes, marker: bytes, date: str = EDITED_AT) -> bytes:
    """`xml` with a tracked insertion by REVISER after the paragraph holding `marker`."""
    inserted = (
        f'<w:p><w:ins w:id="901" w:author="{REVISER}" w:date="{date}">'
        f"<w:r><w:t>Bổ sung: lần thứ hai.</w:t></w:r></w:ins>"
        f'<w:del w:id="902" w:author="{REVISER}" w:date="{date}">'
        "<w:r><w:delText>Câu đã xóa.</w:delText></w:r></w:del></w:p>"
    ).encode()
    at = xml.index(b"</w:p>", xml.index(marker)) + len(b"</w:p>")
    return xml[:at] + inserted + xml[at:]


def docx_with_traces() -> bytes:
    """A Word document as a citizen's computer leaves it: every place that names them.

    Author and last editor, company, manager and template path, a custom property,
    a comment by a named person (and Word's list of commenters with their account),
    tracked changes in the body and the header, a photo with a GPS position and the
    phone's name, and python-docx's stale thumbnail and customXml part.
    """
    import docx

    document = docx.Document()
    props = document.core_properties
    props.author, props.last_modified_by, props.revision = AUTHOR, EDITOR, 7
    props.title = f"Don cua {AUTHOR}"
    paragraph = document.add_paragraph(BODY)
    document.add_comment(paragraph.runs, text="Nên nói rõ giờ.", author=COMMENTER, initials="TTG")
    document.sections[0].header.paragraphs[0].text = HEADER_TEXT
    document.add_picture(io.BytesIO(jpeg_with_gps().read()))
    out = io.BytesIO()
    document.save(out)
    data = out.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    header = next(name for name in parts if name.startswith("word/header"))
    app = parts["docProps/app.xml"].replace(
        b"<Template>Normal.dotm</Template>",
        f"<Template>Normal.dotm</Template><Company>{COMPANY}</Company>"
        f"<Manager>{MANAGER}</Manager>".encode(),
    )
    settings = parts["word/settings.xml"].replace(
        b"<w:zoom", b'<w:attachedTemplate r:id="rId1"/><w:zoom', 1
    )
    assert b'xmlns:r="' in settings
    types = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxml'
        b'formats-officedocument.custom-properties+xml"/><Override PartName="/word/people.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.people'
        b'+xml"/></Types>',
    )
    package_rels = parts["_rels/.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rId90" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/custom-properties" Target="docProps/custom.xml"/></Relationships>',
    )
    document_rels = parts["word/_rels/document.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rId91" Type="http://schemas.microsoft.com/office/2011/relationships/'
        b'people" Target="people.xml"/></Relationships>',
    )
    custom = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-'
        'properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        'docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" '
        f'name="NguoiSoan"><vt:lpwstr>{AUTHOR}</vt:lpwstr></property></Properties>'
    ).encode()
    people = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">'
        f'<w15:person w15:author="{COMMENTER}"><w15:presenceInfo w15:providerId="AD" '
        f'w15:userId="{ACCOUNT}"/></w15:person></w15:people>'
    ).encode()
    template = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="'
        'http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        f'attachedTemplate" Target="file:///C:\\Users\\{WINDOWS_USER}\\AppData\\Roaming\\'
        'Microsoft\\Templates\\Normal.dotm" TargetMode="External"/></Relationships>'
    ).encode()
    # python-docx writes the comment's author, initials and date as Word does.
    assert re.search(
        rb'w:author="%s" w:initials="TTG"' % COMMENTER.encode(), parts["word/comments.xml"]
    )
    assert b"w:date=" in parts["word/comments.xml"]
    return _rewrite(
        data,
        {
            "docProps/app.xml": app,
            "word/settings.xml": settings,
            "[Content_Types].xml": types,
            "_rels/.rels": package_rels,
            "word/_rels/document.xml.rels": document_rels,
            "word/document.xml": _tracked(parts["word/document.xml"], BODY.encode()),
            header: _tracked(parts[header], HEADER_TEXT.encode()),
        },
        {
            "docProps/custom.xml": custom,
            "word/people.xml": people,
            "word/_rels/settings.xml.rels": template,
        },
    )


_ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" office:version="1.3"'
)
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def _change(kind: str, number: int) -> str:
    return (
        f'<text:changed-region text:id="ct{number}"><text:{kind}><office:change-info>'
        f"<dc:creator>{REVISER}</dc:creator><dc:date>{EDITED_AT[:-1]}</dc:date>"
        f"</office:change-info></text:{kind}></text:changed-region>"
    )


def odt_with_traces(
    *, extra: dict[str, bytes] | None = None, manifest: str = "", body: str = ""
) -> bytes:
    """An OpenDocument text as LibreOffice leaves it: creators, comments, changes, a photo.

    `extra` entries are added (a macro library, a signature); `manifest` is added
    to the manifest's entries (an encryption entry); `body` ends the text.
    """
    photo = jpeg_with_gps().read()
    thumbnail = io.BytesIO()
    Image.new("RGB", (8, 8), (9, 9, 9)).save(thumbnail, format="PNG")
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {_ODF_NS}><office:meta>'
        "<meta:generator>LibreOffice/7.4.7.2$Linux_X86_64</meta:generator>"
        f"<meta:initial-creator>{AUTHOR}</meta:initial-creator>"
        f"<dc:creator>{EDITOR}</dc:creator><meta:creation-date>{EDITED_AT[:-1]}"
        f"</meta:creation-date><dc:date>{EDITED_AT[:-1]}</dc:date>"
        "<meta:editing-cycles>4</meta:editing-cycles>"
        "<meta:editing-duration>PT12M</meta:editing-duration>"
        f'<meta:template xlink:type="simple" xlink:href="file:///home/{WINDOWS_USER}/mau.ott"'
        ' xlink:title="mau"/>'
        f"<meta:printed-by>{EDITOR}</meta:printed-by>"
        f'<meta:user-defined meta:name="Company">{COMPANY}</meta:user-defined>'
        '<meta:document-statistic meta:paragraph-count="2" meta:word-count="14"/>'
        "</office:meta></office:document-meta>"
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODF_NS}>'
        "<office:body><office:text><text:tracked-changes>"
        f"{_change('insertion', 1)}{_change('deletion', 2)}</text:tracked-changes>"
        f"<text:p>{BODY}<office:annotation><dc:creator>{COMMENTER}</dc:creator>"
        f"<dc:date>{EDITED_AT[:-1]}</dc:date><meta:creator-initials>TTG</meta:creator-initials>"
        "<text:p>Nên nói rõ giờ.</text:p></office:annotation></text:p>"
        '<text:p><text:change-start text:change-id="ct1"/>Bổ sung: lần thứ hai.'
        '<text:change-end text:change-id="ct1"/></text:p>'
        '<text:p><draw:frame draw:name="anh" svg:width="2cm" svg:height="1.5cm">'
        '<draw:image xlink:href="Pictures/anh.jpg" xlink:type="simple" xlink:show="embed"/>'
        "</draw:frame></text:p>"
        f'<text:p><text:a xlink:href="file:///C:/Users/{WINDOWS_USER}/Desktop/bien-ban.pdf">'
        "biên bản</text:a></text:p>"
        f"{body}</office:text></office:body></office:document-content>"
    )
    settings = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-settings {_ODF_NS}>'
        '<office:settings><config:config-item-set config:name="ooo:configuration-settings">'
        '<config:config-item config:name="PrinterName" config:type="string">'
        f"HP-{COMPANY}</config:config-item>"
        '<config:config-item config:name="PrinterSetup" config:type="base64Binary">'
        "bm90IGEgcmVhbCBzZXR1cA==</config:config-item>"
        "</config:config-item-set></office:settings></office:document-settings>"
    )
    entries = {
        "content.xml": "text/xml",
        "meta.xml": "text/xml",
        "settings.xml": "text/xml",
        "Pictures/anh.jpg": "image/jpeg",
        "Thumbnails/thumbnail.png": "image/png",
    }
    manifest_xml = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        '<manifest:file-entry manifest:full-path="/" manifest:version="1.3" '
        'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        + "".join(
            f'<manifest:file-entry manifest:full-path="{path}" manifest:media-type="{kind}"/>'
            for path, kind in entries.items()
        )
        + manifest
        + "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype", (2026, 11, 20, 8, 15, 0)), ODT_MIMETYPE)
        archive.writestr("content.xml", content)
        archive.writestr("meta.xml", meta)
        archive.writestr("settings.xml", settings)
        archive.writestr("Pictures/anh.jpg", photo)
        archive.writestr("Thumbnails/thumbnail.png", thumbnail.getvalue())
        for name, body in (extra or {}).items():
            archive.writestr(name, body)
        archive.writestr("META-INF/manifest.xml", manifest_xml)
    return out.getvalue()


def xlsx_with_traces() -> bytes:
    """An Excel workbook naming its maker: creator, last editor, a note, a photo, a folder."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.drawing.image import Image as SheetImage

    book = openpyxl.Workbook()
    book.properties.creator, book.properties.lastModifiedBy = AUTHOR, EDITOR
    sheet = book.active
    assert sheet is not None
    sheet.append(["Đơn vị", "Số người tham dự"])
    sheet.append([BODY, 12])
    sheet["B2"].comment = Comment(f"{COMMENTER}:\nSố liệu tháng 11.", COMMENTER)
    sheet.add_image(SheetImage(io.BytesIO(jpeg_with_gps().read())), "D2")
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = archive.read("xl/workbook.xml")
        app = archive.read("docProps/app.xml")
    folder = (
        '<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/'
        '2006"><mc:Choice Requires="x15"><x15ac:absPath xmlns:x15ac="http://schemas.microsoft'
        f'.com/office/spreadsheetml/2010/11/ac" url="C:\\Users\\{WINDOWS_USER}\\Documents\\"/>'
        "</mc:Choice></mc:AlternateContent>"
    ).encode()
    at = workbook.index(b"<workbookPr")
    workbook = workbook[:at] + folder + workbook[at:]
    app = app.replace(b"</Properties>", f"<Company>{COMPANY}</Company></Properties>".encode())
    return _rewrite(data, {"xl/workbook.xml": workbook, "docProps/app.xml": app}, {})


def unzipped(data: bytes) -> bytes:
    """Every entry of the ZIP `data`, decompressed, one after another: what to search."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return b"\n".join(archive.read(info) for info in archive.infolist())
