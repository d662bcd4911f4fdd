"""Every checked photo, whoever uploads it, is re-encoded without its metadata."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from civicgrid.cases.attachments import photos_check
from civicgrid.core.errors import ApplicationError


def _jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 40)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_a_checked_photo_keeps_its_picture_and_loses_its_exif():
    raw = _jpeg_with_exif()
    assert b"PhoneMaker" in raw
    ((content, content_type, ext),) = photos_check([SimpleUploadedFile("a.jpg", raw, "image/jpeg")])
    assert content_type == "image/jpeg"
    assert b"PhoneMaker" not in content
    with Image.open(io.BytesIO(content)) as image:
        assert image.size == (40, 30) and not image.getexif()


def test_a_file_that_only_looks_like_a_jpeg_is_refused():
    fake = SimpleUploadedFile("a.jpg", b"\xff\xd8\xff" + b"\x00" * 64, "image/jpeg")
    with pytest.raises(ApplicationError) as caught:
        photos_check([fake])
    assert caught.value.code == "bad_type"
