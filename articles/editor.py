"""The article body's editor: what it offers, in the desk's language.

django-prose-editor provides the editor; static/js/admin-body-blocks.js adds
our story-body blocks to it (a library picture or gallery, a post from
another site) and puts its toolbar in Arabic. Labels travel in the editor's
configuration, so they come from our catalogues like every other string. What
the editor sends is only a suggestion: articles/sanitize.py rebuilds every
block on save."""

from django.conf import settings
from django.http import JsonResponse
from django.urls import reverse, reverse_lazy
from django.utils.csp import CSP
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csp import csp_override

from .embeds import PROVIDERS
from .images import picture_srcset
from .models import Picture
from .sanitize import picture_ids

# The editor's own button titles and menu entries (English in
# django-prose-editor 0.28, not passed through gettext) and ours.
TOOLBAR_LABELS = {
    "bold": _("غامق"),
    "italic": _("مائل"),
    "unordered list": _("قائمة نقطية"),
    "ordered list": _("قائمة مرقّمة"),
    "List properties": _("خصائص القائمة"),
    "blockquote": _("اقتباس"),
    "insert link": _("إدراج رابط"),
    "remove link": _("إزالة الرابط"),
    "undo": _("تراجع"),
    "redo": _("إعادة"),
    "paragraph": _("فقرة"),
    "Paragraph": _("فقرة"),
    "Heading 2": _("عنوان فرعي"),
    "Heading 3": _("عنوان فرعي ثانوي"),
    "Block style": _("نمط الفقرة"),
    "Reset all classes": _("إزالة كل الأنماط"),
    "default": _("عادي"),
}

EXTENSIONS = {
    "Paragraph": True,
    "HardBreak": True,
    "Heading": {"levels": [2, 3]},
    "Bold": True,
    "Italic": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    # The menu's "style" list: a pull quote, and a "read also" box for a
    # paragraph linking to one of our stories (articles/blocks.py).
    "NodeClass": {
        "cssClasses": {
            "blockquote": [{"className": "pull-quote", "title": _("اقتباس بارز")}],
            "paragraph": [{"className": "related", "title": _("اقرأ أيضاً")}],
        }
    },
    "History": True,
    "NewsPicture": {
        "lookupUrl": reverse_lazy("admin:articles_picture_blocks"),
        "libraryUrl": reverse_lazy("admin:articles_picture_changelist"),
        "labels": {
            "insert": _("صورة أو معرض من المكتبة"),
            "dialog": _("صور من المكتبة"),
            "ids": _("أرقام الصور"),
            "idsHelp": _(
                "رقم صورة واحدة، أو عدة أرقام مفصولة بفواصل لمعرض يتصفحه القارئ بالسحب."
            ),
            "browse": _("اختر من المكتبة"),
            "submit": _("أدرج"),
            "change": _("غيّر الصور"),
            "picture": _("صورة من المكتبة"),
            "gallery": _("معرض صور (%(count)s)"),
            "missing": _("الصورة %(id)s ليست في المكتبة؛ لن يظهر مكانها شيء."),
            "noCaption": _("بلا تعليق"),
        },
    },
    "NewsEmbed": {
        "providers": {name: p.label for name, p in PROVIDERS.items()},
        "labels": {
            "insert": _("تضمين منشور"),
            "dialog": _("تضمين منشور من موقع آخر"),
            "url": _("رابط المنشور"),
            "urlHelp": _(
                "رابط فيديو يوتيوب أو منشور على إكس أو إنستغرام أو تيك توك أو فيسبوك."
            ),
            "submit": _("أدرج"),
            "change": _("غيّر الرابط"),
            "post": _("منشور من %(provider)s"),
            "unchecked": _("منشور من موقع آخر (يُتحقَّق منه عند الحفظ)"),
            "clickToLoad": _("لا يُحمَّل إلا بنقرة القارئ."),
        },
    },
    "ToolbarLabels": {"labels": TOOLBAR_LABELS},
}

# Site pages (articles.SitePage): text, headings, lists and links, nothing
# that only stories use (pictures, posts, "read also" boxes, styles).
PAGE_EXTENSIONS = {
    name: EXTENSIONS[name]
    for name in (
        "Paragraph",
        "HardBreak",
        "Heading",
        "Bold",
        "Italic",
        "Link",
        "BulletList",
        "OrderedList",
        "ListItem",
        "Blockquote",
        "History",
        "ToolbarLabels",
    )
}

HELP_TEXT = _(
    "أدرج الصور والمعارض والمنشورات من أزرار شريط الأدوات، ويمكنك أيضاً لصق "
    "رابط منشور وحده في فقرة مستقلة. ولإضافة «اقرأ أيضاً» ضع رابط مقال من موقعنا "
    "في فقرة واختر لها هذا النمط من القائمة؛ ويُخفى الصندوق إن سُحب المقال."
)


def pictures_for_blocks(request):
    """The library pictures a body's picture blocks show, for the editor's
    preview: ?ids=12,13 (at most a gallery's worth)."""
    raw = request.GET.get("ids", "")
    ids = picture_ids(raw)
    if not ids:
        return JsonResponse(
            {"error": _("أرسل أرقام صور المكتبة مفصولة بفواصل، مثل ids=12,13.")},
            status=400,
        )
    found = Picture.objects.in_bulk(ids)
    return JsonResponse(
        {"pictures": [_picture_json(found[pk]) for pk in ids if pk in found]}
    )


def _picture_json(picture):
    # Renditions only, as on the page: none while the worker makes them.
    image = picture_srcset(picture, "4x3")
    return {
        "id": picture.pk,
        "alt": picture.alt,
        "caption": picture.caption,
        "credit": picture.credit,
        "src": image["src"] if image else "",
        "srcset": image["srcset"] if image else "",
        "url": reverse("admin:articles_picture_change", args=[picture.pk]),
    }


# The rich-text editor (django-prose-editor) loads its ES modules through an
# inline <script type="importmap">, and its editor core (Tiptap) injects one
# fixed <style> element with ProseMirror's base rules. Our site-wide policy
# allows only same-origin scripts and styles, so the pages that show the
# editor (add, change and revert an article) also allow scripts carrying this
# request's nonce (Django's admin templates put it on everything they render)
# and that one stylesheet by its hash. Nothing else is relaxed, and only on
# those views. tests/articles/test_admin_editor.py recomputes the hash from the
# installed editor, so an upgrade that changes it fails loudly.
EDITOR_STYLE_HASH = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"
EDITOR_CSP = {
    **settings.SECURE_CSP,
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, EDITOR_STYLE_HASH],
}
with_editor_csp = method_decorator(csp_override(EDITOR_CSP))


class EditorPagesAdminMixin:
    """The body editor's pages (add, change, a revision's form) under its
    content security policy."""

    @with_editor_csp
    def add_view(self, request, form_url="", extra_context=None):
        return super().add_view(request, form_url, extra_context)

    @with_editor_csp
    def change_view(self, request, object_id, form_url="", extra_context=None):
        return super().change_view(request, object_id, form_url, extra_context)

    @with_editor_csp
    def history_form_view(self, request, object_id, version_id, extra_context=None):
        return super().history_form_view(request, object_id, version_id, extra_context)
