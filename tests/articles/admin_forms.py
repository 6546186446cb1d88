"""Helpers for driving the article admin through its HTTP views."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

ADD_URL = "/admin/articles/article/add/"
CHANGELIST_URL = "/admin/articles/article/"


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


def image_bytes(fmt="PNG", size=(320, 180), colour=(30, 120, 200), mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, fmt)
    return buffer.getvalue()


def upload(name="lead.png", fmt="PNG", size=(1200, 675), **kwargs):
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
    return SimpleUploadedFile(
        name, image_bytes(fmt, size, **kwargs), content_type.get(fmt, "image/png")
    )


def png_header_only(width, height):
    """A PNG whose header claims `width` x `height`: enough for Pillow to
    refuse it as a decompression bomb without any pixel data."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def inline_management(prefix, rows=()):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def article_data(section, *, authors=(), related=(), corrections=(), **overrides):
    """A complete add/change POST for the article admin. `corrections`: rows
    of the corrections inline (dicts of its fields), shown for editors once
    the story has been published."""
    data = {
        "kicker": "سياسة",
        "headline": "البرلمان يقر قانونًا جديدًا للحق في المعلومة",
        "slug": "",
        "standfirst": "خطوة ينتظرها الصحافيون منذ سنوات.",
        "dateline": "الرباط",
        "body": "<p>نص الخبر.</p>",
        "picture": "",
        "image_focal_x": "0.5",
        "image_focal_y": "0.5",
        "image_caption": "",
        "image_credit": "",
        "image_alt": "",
        "section": str(section.pk),
        "article_type": "news",
        "tags": "",
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "meta_description": "",
    }
    data.update(
        inline_management(
            "articleauthor_set",
            [{"author": str(a.pk), "position": str(i)} for i, a in enumerate(authors)],
        )
    )
    data.update(
        inline_management(
            "related_links",
            [
                {"to_article": str(a.pk), "position": str(i)}
                for i, a in enumerate(related)
            ],
        )
    )
    data.update(inline_management("corrections", corrections))
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def errors_of(response):
    """All error messages on an admin change form, as one string."""
    adminform = response.context["adminform"]
    messages = [str(e) for errors in adminform.form.errors.values() for e in errors]
    return " ".join(messages)
