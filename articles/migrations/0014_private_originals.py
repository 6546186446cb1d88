"""Originals are private: uploaded files move out of MEDIA_ROOT.

An original keeps its camera's metadata (GPS position, serial number, owner),
and its name was public: every rendition was named after it. Each picture's
and portrait's original is copied to the private storage under the same name,
and its renditions are made again under random names, without metadata; the
old public files go only once the migration has committed, so nothing is
lost if it fails half way. A row whose original can't be read keeps its
renditions (copied under random names); one whose file is gone keeps its
name. The renderer is frozen here, as it was when this migration was written.
"""

import io
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import migrations, models, transaction
from PIL import Image, ImageOps

import articles.storage

ARTICLE_CROPS = {"16x9": (16, 9), "4x3": (4, 3), "1x1": (1, 1)}
ARTICLE_WIDTHS = (320, 640, 960, 1280)
PHOTO_CROPS = {"1x1": (1, 1)}
PHOTO_WIDTHS = (96, 192, 384)
# model, file field, renditions field, crops, widths, has a focal point
FILES = [
    ("Picture", "image", "renditions", ARTICLE_CROPS, ARTICLE_WIDTHS, True),
    ("Author", "photo", "photo_renditions", PHOTO_CROPS, PHOTO_WIDTHS, False),
]


def _crop_box(width, height, ratio, focal_x, focal_y):
    rw, rh = ratio
    box_w, box_h = width, round(width * rh / rw)
    if box_h > height:
        box_w, box_h = round(height * rw / rh), height
    focal_x, focal_y = min(max(focal_x, 0.0), 1.0), min(max(focal_y, 0.0), 1.0)
    left = min(max(round(focal_x * width - box_w / 2), 0), width - box_w)
    top = min(max(round(focal_y * height - box_h / 2), 0), height - box_h)
    return left, top, left + box_w, top + box_h


def _render(source, crops, widths, focal, public):
    """Renditions of an open original, stored in `public` under one token."""
    with Image.open(source) as image:
        image.load()
        alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        image = image.convert("RGBA" if alpha else "RGB")
    factor = min(image.size) // max(widths)
    if factor >= 2:
        image = image.reduce(factor)
    image = ImageOps.exif_transpose(image)
    token = secrets.token_hex(16)
    renditions = {}
    for crop, ratio in crops.items():
        cropped = image.crop(_crop_box(*image.size, ratio, *focal))
        renditions[crop] = []
        for width in [w for w in widths if w <= cropped.width] or [cropped.width]:
            height = max(1, round(width * ratio[1] / ratio[0]))
            resized = cropped.resize(
                (width, height), Image.Resampling.LANCZOS, reducing_gap=3.0
            )
            buffer = io.BytesIO()
            resized.save(buffer, "WEBP", quality=80, method=4, exif=b"", xmp=b"")
            name = public.save(
                f"renditions/{token[:2]}/{token}__{crop}_{width}.webp",
                ContentFile(buffer.getvalue()),
            )
            renditions[crop].append({"width": width, "height": height, "name": name})
    return renditions


def _renamed(renditions, public):
    """The same rendition files under a random name (those still there)."""
    token = secrets.token_hex(16)
    renamed = {}
    for crop, entries in renditions.items():
        renamed[crop] = []
        for entry in entries:
            entry = dict(entry)
            if public.exists(entry["name"]):
                with public.open(entry["name"], "rb") as fh:
                    entry["name"] = public.save(
                        f"renditions/{token[:2]}/{token}__{crop}_{entry['width']}.webp",
                        ContentFile(fh.read()),
                    )
            renamed[crop].append(entry)
    return renamed


def _names(renditions):
    return [e["name"] for entries in renditions.values() for e in entries]


def make_originals_private(apps, schema_editor):
    public, private = storages["default"], storages["originals"]
    leftovers = []  # public files to delete once this is committed
    for model_name, field, renditions_field, crops, widths, has_focal in FILES:
        model = apps.get_model("articles", model_name)
        rows = model.objects.exclude(**{field: ""}).order_by("pk")
        for row in rows.iterator():
            name = getattr(row, field).name
            if public.exists(name):
                if not private.exists(name):
                    with public.open(name, "rb") as fh:
                        name = private.save(name, ContentFile(fh.read()))
                leftovers.append(getattr(row, field).name)
            old = getattr(row, renditions_field) or {}
            focal = (row.focal_x, row.focal_y) if has_focal else (0.5, 0.5)
            try:
                with private.open(name, "rb") as fh:
                    renditions = _render(fh, crops, widths, focal, public)
            except Exception:
                # Missing or unreadable: whatever it showed, it shows still.
                renditions = _renamed(old, public)
            leftovers += _names(old)
            model.objects.filter(pk=row.pk).update(
                **{field: name, renditions_field: renditions}
            )
    transaction.on_commit(lambda: [public.delete(name) for name in leftovers])


def make_originals_public(apps, schema_editor):
    """Back under MEDIA_ROOT, where the earlier code looks for them; the
    renditions stay as they are (any name serves)."""
    public, private = storages["default"], storages["originals"]
    leftovers = []
    for model_name, field, *_ in FILES:
        model = apps.get_model("articles", model_name)
        for row in model.objects.exclude(**{field: ""}).order_by("pk").iterator():
            name = getattr(row, field).name
            if not private.exists(name):
                continue
            if not public.exists(name):
                with private.open(name, "rb") as fh:
                    saved = public.save(name, ContentFile(fh.read()))
                model.objects.filter(pk=row.pk).update(**{field: saved})
            leftovers.append(name)
    transaction.on_commit(lambda: [private.delete(name) for name in leftovers])


class Migration(migrations.Migration):
    dependencies = [("articles", "0013_tag_story_index")]

    operations = [
        migrations.AddField(
            model_name="author",
            name="photo_rendition_error",
            field=models.CharField(blank=True, editable=False, max_length=30),
        ),
        migrations.AddField(
            model_name="picture",
            name="rendition_error",
            field=models.CharField(blank=True, editable=False, max_length=30),
        ),
        migrations.AlterField(
            model_name="author",
            name="photo",
            field=models.ImageField(
                blank=True,
                storage=articles.storage.originals_storage,
                upload_to="authors/",
                verbose_name="الصورة",
            ),
        ),
        migrations.AlterField(
            model_name="picture",
            name="image",
            field=models.ImageField(
                height_field="height",
                storage=articles.storage.originals_storage,
                upload_to="articles/%Y/%m/",
                verbose_name="الملف",
                width_field="width",
            ),
        ),
        migrations.RunPython(make_originals_private, make_originals_public),
    ]
