"""Small but real recordings, tagged the way phones tag them (a title naming the place)."""

from __future__ import annotations

import io
import struct
import wave

from mutagen.id3 import ID3, TIT2, TPE1
from mutagen.mp4 import MP4
from mutagen.ogg import OggPage

#: The place a phone names a voice memo after, and the recorder's owner.
PLACE = "Duong Le Loi so 12"
OWNER = "NguyenVanBaoCao"


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
