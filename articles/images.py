"""Uploaded images: cheap validation on the way in, renditions made by the
background worker (articles/tasks.py).

The original goes untouched to private storage (articles/storage.py): it
keeps what the camera wrote (GPS position, serial number, owner) and is never
served. Readers get WebP renditions only: oriented, with no EXIF, XMP or
IPTC, and named by a random token rather than the uploader's file name. They
are recorded in a JSON field (`Picture.renditions`, `Author.photo_renditions`)
as {"16x9": [{"width", "height", "name"}, ...]}, so templates can build
`srcset` without touching storage. Until they exist a picture shows nowhere.
"""

import io
import secrets
import time
import warnings

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .cache import invalidate, key
from .storage import originals_storage

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
# Three crops search engines and social networks ask for.
ARTICLE_CROPS = {"16x9": (16, 9), "4x3": (4, 3), "1x1": (1, 1)}
ARTICLE_WIDTHS = (320, 640, 960, 1280)
# The width search engines and social networks ask of a shared picture.
SHARE_WIDTH = 1200
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
    if not _is_complete(upload, image_format):
        raise ValidationError(
            _("الصورة ناقصة أو تالفة؛ ارفع الملف كاملًا من جديد."),
            code="truncated",
        )


def _is_complete(upload, image_format):
    """False for a file cut short, told from its structure without decoding
    a pixel: a JPEG's scan must end in an EOI marker; a PNG's chunks must all
    be there with their checksums (Pillow's verify). A WebP cut short doesn't
    open at all."""
    upload.seek(0)
    try:
        if image_format == "JPEG":
            return _jpeg_has_end(upload.read())
        if image_format == "PNG":
            with Image.open(upload) as image:
                image.verify()
        return True
    except (OSError, ValueError, SyntaxError):
        return False
    finally:
        upload.seek(0)


def _jpeg_has_end(data):
    # Walk the segments up to the first scan (SOS); in the entropy-coded
    # data after it, 0xFF is always stuffed, so the next FF D9 is the end.
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return False
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if 0xD0 <= marker <= 0xD8 or marker == 0x01:  # markers without length
            pos += 2
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if marker == 0xDA:
            return data.find(b"\xff\xd9", pos + 2 + length) != -1
        pos += 2 + length
    return False


def _too_many_pixels():
    return ValidationError(
        _("أبعاد الصورة كبيرة جدًا (الحد %(limit)s ميغابكسل)؛ صغّرها ثم ارفعها."),
        code="too_many_pixels",
        params={"limit": round(settings.MAX_UPLOAD_IMAGE_PIXELS / 1_000_000)},
    )


class PrivateImageInput(forms.ClearableFileInput):
    """Django's file input for an original in private storage: it names the
    current file and links to the admin's staff-only view of it (Django's
    widget links to the file's URL, which a private file doesn't have)."""

    def is_initial(self, value):
        return bool(value and getattr(value, "name", None))

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if context["widget"]["is_initial"]:
            context["widget"]["value"] = _StoredOriginal(value)
        return context


class _StoredOriginal:
    def __init__(self, fieldfile):
        self.name = fieldfile.name.rsplit("/", 1)[-1]
        self.url = original_admin_url(fieldfile.instance)

    def __str__(self):
        return self.name


def original_admin_url(obj):
    """The admin's staff-only view of `obj`'s original ("" if it has none)."""
    opts = obj._meta
    try:
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_original", args=[obj.pk]
        )
    except NoReverseMatch:
        return ""


class NewsroomImageField(forms.ImageField):
    """Django's ImageField, with our format and size rules checked first, so the
    editor gets a precise Arabic message instead of a generic one."""

    widget = PrivateImageInput

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


class RenditionError(Exception):
    """The worker can't or won't make renditions of an original; `code` says
    why (the admin tells editors): "missing", "unreadable", "too_many_pixels"
    or "timeout"."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


class _Deadline:
    """IMAGE_RENDER_SECONDS from now; check() raises once it has passed."""

    def __init__(self, seconds):
        self.ends = time.monotonic() + seconds

    def check(self):
        if time.monotonic() > self.ends:
            raise RenditionError("timeout")


class _TimedReader(io.BytesIO):
    """An original's bytes that stop being readable at the deadline: Pillow
    decodes block by block, reading as it goes, so a slow decode stops too."""

    def __init__(self, data, deadline):
        super().__init__(data)
        self.deadline = deadline

    def read(self, size=-1):
        self.deadline.check()
        return super().read(size)


def open_original(name, *, widths, deadline, storage=None):
    """Decode the original `name` for renditions up to max(widths) wide.

    The pixel budget holds here too (the worker doesn't trust the file to be
    the one validated), and a JPEG decodes at 1/2, 1/4 or 1/8 scale when its
    smaller side allows: the widest rendition still gets enough pixels."""
    storage = storage or originals_storage()
    try:
        with storage.open(name, "rb") as fh:
            data = fh.read()
    except (FileNotFoundError, ValueError):
        raise RenditionError("missing") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(_TimedReader(data, deadline))
            if image.format not in ALLOWED_FORMATS:
                raise RenditionError("unreadable")
            if image.width * image.height > settings.MAX_UPLOAD_IMAGE_PIXELS:
                raise RenditionError("too_many_pixels")
            largest = max(widths)
            image.draft(None, (largest, largest))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise RenditionError("too_many_pixels") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise RenditionError("unreadable") from None
    return image


def render_renditions(
    image, *, crops, widths, focal=(0.5, 0.5), effort=4, deadline=None
):
    """Encode WebP renditions of a Pillow image: {crop: [(w, h, bytes), ...]}.

    `effort` is libwebp's method (0 fast .. 6 small files). The files carry
    no metadata: the orientation is applied to the pixels, and nothing of
    the original's EXIF, XMP or IPTC is written."""
    deadline = deadline or _Deadline(settings.IMAGE_RENDER_SECONDS)
    image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    # A cheap box reduction first, down to twice the widest rendition on the
    # smaller side: every crop is then resized from a few megapixels at most.
    factor = min(image.size) // max(widths)
    if factor >= 2:
        image = image.reduce(factor)
    image = ImageOps.exif_transpose(image)
    rendered = {}
    for crop, ratio in crops.items():
        deadline.check()
        cropped = image.crop(crop_box(image.width, image.height, ratio, *focal))
        # Never upscale: widths above the crop's own width are skipped, and a
        # small original still gets one rendition at its own size.
        sizes = [w for w in widths if w <= cropped.width] or [cropped.width]
        # Search engines want 1,200 px and more for each ratio: a crop whose
        # widths stop short of that, and of its own width, gets one at its
        # own width too (the largest it can give without upscaling).
        if max(sizes) < min(cropped.width, SHARE_WIDTH) <= max(widths):
            sizes.append(cropped.width)
        rendered[crop] = []
        for width in sizes:
            deadline.check()
            height = max(1, round(width * ratio[1] / ratio[0]))
            # reducing_gap: a cheap box reduction first, Lanczos for the rest;
            # several times faster and indistinguishable at these ratios.
            resized = cropped.resize(
                (width, height), Image.Resampling.LANCZOS, reducing_gap=3.0
            )
            buffer = io.BytesIO()
            resized.save(
                buffer, "WEBP", quality=WEBP_QUALITY, method=effort, exif=b"", xmp=b""
            )
            rendered[crop].append((width, height, buffer.getvalue()))
    return rendered


def _rendition_name(token, crop, width):
    # Random, never derived from the uploader's file name; a new token on
    # every re-cut, so caches never hold an old crop under a current name.
    return f"renditions/{token[:2]}/{token}__{crop}_{width}.webp"


def store_renditions(rendered, storage=default_storage):
    """Save rendered files under fresh random names; return the renditions
    dict."""
    token = secrets.token_hex(16)
    renditions = {}
    for crop, files in rendered.items():
        renditions[crop] = []
        for width, height, data in files:
            name = storage.save(_rendition_name(token, crop, width), ContentFile(data))
            renditions[crop].append({"width": width, "height": height, "name": name})
    return renditions


def build_renditions(original_name, *, crops, widths, focal=(0.5, 0.5)):
    """Renditions of the private original `original_name`, stored in the
    public storage. Raises RenditionError."""
    deadline = _Deadline(settings.IMAGE_RENDER_SECONDS)
    with open_original(original_name, widths=widths, deadline=deadline) as source:
        rendered = render_renditions(
            source, crops=crops, widths=widths, focal=focal, deadline=deadline
        )
    return store_renditions(rendered)


def _has_alpha(image):
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def delete_renditions(renditions, storage=default_storage):
    """Remove every file listed in a renditions dict."""
    for entries in (renditions or {}).values():
        for entry in entries:
            if entry.get("name"):
                storage.delete(entry["name"])


def _replace(rows, fields, renditions, error):
    """Record `renditions` (or `error`) on the one row of `rows`, a queryset
    that finds it only while it still shows the file and crop they were made
    from; True if it did. The files it had go once that is committed."""
    renditions_field, error_field = fields
    with transaction.atomic():
        row = rows.select_for_update().values(renditions_field).first()
        if row is None:
            delete_renditions(renditions)
            return False
        rows.update(**{renditions_field: renditions, error_field: error})
        old = row[renditions_field]
        transaction.on_commit(lambda: delete_renditions(old))
    return True


def make_renditions(picture, rendered=None):
    """Replace a library picture's renditions with fresh ones for its image
    and focal point: the worker's job (articles.tasks.render_picture).

    `rendered` (from render_renditions) skips the encoding when the caller
    already has the files, e.g. seed_demo reusing a few generated pictures.
    A picture the worker can't render keeps none and records why."""
    from .models import Picture

    name, focal = picture.image.name, (picture.focal_x, picture.focal_y)
    error, renditions = "", {}
    try:
        if not name:
            raise RenditionError("missing")
        if rendered is None:
            renditions = build_renditions(
                name, crops=ARTICLE_CROPS, widths=ARTICLE_WIDTHS, focal=focal
            )
        else:
            renditions = store_renditions(rendered)
    except RenditionError as failure:
        error = failure.code
    # Only if the picture still is what was rendered: a new file or focal
    # point saved meanwhile has its own task coming.
    rows = Picture.objects.filter(
        pk=picture.pk, image=name, focal_x=focal[0], focal_y=focal[1]
    )
    if not _replace(rows, ("renditions", "rendition_error"), renditions, error):
        return None
    picture.renditions, picture.rendition_error = renditions, error
    # update(): renditions are derived data, not an editorial revision, so
    # no signal fires: the pages of every story showing the picture are
    # dropped here.
    purge_stories_showing(picture)
    return renditions


def clear_renditions(picture):
    """Take a picture off every page at once, e.g. when its file is replaced:
    until the worker has rendered the new one, it shows nowhere."""
    from .models import Picture

    rows = Picture.objects.filter(pk=picture.pk)
    _replace(rows, ("renditions", "rendition_error"), {}, "")
    picture.renditions, picture.rendition_error = {}, ""
    purge_stories_showing(picture)


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
    """Square renditions of an author's portrait for bylines and author pages
    (the worker's job: articles.tasks.render_author_photo)."""
    from .models import Author

    name, error, renditions = author.photo.name, "", {}
    if name:
        try:
            renditions = build_renditions(name, crops=PHOTO_CROPS, widths=PHOTO_WIDTHS)
        except RenditionError as failure:
            error = failure.code
    rows = Author.objects.filter(pk=author.pk, photo=name)
    fields = ("photo_renditions", "photo_rendition_error")
    if not _replace(rows, fields, renditions, error):
        return None
    author.photo_renditions, author.photo_rendition_error = renditions, error
    invalidate({key(author)})
    return renditions


def clear_photo_renditions(author):
    """Take an author's portrait off every page at once (replaced, removed)."""
    from .models import Author

    rows = Author.objects.filter(pk=author.pk)
    _replace(rows, ("photo_renditions", "photo_rendition_error"), {}, "")
    author.photo_renditions, author.photo_rendition_error = {}, ""
    invalidate({key(author)})


# Reading renditions (templates) ------------------------------------------


def rendition_set(renditions, crop, storage=default_storage):
    """{"srcset", "src", "width", "height"} for one crop, or None.

    `src` is the widest rendition up to 960 px. None until the worker has
    made renditions: the original is never a stand-in."""
    entries = (renditions or {}).get(crop) or []
    if not entries:
        return None
    entries = sorted(entries, key=lambda e: e["width"])
    default = [e for e in entries if e["width"] <= 960][-1:] or entries[:1]
    default = default[0]
    return {
        "srcset": ", ".join(f"{storage.url(e['name'])} {e['width']}w" for e in entries),
        "src": storage.url(default["name"]),
        "width": default["width"],
        "height": default["height"],
    }


def largest_rendition(renditions, crop, storage=default_storage):
    """{"src", "width", "height"} of the widest rendition in `crop`, or None:
    what search engines and social networks want (1,200 px and more)."""
    entries = (renditions or {}).get(crop) or []
    if not entries:
        return None
    widest = max(entries, key=lambda e: e["width"])
    return {
        "src": storage.url(widest["name"]),
        "width": widest["width"],
        "height": widest["height"],
    }


def article_srcset(article, crop="16x9"):
    """Image data for an article's lead image in `crop` (see rendition_set)."""
    if article.picture_id is None:
        return None
    return picture_srcset(article.picture, crop)


def picture_srcset(picture, crop="16x9"):
    """Image data for a library picture in `crop` (see rendition_set)."""
    return rendition_set(picture.renditions, crop)


def author_photo(author):
    """Image data for an author's square portrait (see rendition_set)."""
    if not author.photo:
        return None
    return rendition_set(author.photo_renditions, "1x1")
