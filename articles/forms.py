"""Back-office forms. The article form knows who is editing, so the editorial
rules (who may publish, schedule or withdraw) hold on the server whatever the
browser sends."""

from django import forms
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorFormField
from taggit.forms import TagField

from newsroom.text import strip_control_characters

from . import editor
from .editing.conflicts import find_conflict, opened_relations
from .images import NewsroomImageField
from .models import Article, Author, Picture, SitePage

PUBLISH_PERMISSION = "articles.publish_article"
# Editorial decisions a writer may see but not make.
EDITOR_ONLY_FIELDS = ("published_at", "is_breaking", "is_lead", "live_writers_publish")
WRITER_STATUSES = (Article.Status.DRAFT, Article.Status.REVIEW)
FORBIDDEN_EDITORIAL_CHANGE = _(
    "وقت النشر والعاجل والقصة الرئيسية ونشر الكتّاب في التغطية المباشرة "
    "قرارات تحريرية لا تملك صلاحيتها؛ "
    "يحددها المحرر عند النشر."
)


def can_publish(user):
    return user.has_perm(PUBLISH_PERMISSION)


class ArabicTagField(TagField):
    """Tags separated by the Arabic comma "،" as well as ",".

    taggit splits on spaces when the input holds no ASCII comma, which would
    cut "الطاقة المتجددة، مياه" into three one-word tags."""

    def clean(self, value):
        if value:
            # Before taggit looks the names up: left to save(), a name with a
            # stray control character would miss its existing tag, then
            # collide with it (a unique name) when created.
            value = strip_control_characters(value).replace("،", ",")
        return super().clean(value)


class ArticleAdminForm(forms.ModelForm):
    # Set by ArticleAdmin.get_form() to the user making the request.
    user = None

    body = ProseEditorFormField(
        label=_("النص"),
        help_text=editor.HELP_TEXT,
        required=False,
        config={"extensions": editor.EXTENSIONS},
    )
    # The lead image is a library Picture (`picture`), or a new upload that
    # ArticleAdmin.save_model() adds to the library with the fields below.
    image = NewsroomImageField(
        label=_("رفع صورة جديدة"),
        required=False,
        help_text=_("تُضاف إلى مكتبة الصور وتصبح الصورة الرئيسية للمقال."),
    )
    image_alt = forms.CharField(
        label=_("وصف الصورة"),
        max_length=300,
        required=False,
        help_text=_("مطلوب مع الصورة الجديدة: ما تظهره، لمن لا يراها."),
    )
    image_credit = forms.CharField(
        label=_("مصدر الصورة"), max_length=150, required=False
    )
    # The picture's own focal point: changing it re-crops the picture in
    # every story that uses it.
    image_focal_x = forms.FloatField(
        label=_("النقطة المحورية أفقيًا"), required=False, initial=0.5
    )
    image_focal_y = forms.FloatField(
        label=_("النقطة المحورية عموديًا"), required=False, initial=0.5
    )
    # The story's version when this form was opened (Article.version); a save
    # from an older one is refused (articles/editing/conflicts.py). A POST
    # without it (simple_history's revert form, scripts) isn't checked.
    version = forms.IntegerField(
        label=_("النسخة المفتوحة"),
        widget=forms.HiddenInput,
        required=False,
        min_value=1,
    )
    # Sent once the editor has seen a conflict and chosen to save over that
    # version; a save newer than it is a new conflict.
    overwrite_version = forms.IntegerField(
        label=_("الحفظ فوق النسخة"),
        widget=forms.HiddenInput,
        required=False,
        min_value=1,
    )
    # The story's bylines, tags and related stories when this form was opened
    # (signed), which the history doesn't keep, for the conflict's diff.
    opened_relations = forms.CharField(
        label=_("الروابط حين فُتحت القصة"),
        widget=forms.HiddenInput,
        required=False,
    )
    edit_conflict = None

    class Meta:
        model = Article
        fields = [
            "kicker",
            "headline",
            "slug",
            "standfirst",
            "dateline",
            "body",
            "picture",
            "image_caption",
            "section",
            "article_type",
            "tags",
            "status",
            "published_at",
            "is_breaking",
            "is_lead",
            "is_live",
            "live_writers_publish",
            "meta_description",
        ]
        field_classes = {"tags": ArabicTagField}
        widgets = {
            "standfirst": forms.Textarea(attrs={"rows": 3}),
            "meta_description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial.setdefault("version", self.instance.version)
            if not self.is_bound:
                self.initial["opened_relations"] = opened_relations(self.instance)
        if self.instance.picture_id is not None:
            self.initial.setdefault("image_focal_x", self.instance.picture.focal_x)
            self.initial.setdefault("image_focal_y", self.instance.picture.focal_y)
        if self.user is not None and not can_publish(self.user):
            self._limit_to_writer()

    def _limit_to_writer(self):
        status = self.fields.get("status")
        if status is not None:
            status.choices = [
                (value, label)
                for value, label in Article.Status.choices
                if value in WRITER_STATUSES
            ]
            status.error_messages["invalid_choice"] = _(
                "لا تملك صلاحية النشر أو السحب؛ احفظ المقال مسودةً أو أرسله للمراجعة."
            )
            status.help_text = _("يقرّر المحرر موعد النشر بعد المراجعة.")
        for name in EDITOR_ONLY_FIELDS:
            if name in self.fields:
                self.fields[name].disabled = True

    def _forged(self, name):
        """True when the POST changes a field this user may not change.

        Disabled fields ignore submitted data; we still look at it so a forged
        request is refused loudly rather than silently half-applied."""
        field = self.fields[name]
        raw = field.widget.value_from_datadict(
            self.data, self.files, self.add_prefix(name)
        )
        try:
            value = field.clean(raw)
        except forms.ValidationError:
            return True
        initial = self.get_initial_for_field(field, name)
        if hasattr(initial, "replace") and hasattr(value, "replace"):
            # The form drops seconds' fractions; compare what it can show.
            initial = initial.replace(microsecond=0)
            value = value.replace(microsecond=0)
        return bool(value or initial) and value != initial

    def clean(self):
        cleaned = super().clean()
        if self.user is not None and not can_publish(self.user):
            for name in EDITOR_ONLY_FIELDS:
                if name in self.fields:
                    if self._forged(name):
                        self.add_error(name, FORBIDDEN_EDITORIAL_CHANGE)
                elif self._submitted(name):
                    # The admin shows these read-only to writers, so they are
                    # not form fields at all: a value can only be forged.
                    self.add_error(None, FORBIDDEN_EDITORIAL_CHANGE)
        if cleaned.get("image") and not cleaned.get("image_alt", "").strip():
            self.add_error(
                "image_alt",
                forms.ValidationError(
                    _("اكتب وصفًا للصورة الجديدة؛ لا تُضاف صورة إلى المكتبة بلا وصف."),
                    code="required",
                ),
            )
        self._refuse_stale_save()
        return cleaned

    def _refuse_stale_save(self):
        opened = self.cleaned_data.get("version")
        if opened is None or self.instance.pk is None:
            return
        self.edit_conflict = find_conflict(
            self.instance.pk,
            opened,
            overwrite_version=self.cleaned_data.get("overwrite_version"),
            opened_relations=self.cleaned_data.get("opened_relations", ""),
        )
        if self.edit_conflict:
            self.add_error(None, self.edit_conflict.message)

    def _submitted(self, name):
        keys = (name, f"{name}_0", f"{name}_1")  # split date/time widgets
        return any(self.data.get(self.add_prefix(key)) for key in keys)

    def clean_published_at(self):
        value = self.cleaned_data.get("published_at")
        current = self.instance.published_at
        if value and current and value == current.replace(microsecond=0):
            # The form shows whole seconds; keep the stored time so an
            # untouched field doesn't appear as a change in the history.
            return current
        return value

    def clean_tags(self):
        # Arabic keyboards type "،" between tags; taggit only splits on ",".
        tags = self.cleaned_data.get("tags") or []
        return [part.strip() for tag in tags for part in tag.split("،") if part.strip()]

    def clean_image_focal_x(self):
        return _unit_interval(self.cleaned_data.get("image_focal_x"))

    def clean_image_focal_y(self):
        return _unit_interval(self.cleaned_data.get("image_focal_y"))


def _unit_interval(value):
    if value is None:
        return 0.5
    if not 0 <= value <= 1:
        raise forms.ValidationError(
            _("النقطة المحورية رقم بين 0 و1 (0.5 منتصف الصورة)."), code="focal"
        )
    return value


class PictureAdminForm(forms.ModelForm):
    image = NewsroomImageField(label=_("الملف"))

    class Meta:
        model = Picture
        fields = ["image", "focal_x", "focal_y", "alt", "caption", "credit"]

    def clean_focal_x(self):
        return _unit_interval(self.cleaned_data.get("focal_x"))

    def clean_focal_y(self):
        return _unit_interval(self.cleaned_data.get("focal_y"))


class AuthorAdminForm(forms.ModelForm):
    photo = NewsroomImageField(label=_("الصورة"), required=False)

    class Meta:
        model = Author
        fields = ["name", "slug", "bio", "photo", "user", "is_columnist"]


class SitePageAdminForm(forms.ModelForm):
    """A site page in both languages, in the editor stories use, without the
    stories' blocks (articles.sanitize.sanitize_page decides on save)."""

    body = ProseEditorFormField(
        label=_("النص"), config={"extensions": editor.PAGE_EXTENSIONS}
    )
    body_en = ProseEditorFormField(
        label=_("النص بالإنجليزية"),
        required=False,
        config={"extensions": editor.PAGE_EXTENSIONS},
        help_text=_("يُكتب من اليسار إلى اليمين، كما يقرؤه قراء الواجهة الإنجليزية."),
    )

    class Meta:
        model = SitePage
        fields = ["slug", "title", "body", "title_en", "body_en"]
        widgets = {"title_en": forms.TextInput(attrs={"dir": "ltr"})}

    def clean(self):
        cleaned = super().clean()
        # Half an English version would show English readers the Arabic page
        # (SitePage.in_language): say so rather than let it pass unnoticed.
        if bool(cleaned.get("title_en")) != bool(_has_text(cleaned.get("body_en"))):
            raise forms.ValidationError(
                _("اكتب العنوان والنص بالإنجليزية معًا، أو اتركهما فارغين معًا.")
            )
        return cleaned


def _has_text(html):
    return bool(html and strip_tags(html).strip())
