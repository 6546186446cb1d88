"""Uploaded images: validation on the way in, WebP renditions made once on save.

Renditions are recorded in a JSON field (`Picture.renditions`,
`Author.photo_renditions`) as {"16x9": [{"width", "height", "name"}, ...]}, so
templates can build `srcset` without touching storage.
"""

import io
import warnings
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .cache import invalidate, key

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
# Three crops search engines and social networks ask for.
ARTICLE_CROPS = {"16x9": (16, 9), "4x3": (4, 3), "1x1": (1, 1)}
ARTICLE_WIDTHS = (320, 640, 960, 1280)
PHOTO_CROPS = {"1x1": (1, 1)}
PHOTO_WIDTHS = (96, 192, 384)
WEBP_QUALITY = 80


def validate_image_upload(upload):
    """Refuse anything that is not a JPEG, PNG or WebP of a sane size.

    Pillow reads only the header here: the pixel count is checked before any
    pixel is decoded, so a decompression bomb costs nothing."""
    max_bytes = settings.MAX_UPLOAD_IMAGE_BYTES
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            _("حجم الصورة أكبر من المسموح (%(limit)s ميغابايت)."),
            code="too_large",
            params={"limit": round(max_bytes / (1024 * 1024), 1)},
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                image_format, (width, height) = image.format, image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ValidationError(
            _("تعذّر فتح الملف صورةً. ارفع صورة بصيغة JPEG أو PNG أو WebP."),
            code="invalid_image",
        ) from None
    finally:
        upload.seek(0)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            _("صيغة الصورة %(format)s غير مقبولة؛ الصيغ المقبولة: JPEG وPNG وWebP."),
            code="unsupported_format",
            params={"format": image_format or "?"},
        )
    if width * height > settings.MAX_UPLOAD_IMAGE_PIXELS:
        raise _too_many_pixels()


def _too_many_pixels():
    return ValidationError(
        _("أبعاد الصورة كبيرة جدًا (الحد %(limit)s ميغابكسل)؛ صغّرها ثم ارفعها."),
        code="too_many_pixels",
        params={"limit": round(settings.MAX_UPLOAD_IMAGE_PIXELS / 1_000_000)},
    )


class NewsroomImageField(forms.ImageField):
    """Django's ImageField, with our format and size rules checked first, so the
    editor gets a precise Arabic message instead of a generic one."""

    def to_python(self, data):
        if data not in self.empty_values:
            validate_image_upload(data)
        return super().to_python(data)


# Renditions ---------------------------------------------------------------


def crop_box(width, height, ratio, focal_x=0.5, focal_y=0.5):
    """The largest box of `ratio` inside the image, centred on the focal point
    as far as the edges allow."""
    rw, rh = ratio
    box_w, box_h = width, round(width * rh / rw)
    if box_h > height:
        box_w, box_h = round(height * rw / rh), height
    focal_x = min(max(focal_x, 0.0), 1.0)
    focal_y = min(max(focal_y, 0.0), 1.0)
    left = min(max(round(focal_x * width - box_w / 2), 0), width - box_w)
    top = min(max(round(focal_y * height - box_h / 2), 0), height - box_h)
    return left, top, left + box_w, top + box_h


def _rendition_name(original_name, crop, width):
    path = PurePosixPath(original_name)
    return str(path.with_name(f"{path.stem}__{crop}_{width}.webp"))


def render_renditions(image, *, crops, widths, focal=(0.5, 0.5), effort=4):
    """Encode WebP renditions of a Pillow image: {crop: [(w, h, bytes), ...]}.

    `effort` is libwebp's method (0 fast .. 6 small files)."""
    image = ImageOps.exif_transpose(image)
    image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    rendered = {}
    for crop, ratio in crops.items():
        cropped = image.crop(crop_box(image.width, image.height, ratio, *focal))
        # Never upscale: widths above the crop's own width are skipped, and a
        # small original still gets one rendition at its own size.
        sizes = [w for w in widths if w <= cropped.width] or [cropped.width]
        rendered[crop] = []
        for width in sizes:
            height = max(1, round(width * ratio[1] / ratio[0]))
            # reducing_gap: a cheap box reduction first, Lanczos for the rest;
            # several times faster and indistinguishable at these ratios.
            resized = cropped.resize(
                (width, height), Image.Resampling.LANCZOS, reducing_gap=3.0
            )
            buffer = io.BytesIO()
            resized.save(buffer, "WEBP", quality=WEBP_QUALITY, method=effort)
            rendered[crop].append((width, height, buffer.getvalue()))
    return rendered


def store_renditions(original_name, rendered, storage=default_storage):
    """Save rendered files beside the original; return the renditions dict."""
    renditions = {}
    for crop, files in rendered.items():
        renditions[crop] = []
        for width, height, data in files:
            name = _rendition_name(original_name, crop, width)
            if storage.exists(name):
                storage.delete(name)
            name = storage.save(name, ContentFile(data))
            renditions[crop].append({"width": width, "height": height, "name": name})
    return renditions


def build_renditions(
    original_name, *, crops, widths, focal=(0.5, 0.5), storage=default_storage
):
    """Write WebP renditions of the stored image `original_name` beside it."""
    with storage.open(original_name, "rb") as fh, Image.open(fh) as source:
        source.load()
        rendered = render_renditions(source, crops=crops, widths=widths, focal=focal)
    return store_renditions(original_name, rendered, storage)


def _has_alpha(image):
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def delete_renditions(renditions, storage=default_storage):
    """Remove every file listed in a renditions dict."""
    for entries in (renditions or {}).values():
        for entry in entries:
            if entry.get("name"):
                storage.delete(entry["name"])


def make_renditions(picture, rendered=None):
    """Replace a library picture's renditions with fresh ones for its image
    and focal point.

    `rendered` (from render_renditions) skips the encoding when the caller
    already has the files, e.g. seed_demo reusing a few generated pictures."""
    from .models import Picture

    delete_renditions(picture.renditions)
    renditions = {}
    if picture.image and rendered is not None:
        renditions = store_renditions(picture.image.name, rendered)
    elif picture.image:
        renditions = build_renditions(
            picture.image.name,
            crops=ARTICLE_CROPS,
            widths=ARTICLE_WIDTHS,
            focal=(picture.focal_x, picture.focal_y),
        )
    picture.renditions = renditions
    Picture.objects.filter(pk=picture.pk).update(renditions=renditions)
    # update(): renditions are derived data, not an editorial revision, so
    # no signal fires: the pages of every story showing the picture are
    # dropped here.
    purge_stories_showing(picture)
    return renditions


def purge_stories_showing(picture):
    """Drop the pages of every story showing `picture`: as its lead image or
    in its body (a marker of articles/sanitize.py naming its id)."""
    from .models import Article

    in_body = rf'data-picture="([0-9]+,)*{int(picture.pk)}(,[0-9]+)*"'
    stories = Article.objects.filter(
        Q(picture=picture) | Q(body__contains="data-picture=", body__regex=in_body)
    )
    invalidate({key(article) for article in stories.only("pk")})
    stories.update(updated_at=timezone.now())


def make_photo_renditions(author):
    """Square renditions of an author's portrait for bylines and author pages."""
    from .models import Author

    delete_renditions(author.photo_renditions)
    renditions = {}
    if author.photo:
        renditions = build_renditions(
            author.photo.name, crops=PHOTO_CROPS, widths=PHOTO_WIDTHS
        )
    author.photo_renditions = renditions
    Author.objects.filter(pk=author.pk).update(photo_renditions=renditions)
    invalidate({key(author)})
    return renditions


# Reading renditions (templates) ------------------------------------------


def rendition_set(renditions, crop, fallback=None, storage=default_storage):
    """{"srcset", "src", "width", "height"} for one crop, or None.

    `src` is the widest rendition up to 960 px; `fallback` is (url, width,
    height) of the original, used when no renditions exist yet (e.g. an image
    saved outside the admin)."""
    entries = (renditions or {}).get(crop) or []
    if entries:
        entries = sorted(entries, key=lambda e: e["width"])
        default = [e for e in entries if e["width"] <= 960][-1:] or entries[:1]
        default = default[0]
        return {
            "srcset": ", ".join(
                f"{storage.url(e['name'])} {e['width']}w" for e in entries
            ),
            "src": storage.url(default["name"]),
            "width": default["width"],
            "height": default["height"],
        }
    if fallback:
        url, width, height = fallback
        return {"srcset": "", "src": url, "width": width, "height": height}
    return None


def article_srcset(article, crop="16x9"):
    """Image data for an article's lead image in `crop` (see rendition_set)."""
    if article.picture_id is None:
        return None
    return picture_srcset(article.picture, crop)


def picture_srcset(picture, crop="16x9"):
    """Image data for a library picture in `crop` (see rendition_set)."""
    fallback = (picture.image.url, picture.width, picture.height)
    return rendition_set(picture.renditions, crop, fallback=fallback)


def author_photo(author):
    """Image data for an author's square portrait (see rendition_set)."""
    if not author.photo:
        return None
    return rendition_set(
        author.photo_renditions, "1x1", fallback=(author.photo.url, None, None)
    )
