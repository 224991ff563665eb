"""`sanitise.docx`, `xlsx` and `odt`: a document keeps what it says, not who wrote it.

Each test builds a real document the way Word, Excel or LibreOffice leave one
(`media_helpers`): an author, an editor, a company, a comment by a named person,
tracked changes, a photo with a GPS position. The cleaned file is searched entry
by entry (decompressed), then opened again with python-docx, openpyxl or zipfile.
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import hypothesis
import openpyxl
import pytest
from django.core.exceptions import ValidationError
from hypothesis import strategies as st
from lxml import etree
from PIL import Image

from congvu.core import sanitise, uploads
from congvu.core.tests.media_helpers import (
    AUTHOR,
    BODY,
    COMMENTER,
    EDITED_AT,
    HEADER_TEXT,
    NAMES,
    ODT_MIMETYPE,
    PHONE,
    WINDOWS_USER,
    docx_bytes,
    docx_with_traces,
    jpeg_with_gps,
    odt_with_traces,
    unzipped,
    xlsx_bytes,
    xlsx_with_traces,
    zip_bomb,
)

LABEL = sanitise.AUTHOR_LABEL
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DC = "{http://purl.org/dc/elements/1.1/}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def xml(data: bytes):
    return etree.fromstring(data)


def with_parts(data: bytes, changes: dict[str, bytes | None]) -> bytes:
    """`data` (a ZIP) with entries replaced or added, or removed (None)."""
    entries = parts(data)
    for name, value in changes.items():
        if value is None:
            entries.pop(name, None)
        else:
            entries[name] = value
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


def assert_nobody_in(data: bytes) -> None:
    text = unzipped(data)
    for secret in (*NAMES, PHONE, EDITED_AT, EDITED_AT[:-1]):
        assert secret.encode() not in text, secret


def assert_no_exif_in_pictures(data: bytes) -> int:
    count = 0
    for name, content in parts(data).items():
        if content.startswith(b"\xff\xd8\xff"):
            photo = Image.open(io.BytesIO(content))
            assert photo.size == (64, 48), name
            assert not photo.getexif(), name
            count += 1
    return count


def assert_every_relationship_resolves(data: bytes) -> None:
    entries = {name.lower() for name in parts(data)}
    for name, content in parts(data).items():
        if not name.endswith(".rels"):
            continue
        folder = posixpath.dirname(posixpath.dirname(name))
        for relation in xml(content):
            if relation.get("TargetMode") == "External":
                continue
            target = relation.get("Target")
            joined = target.lstrip("/") if target.startswith("/") else f"{folder}/{target}"
            path = posixpath.normpath(joined.lstrip("/")).lower()
            assert path in entries, (name, target)
    types = xml(parts(data)["[Content_Types].xml"])
    for override in types.iter("{*}Override"):
        assert override.get("PartName").lstrip("/").lower() in entries


# --- Word ------------------------------------------------------------------------------------


def test_a_word_document_keeps_its_text_and_loses_every_name_date_and_gps_position() -> None:
    original = docx_with_traces()
    for secret in (*NAMES, PHONE, EDITED_AT):
        assert secret.encode() in unzipped(original), secret  # the test file has them all
    cleaned = sanitise.docx(original)
    assert_nobody_in(cleaned)
    assert assert_no_exif_in_pictures(cleaned) == 1
    assert_every_relationship_resolves(cleaned)

    document = docx.Document(io.BytesIO(cleaned))
    assert next(p.text for p in document.paragraphs if p.text) == BODY
    assert HEADER_TEXT in document.sections[0].header.paragraphs[0].text
    props = document.core_properties
    assert (props.author, props.last_modified_by, props.title) == ("", "", "")
    assert props.created is None and props.modified is None and props.revision == 0
    [comment] = document.comments
    assert (comment.author, comment.initials) == (LABEL, None)
    assert comment.text == "Nên nói rõ giờ."

    entries = parts(cleaned)
    core = xml(entries["docProps/core.xml"])
    assert core.tag.endswith("coreProperties") and len(core) == 0
    app = xml(entries["docProps/app.xml"])
    assert {etree.QName(e).localname for e in app} <= sanitise._EXTENDED_KEPT
    assert "Pages" in {etree.QName(e).localname for e in app}
    assert len(xml(entries["docProps/custom.xml"])) == 0
    assert len(xml(entries["word/people.xml"])) == 0
    for part in ("word/document.xml", "word/header1.xml"):
        changes = list(xml(entries[part]).iter(f"{W}ins", f"{W}del"))
        assert len(changes) == 2, part
        assert all(e.get(f"{W}author") == LABEL and e.get(f"{W}date") is None for e in changes)
    [template] = xml(entries["word/_rels/settings.xml.rels"])
    assert template.get("Target") == "Normal.dotm"  # not C:\Users\<account>\AppData\…
    assert not [n for n in entries if n.startswith(("customXml/", "docProps/thumbnail"))]


def test_what_needs_no_change_keeps_its_bytes_and_the_zip_its_order() -> None:
    original = docx_with_traces()
    cleaned = sanitise.docx(original)
    before, after = parts(original), parts(cleaned)
    dropped = {n for n in before if n.startswith(("customXml/", "docProps/thumbnail"))}
    assert list(after) == [n for n in before if n not in dropped]
    for name in ("word/fontTable.xml", "word/numbering.xml", "word/theme/theme1.xml"):
        assert after[name] == before[name], name
    with zipfile.ZipFile(io.BytesIO(cleaned)) as archive:
        assert archive.testzip() is None
        # An entry's time says when, and in which time zone, the file was saved.
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert all(not info.extra and not info.comment for info in archive.infolist())


def test_a_clean_document_comes_out_the_same_again() -> None:
    once = sanitise.docx(docx_with_traces())
    assert sanitise.docx(once) == once


def test_a_workbook_embedded_in_a_word_document_is_cleaned_too() -> None:
    embedded = xlsx_with_traces()
    document = with_parts(
        docx_bytes(BODY), {"word/embeddings/Microsoft_Excel_Worksheet.xlsx": embedded}
    )
    cleaned = sanitise.docx(document)
    [inner] = [c for n, c in parts(cleaned).items() if n.startswith("word/embeddings/")]
    assert inner != embedded
    assert_nobody_in(inner)


def test_a_zip_bomb_hidden_in_an_embedded_document_is_refused() -> None:
    bomb = zip_bomb(xlsx_bytes(), unzipped=sanitise.MAX_OFFICE_UNZIPPED + 1024)
    document = with_parts(docx_bytes(), {"word/embeddings/bang.xlsx": bomb})
    with pytest.raises(sanitise.Unreadable):
        sanitise.docx(document)


def test_a_scanned_tiff_loses_its_exif_and_a_logo_keeps_its_transparent_colour() -> None:
    exif = Image.Exif()
    exif[0x010F] = PHONE  # the scanner's maker
    scan = io.BytesIO()
    Image.new("L", (40, 30), 200).save(scan, format="TIFF", exif=exif.tobytes())
    logo = io.BytesIO()
    emblem = Image.new("P", (16, 16))
    emblem.putpalette([255, 255, 255, 200, 0, 0] * 128)
    emblem.save(logo, format="PNG", transparency=0)
    document = with_parts(
        docx_bytes(),
        {"word/media/scan.tif": scan.getvalue(), "word/media/logo.png": logo.getvalue()},
    )
    entries = parts(sanitise.docx(document))
    cleaned_scan = Image.open(io.BytesIO(entries["word/media/scan.tif"]))
    assert (cleaned_scan.format, cleaned_scan.size) == ("TIFF", (40, 30))
    assert PHONE.encode() not in entries["word/media/scan.tif"]
    cleaned_logo = Image.open(io.BytesIO(entries["word/media/logo.png"]))
    assert cleaned_logo.info.get("transparency") == 0


def test_pictures_beyond_the_pixel_budget_are_refused(monkeypatch) -> None:
    monkeypatch.setattr(sanitise, "MAX_OFFICE_PIXELS", 64 * 48 * 2)
    photo = jpeg_with_gps().read()
    photos: dict[str, bytes | None] = {f"word/media/image{n}.jpg": photo for n in range(3)}
    with pytest.raises(sanitise.Unreadable):
        sanitise.docx(with_parts(docx_bytes(), photos))
    sanitise.docx(with_parts(docx_bytes(), {"word/media/image1.jpg": photo}))


W15 = "http://schemas.microsoft.com/office/word/2012/wordml"


def _settings_with_ids(settings: bytes) -> bytes:
    """Word's settings as a computer leaves them: its document ids, variables, a merge."""
    source = f"C:\\Users\\{WINDOWS_USER}\\danh-sach.xlsx"
    query = '<w:query w:val="SELECT * FROM `Sheet1$`"/>'
    traces = (
        '<w:mailMerge><w:mainDocumentType w:val="formLetters"/><w:connectString w:val="'
        f'Provider=Microsoft.ACE.OLEDB.12.0;Data Source={source}"/>' + query + "</w:mailMerge>"
        f'<w:docVars><w:docVar w:name="NguoiSoan" w:val="{AUTHOR}"/></w:docVars>'
        f'<w15:docId xmlns:w15="{W15}" w15:val="{{7A1C2D3E-0000-4F00-8A00-{PHONE}}}"/>'
    ).encode()
    return settings.replace(b"</w:settings>", traces + b"</w:settings>")


def test_word_loses_its_editing_sessions_document_ids_variables_and_mail_merge_source() -> None:
    original = docx_bytes(BODY)
    before = parts(original)
    original = with_parts(
        original, {"word/settings.xml": _settings_with_ids(before["word/settings.xml"])}
    )
    assert b"rsid" in before["word/styles.xml"] and b"w14:docId" in before["word/settings.xml"]
    for secret in (AUTHOR, WINDOWS_USER, PHONE):
        assert secret.encode() in parts(original)["word/settings.xml"], secret
    cleaned = sanitise.docx(original)
    after = parts(cleaned)
    for name, content in after.items():
        assert b"rsid" not in content and b"docId" not in content, name
    assert_nobody_in(cleaned)
    settings = xml(after["word/settings.xml"])
    assert settings.find(f"{W}docVars") is None and settings.find(f"{W}mailMerge") is None
    assert settings.find(f"{W}compat") is not None  # the layout settings stay
    assert len(xml(after["word/styles.xml"]).findall(f"{W}style")) == len(
        xml(before["word/styles.xml"]).findall(f"{W}style")
    )
    document = docx.Document(io.BytesIO(cleaned))
    assert [p.text for p in document.paragraphs if p.text] == [BODY]
    assert (
        document.sections[0].page_width
        == docx.Document(io.BytesIO(original)).sections[0].page_width
    )


_OLE_OBJECT = (
    sanitise._OLE2_MAGIC
    + b"\x00" * 24
    + f"SummaryInformation {AUTHOR} C:\\Users\\{WINDOWS_USER}".encode("utf-16-le")
)


def _png(colour: tuple[int, int, int] = (200, 0, 0)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (12, 8), colour).save(out, format="PNG")
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def _docx_with_ole_object() -> bytes:
    """A Word document with an old-style embedded Excel sheet (OLE) and its picture."""
    original = docx_bytes(BODY)
    before = parts(original)
    rels = before["word/_rels/document.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rId80" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/oleObject" Target="embeddings/oleObject1.bin"/>'
        b'<Relationship Id="rId81" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/image" Target="media/image80.png"/></Relationships>',
    )
    object_run = (
        b'<w:p><w:r><w:object><v:shape id="_x0000_i1025" type="#_x0000_t75" '
        b'style="width:60pt;height:40pt"><v:imagedata r:id="rId81" o:title=""/></v:shape>'
        b'<o:OLEObject Type="Embed" ProgID="Excel.Sheet.8" ShapeID="_x0000_i1025" '
        b'DrawAspect="Content" ObjectID="_1790000000" r:id="rId80"/></w:object></w:r></w:p>'
    )
    body = before["word/document.xml"].replace(b"<w:sectPr", object_run + b"<w:sectPr", 1)
    types = before["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.'
        b'oleObject"/><Default Extension="png" ContentType="image/png"/></Types>',
    )
    original = with_parts(
        original,
        {
            "word/_rels/document.xml.rels": rels,
            "word/document.xml": body,
            "[Content_Types].xml": types,
            "word/embeddings/oleObject1.bin": _OLE_OBJECT,
            "word/media/image80.png": _png(),
        },
    )
    return original


def test_an_old_style_embedded_object_is_dropped_and_its_picture_stays_in_the_page() -> None:
    original = _docx_with_ole_object()
    cleaned = sanitise.docx(original)
    after = parts(cleaned)
    assert "word/embeddings/oleObject1.bin" not in after
    assert_nobody_in(cleaned)
    assert_every_relationship_resolves(cleaned)
    document = xml(after["word/document.xml"])
    assert not list(document.iter("{urn:schemas-microsoft-com:office:office}OLEObject"))
    [picture] = document.iter("{urn:schemas-microsoft-com:vml}imagedata")
    relations = {r.get("Id"): r.get("Target") for r in xml(after["word/_rels/document.xml.rels"])}
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    assert relations[picture.get(rid)] == "media/image80.png"
    assert "rId80" not in relations
    assert Image.open(io.BytesIO(after["word/media/image80.png"])).size == (12, 8)
    assert [p.text for p in docx.Document(io.BytesIO(cleaned)).paragraphs if p.text] == [BODY]


_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _xlsx_with_sheet_part(element: str, kind: str, target: str, content: bytes) -> bytes:
    """A workbook whose sheet ends with `element`, naming (as rId9) a part of that `kind`."""
    original = xlsx_bytes(["Đơn vị", "Số người"], [BODY, 12])
    sheet = parts(original)[SHEET].replace(b"</worksheet>", element.encode() + b"</worksheet>")
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://'
        'schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId9" '
        f'Type="{_R}/{kind}" Target="../{target}"/></Relationships>'
    ).encode()
    return with_parts(
        original,
        {SHEET: sheet, "xl/worksheets/_rels/sheet1.xml.rels": rels, f"xl/{target}": content},
    )


def _xlsx_with_ole_object() -> bytes:
    """A workbook with an embedded Word document (OLE) in Excel's list of objects."""
    return _xlsx_with_sheet_part(
        '<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/'
        '2006"><mc:Choice Requires="x14"><oleObjects><oleObject progId="Word.Document.8" '
        f'shapeId="1025" r:id="rId9" xmlns:r="{_R}"/></oleObjects></mc:Choice>'
        "</mc:AlternateContent>",
        "oleObject",
        "embeddings/oleObject1.bin",
        _OLE_OBJECT,
    )


def test_a_workbook_loses_an_embedded_object_and_the_list_that_held_it() -> None:
    original = _xlsx_with_ole_object()
    cleaned = sanitise.xlsx(original)
    after = parts(cleaned)
    assert "xl/embeddings/oleObject1.bin" not in after
    assert b"oleObject" not in after[SHEET] and b"AlternateContent" not in after[SHEET]
    assert_nobody_in(cleaned)
    assert_every_relationship_resolves(cleaned)
    book = openpyxl.load_workbook(io.BytesIO(cleaned))
    assert book.active is not None and book.active["A2"].value == BODY


def _gif_with_comment() -> bytes:
    frames = [Image.new("P", (10, 6), n) for n in (1, 2)]
    for frame in frames:
        frame.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0] + [0] * 759)
    out = io.BytesIO()
    frames[0].save(
        out,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        loop=0,
        duration=100,
        comment=f"Chup boi {AUTHOR}".encode(),
    )
    data = out.getvalue()
    xmp = b"\x21\xff\x0bXMP DataXMP" + bytes([len(WINDOWS_USER)]) + WINDOWS_USER.encode() + b"\x00"
    at = data.index(b"\x2c")  # before the first frame
    return data[:at] + xmp + data[at:-1] + b"\x3b" + f"sau-{PHONE}".encode()


def test_a_gif_loses_its_comments_and_xmp_and_keeps_its_frames_and_loop() -> None:
    original = _gif_with_comment()
    for secret in (AUTHOR, WINDOWS_USER, PHONE):
        assert secret.encode() in original
    cleaned = sanitise.gif(original)
    for secret in (AUTHOR, WINDOWS_USER, PHONE):
        assert secret.encode() not in cleaned
    picture = Image.open(io.BytesIO(cleaned))
    assert (picture.size, picture.n_frames, picture.info.get("loop")) == ((10, 6), 2, 0)
    document = sanitise.docx(with_parts(docx_bytes(), {"word/media/image9.gif": original}))
    assert parts(document)["word/media/image9.gif"] == cleaned


@pytest.mark.parametrize("cut", [7, 14, 30, -2])
def test_a_gif_cut_short_is_refused(cut) -> None:
    with pytest.raises(sanitise.Unreadable):
        sanitise.gif(_gif_with_comment().split(b"\x3bsau-")[0][:cut])


_SVG = (
    f'<?xml version="1.0" encoding="UTF-8"?><!-- Created by {AUTHOR} with Inkscape -->'
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:cc="http://creativecommons.org/ns#" '
    'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
    'xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" '
    f'width="40" height="20" sodipodi:docname="so-do-{AUTHOR}.svg" '
    f'inkscape:export-filename="/home/{WINDOWS_USER}/so-do.png">'
    f"<metadata><rdf:RDF><cc:Work><dc:creator><cc:Agent><dc:title>{COMMENTER}</dc:title>"
    "</cc:Agent></dc:creator></cc:Work></rdf:RDF></metadata>"
    '<sodipodi:namedview pagecolor="#ffffff" inkscape:window-width="1920"/>'
    "<title>Sơ đồ quầy một cửa</title>"
    '<rect x="1" y="1" width="38" height="18" fill="#c00" inkscape:label="quay"/>'
    f'<image width="4" height="4" xlink:href="file:///C:/Users/{WINDOWS_USER}/logo.png"/>'
    "</svg>"
).encode()


def test_an_svg_picture_loses_its_metadata_and_editor_data_and_keeps_its_drawing() -> None:
    document = sanitise.docx(with_parts(docx_bytes(), {"word/media/image5.svg": _SVG}))
    cleaned = parts(document)["word/media/image5.svg"]
    for secret in (AUTHOR, COMMENTER, WINDOWS_USER):
        assert secret.encode() not in cleaned
    svg = xml(cleaned)
    ns = "{http://www.w3.org/2000/svg}"
    assert [e.tag for e in svg] == [f"{ns}title", f"{ns}rect", f"{ns}image"]
    assert svg.find(f"{ns}rect").attrib == {
        "x": "1",
        "y": "1",
        "width": "38",
        "height": "18",
        "fill": "#c00",
    }
    assert svg.find(f"{ns}image").get("{http://www.w3.org/1999/xlink}href") == "logo.png"
    odt = sanitise.odt(odt_with_traces(extra={"Pictures/so-do.svg": _SVG}))
    assert parts(odt)["Pictures/so-do.svg"] == cleaned


def _odt_with_ole_object() -> bytes:
    """An OpenDocument text with an old-style object (OLE) and its replacement picture."""
    return odt_with_traces(
        extra={"Object 1": _OLE_OBJECT, "ObjectReplacements/Object 1": _png()},
        manifest='<manifest:file-entry manifest:full-path="Object 1" '
        'manifest:media-type="application/vnd.sun.star.oleobject"/>'
        '<manifest:file-entry manifest:full-path="ObjectReplacements/Object 1" '
        'manifest:media-type="application/octet-stream"/>',
        body='<text:p><draw:frame draw:name="Object 1" svg:width="2cm" svg:height="1.5cm">'
        '<draw:object-ole xlink:href="./Object 1" xlink:type="simple" xlink:show="embed"/>'
        '<draw:image xlink:href="./ObjectReplacements/Object 1" xlink:type="simple" '
        'xlink:show="embed"/></draw:frame></text:p>',
    )


def test_an_opendocument_file_loses_an_old_style_object_and_keeps_its_picture() -> None:
    original = _odt_with_ole_object()
    cleaned = sanitise.odt(original)
    after = parts(cleaned)
    assert "Object 1" not in after and "ObjectReplacements/Object 1" in after
    assert b"object-ole" not in after["content.xml"]
    assert b"ObjectReplacements/Object 1" in after["content.xml"]
    assert b'full-path="Object 1"' not in after["META-INF/manifest.xml"]
    assert_nobody_in(cleaned)


def _xlsx_with_printer_settings() -> bytes:
    """A workbook whose page setup names the printer settings (the office printer)."""
    devmode = f"\\\\PC-{WINDOWS_USER}\\HP LaserJet".encode("utf-16-le").ljust(220, b"\x00")
    return _xlsx_with_sheet_part(
        f'<pageSetup paperSize="9" orientation="landscape" r:id="rId9" xmlns:r="{_R}"/>',
        "printerSettings",
        "printerSettings/printerSettings1.bin",
        devmode,
    )


def test_a_workbook_loses_the_printer_settings_that_name_the_office_printer() -> None:
    original = _xlsx_with_printer_settings()
    assert WINDOWS_USER.encode("utf-16-le") in unzipped(original)
    cleaned = sanitise.xlsx(original)
    after = parts(cleaned)
    assert not [name for name in after if "printerSettings" in name]
    assert WINDOWS_USER.encode("utf-16-le") not in unzipped(cleaned)
    assert_every_relationship_resolves(cleaned)
    [setup] = xml(after[SHEET]).iter("{*}pageSetup")
    assert setup.attrib == {"paperSize": "9", "orientation": "landscape"}
    book = openpyxl.load_workbook(io.BytesIO(cleaned))
    assert book.active is not None and book.active.page_setup.orientation == "landscape"


# --- Excel -----------------------------------------------------------------------------------


def test_a_workbook_keeps_its_cells_and_loses_its_authors_folder_and_gps_position() -> None:
    original = xlsx_with_traces()
    assert WINDOWS_USER.encode() in unzipped(original)
    cleaned = sanitise.xlsx(original)
    assert_nobody_in(cleaned)
    assert assert_no_exif_in_pictures(cleaned) == 1
    assert_every_relationship_resolves(cleaned)
    book = openpyxl.load_workbook(io.BytesIO(cleaned))
    sheet = book.active
    assert sheet is not None
    assert (sheet["A2"].value, sheet["B2"].value) == (BODY, 12)
    assert len(xml(parts(cleaned)["docProps/core.xml"])) == 0  # (openpyxl reads "openpyxl")
    assert book.properties.lastModifiedBy is None
    comment = sheet["B2"].comment
    assert comment is not None and comment.author == LABEL
    assert comment.text == f"{LABEL}:\nSố liệu tháng 11."  # Excel's "Name:" first line
    assert b"absPath" not in parts(cleaned)["xl/workbook.xml"]


# --- OpenDocument ----------------------------------------------------------------------------


def test_an_opendocument_text_keeps_its_text_and_loses_every_name_date_and_gps_position() -> None:
    original = odt_with_traces()
    cleaned = sanitise.odt(original)
    assert_nobody_in(cleaned)
    assert assert_no_exif_in_pictures(cleaned) == 1
    entries = parts(cleaned)
    assert BODY.encode() in entries["content.xml"]

    meta = xml(entries["meta.xml"]).find(f"{OFFICE}meta")
    assert [e.tag for e in meta] == [f"{META}document-statistic"]
    content = xml(entries["content.xml"])
    info = list(content.iter(f"{OFFICE}change-info"))
    assert len(info) == 2
    for change in info:
        assert change.findtext(f"{DC}creator") == LABEL
        assert change.findtext(f"{DC}date") == sanitise.ODF_CHANGE_DATE  # required there
    [note] = content.iter(f"{OFFICE}annotation")
    assert note.findtext(f"{DC}creator") == LABEL
    assert note.find(f"{DC}date") is None and note.find(f"{META}creator-initials") is None
    links = [e.get("{http://www.w3.org/1999/xlink}href") for e in content.iter()]
    assert "bien-ban.pdf" in links and "Pictures/anh.jpg" in links
    settings = entries["settings.xml"]
    assert b'config:name="PrinterName" config:type="string"/>' in settings
    assert b"Thumbnails" not in entries["META-INF/manifest.xml"]
    assert not [n for n in entries if n.startswith("Thumbnails/")]


def test_an_opendocument_file_keeps_mimetype_first_and_stored_and_its_order() -> None:
    original = odt_with_traces()
    cleaned = sanitise.odt(original)
    # The OpenDocument rule a reader checks: `mimetype` first, uncompressed, no extra field.
    assert cleaned[30:38] == b"mimetype" and cleaned[38 : 38 + len(ODT_MIMETYPE)] == ODT_MIMETYPE
    with zipfile.ZipFile(io.BytesIO(cleaned)) as archive:
        first = archive.infolist()[0]
        assert (first.filename, first.compress_type, first.extra) == ("mimetype", 0, b"")
        names = archive.namelist()
    assert names == [n for n in parts(original) if not n.startswith("Thumbnails/")]


# --- refused ---------------------------------------------------------------------------------

_VBA = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504


@pytest.mark.parametrize(
    "changes",
    [
        {"word/vbaProject.bin": _VBA},
        {"word/activeX/activeX1.xml": b"<ax:ocx xmlns:ax='urn:x'/>"},
    ],
    ids=["vba", "activex"],
)
def test_a_word_document_with_macros_is_refused(changes) -> None:
    with pytest.raises(sanitise.Macros):
        sanitise.docx(with_parts(docx_bytes(), changes))


def test_a_macro_enabled_main_part_is_refused_even_without_the_macros() -> None:
    types = parts(docx_bytes())["[Content_Types].xml"].replace(
        b"officedocument.wordprocessingml.document.main+xml",
        b"ms-word.document.macroEnabled.main+xml",
    )
    with pytest.raises(sanitise.Macros):
        sanitise.docx(with_parts(docx_bytes(), {"[Content_Types].xml": types}))


def test_an_opendocument_file_with_basic_macros_is_refused() -> None:
    document = odt_with_traces(extra={"Basic/Standard/Module1.xml": b"<script/>"})
    with pytest.raises(sanitise.Macros):
        sanitise.odt(document)


def test_a_password_protected_document_is_refused() -> None:
    with pytest.raises(sanitise.Encrypted):
        sanitise.docx(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000)  # what Word writes
    encryption = (
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
        '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="AA=="/>'
        "</manifest:file-entry>"
    )
    with pytest.raises(sanitise.Encrypted):
        sanitise.odt(odt_with_traces(manifest=encryption))


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04 not a zip at all",
        b"just text",
        with_parts(docx_bytes(), {"word/document.xml": b"<w:document><w:body>cut off"}),
        with_parts(docx_bytes(), {"[Content_Types].xml": None}),
    ],
    ids=["broken-zip", "not-a-zip", "broken-xml", "no-content-types"],
)
def test_a_damaged_document_is_refused(data) -> None:
    with pytest.raises(sanitise.Unreadable):
        sanitise.docx(data)


_SMALL_DOCX = docx_bytes()
_SMALL_ODT = odt_with_traces()


@hypothesis.settings(max_examples=80, deadline=None)
@hypothesis.given(
    kind=st.sampled_from(["docx", "odt"]),
    at=st.floats(min_value=0, max_value=1, exclude_max=True),
    garbage=st.binary(min_size=1, max_size=40),
)
def test_any_damaged_document_is_cleaned_or_refused_never_a_crash(kind, at, garbage) -> None:
    original = _SMALL_DOCX if kind == "docx" else _SMALL_ODT
    where = int(at * len(original))
    damaged = original[:where] + garbage + original[where + len(garbage) :]
    with contextlib.suppress(sanitise.Unreadable):
        (sanitise.docx if kind == "docx" else sanitise.odt)(damaged)


def test_two_entries_of_one_name_are_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in parts(docx_bytes()).items():
            archive.writestr(name, content)
        archive.writestr("DOCPROPS/CORE.XML", b"<x/>")  # part names ignore case
    with pytest.raises(sanitise.Unreadable):
        sanitise.docx(out.getvalue())


@pytest.mark.parametrize(
    "doctype",
    [
        # A billion laughs: entities that expand to gigabytes.
        '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]>',
        # An external entity: a file of the server's.
        '<!DOCTYPE x [<!ENTITY d SYSTEM "file:///etc/passwd">]>',
    ],
    ids=["billion-laughs", "external-entity"],
)
def test_a_part_with_a_dtd_is_refused_and_its_entities_never_expanded(doctype) -> None:
    core = (
        f'<?xml version="1.0"?>{doctype}<cp:coreProperties xmlns:cp="http://schemas.'
        'openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/'
        'elements/1.1/"><dc:creator>&d;</dc:creator></cp:coreProperties>'
    ).encode()
    with pytest.raises(sanitise.Unreadable) as refused:
        sanitise.docx(with_parts(docx_bytes(), {"docProps/core.xml": core}))
    assert "root:" not in str(refused.value)


def test_a_signed_document_is_kept_byte_for_byte() -> None:
    signed = with_parts(
        docx_with_traces(),
        {"_xmlsignatures/sig1.xml": b"<Signature/>", "_xmlsignatures/origin.sigs": b""},
    )
    assert sanitise.docx(signed) == signed
    signed_odt = odt_with_traces(extra={"META-INF/documentsignatures.xml": b"<signatures/>"})
    assert sanitise.odt(signed_odt) == signed_odt


# --- through the upload pipeline -------------------------------------------------------------


def _refusal(data: bytes, content_type: str, name: str) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        uploads.check_zip(data, name=name)
        uploads.sanitised(data, content_type, name=name)
    return refused.value


@pytest.mark.parametrize(
    ("data", "content_type", "name", "code", "vietnamese", "english"),
    [
        (
            with_parts(docx_bytes(), {"word/vbaProject.bin": _VBA}),
            uploads.DOCX,
            "don.docx",
            "office_macros",
            "Tệp don.docx có macro hoặc mã tự chạy, không được chấp nhận",
            "The document contains macros or other code that runs and is refused",
        ),
        (
            odt_with_traces(
                manifest='<manifest:file-entry manifest:full-path="x"><manifest:encryption-data/>'
                "</manifest:file-entry>"
            ),
            uploads.ODT,
            "don.odt",
            "encrypted_file",
            "Tệp don.odt có mật khẩu; hãy gửi bản không đặt mật khẩu.",
            "The document is password-protected",
        ),
        (
            with_parts(docx_bytes(), {"word/document.xml": b"<broken"}),
            uploads.DOCX,
            "don.docx",
            "unreadable_file",
            "Tệp don.docx bị hỏng hoặc không đọc được nên không xóa được thông tin ẩn",
            "The document is damaged or unreadable",
        ),
    ],
    ids=["macros", "password", "damaged"],
)
def test_the_pipeline_names_the_file_in_both_languages(
    data, content_type, name, code, vietnamese, english
) -> None:
    refused = _refusal(data, content_type, name)
    assert refused.code == code
    [message] = refused.messages
    assert message.startswith(vietnamese)
    assert f" / {english}" in message


def test_a_zip_bomb_is_refused_as_one_before_anything_looks_for_macros() -> None:
    bomb = zip_bomb(with_parts(docx_bytes(), {"word/vbaProject.bin": _VBA}))
    assert _refusal(bomb, uploads.DOCX, "don.docx").code == "zip_bomb"


@pytest.mark.parametrize(
    ("content_type", "build"),
    [
        (uploads.DOCX, docx_with_traces),
        (uploads.XLSX, xlsx_with_traces),
        (uploads.ODT, odt_with_traces),
    ],
)
def test_every_office_type_the_site_stores_is_cleaned_by_the_pipeline(content_type, build) -> None:
    assert_nobody_in(uploads.sanitised(build(), content_type, name="tep"))


# --- what LibreOffice makes of it ------------------------------------------------------------


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_every_cleaned_document_and_prints_the_same_text(tmp_path: Path) -> None:
    from pypdf import PdfReader

    built = {
        "don.docx": (docx_with_traces(), sanitise.docx),
        "bang.xlsx": (xlsx_with_traces(), sanitise.xlsx),
        "don.odt": (odt_with_traces(), sanitise.odt),
        "doi-tuong.docx": (_docx_with_ole_object(), sanitise.docx),
        "hinh.docx": (
            with_parts(
                docx_bytes(BODY),
                {
                    "word/settings.xml": _settings_with_ids(
                        parts(docx_bytes())["word/settings.xml"]
                    ),
                    "word/media/image5.svg": _SVG,
                    "word/media/image9.gif": _gif_with_comment(),
                },
            ),
            sanitise.docx,
        ),
        "doi-tuong-bang.xlsx": (_xlsx_with_ole_object(), sanitise.xlsx),
        "may-in.xlsx": (_xlsx_with_printer_settings(), sanitise.xlsx),
        "doi-tuong-van-ban.odt": (_odt_with_ole_object(), sanitise.odt),
    }
    for name, (data, clean) in built.items():
        (tmp_path / f"goc-{name}").write_bytes(data)
        (tmp_path / name).write_bytes(clean(data))
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "pdf"),
            *sorted(str(p) for p in tmp_path.glob("*.*")),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    for name in built:
        stem = Path(name).stem
        text = [p.extract_text() for p in PdfReader(tmp_path / "pdf" / f"{stem}.pdf").pages]
        original = [p.extract_text() for p in PdfReader(tmp_path / "pdf" / f"goc-{stem}.pdf").pages]
        assert text == original, name
        assert AUTHOR not in "".join(text) and COMMENTER not in "".join(text)
