"""The live desk: posting to a live page in a few seconds, in the admin.

One page per live story (`LiveUpdateAdmin.desk_view`): a short form at the
top, the updates below, newest first, with what each person may do to them,
and the button that ends (or resumes) the coverage. Editing and deleting an
update use the admin's own change and delete pages.

The rules are the stories': editors (`articles.publish_article`) publish,
edit and delete any update; writers post, and their updates wait for an
editor unless the editor let writers publish on that page
(`Article.live_writers_publish`); a writer edits or deletes their own
updates while they wait. No permissions of its own to hand out: whoever
may write stories may post.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, strip_tags
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorFormField
from simple_history.admin import SimpleHistoryAdmin

from .. import editor
from ..forms import can_publish
from ..live import end_coverage, resume_coverage, update_headline
from ..models import Article, Author, LiveUpdate
from ..sanitize import sanitize_body

WRITE_PERMISSION = "articles.add_article"


def may_post(user, article):
    return user.has_perm(WRITE_PERMISSION) and article.is_live


def publishes_directly(user, article):
    return can_publish(user) or article.live_writers_publish


class LiveUpdateForm(forms.ModelForm):
    body = ProseEditorFormField(
        label=_("النص"),
        help_text=editor.HELP_TEXT,
        config={"extensions": editor.EXTENSIONS},
        # Checked in clean_body: the editor hides its textarea, where a
        # browser's own "required" check would stop the form unexplained.
        required=False,
    )

    class Meta:
        model = LiveUpdate
        fields = ["title", "body", "is_key_point"]

    def clean_body(self):
        body = sanitize_body(self.cleaned_data["body"])
        # An empty editor still sends an empty paragraph.
        if not strip_tags(body).strip() and "<figure" not in body:
            raise forms.ValidationError(_("اكتب نص التحديث أو أدرج صورة أو منشورًا."))
        return body


class LiveUpdateAdmin(editor.EditorPagesAdminMixin, SimpleHistoryAdmin):
    form = LiveUpdateForm
    list_display = ["__str__", "article", "status", "is_key_point", "published_at"]
    list_filter = ["status", "is_key_point"]
    list_select_related = ["article"]
    search_fields = ["title", "body", "article__headline"]
    readonly_fields = ["article_link", "status", "published_at", "author"]
    fields = ["article_link", "title", "body", "is_key_point", "status", "author"]

    # Permissions: those of the story (module docstring) --------------------

    def has_module_permission(self, request):
        return request.user.has_perm("articles.view_article")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("articles.view_article")

    def has_add_permission(self, request):
        return False  # from the desk, which knows the story

    def has_change_permission(self, request, obj=None):
        if not request.user.has_perm(WRITE_PERMISSION):
            return False
        if obj is None or can_publish(request.user):
            return True
        return (
            obj.created_by_id == request.user.pk
            and obj.status == LiveUpdate.Status.PENDING
        )

    has_delete_permission = has_change_permission

    @admin.display(description=_("التغطية"))
    def article_link(self, update):
        return format_html(
            '<a href="{}">{}</a>', desk_url(update.article_id), update.article
        )

    def response_change(self, request, obj):
        if "_continue" in request.POST:
            return super().response_change(request, obj)
        self.message_user(request, _("حُفظ التحديث."), messages.SUCCESS)
        return HttpResponseRedirect(desk_url(obj.article_id))

    def response_delete(self, request, obj_display, obj_id):
        article_id = getattr(request, "_live_article_id", None)
        if article_id is None:
            return super().response_delete(request, obj_display, obj_id)
        self.message_user(request, _("حُذف التحديث."), messages.SUCCESS)
        return HttpResponseRedirect(desk_url(article_id))

    def delete_model(self, request, obj):
        request._live_article_id = obj.article_id  # back to its desk afterwards
        super().delete_model(request, obj)

    # The desk ---------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "desk/<int:article_id>/",
                self.admin_site.admin_view(self.desk_view),
                name="articles_liveupdate_desk",
            ),
            *super().get_urls(),
        ]

    @editor.with_editor_csp
    def desk_view(self, request, article_id):
        article = get_object_or_404(
            Article.objects.select_related("section"), pk=article_id
        )
        if not request.user.has_perm("articles.view_article"):
            raise PermissionDenied
        form = None
        if request.method == "POST":
            action = request.POST.get("action", "post")
            if action == "post":
                form = LiveUpdateForm(request.POST)
                if self._post(request, article, form):
                    return HttpResponseRedirect(request.path)
            elif action in DESK_ACTIONS:
                DESK_ACTIONS[action](self, request, article)
                return HttpResponseRedirect(request.path)
            else:
                messages.error(request, _("إجراء غير معروف."))
                return HttpResponseRedirect(request.path)
        if form is None:
            form = LiveUpdateForm()
        updates = list(
            article.live_updates.select_related("author", "created_by").order_by(
                "status", "-published_at", "-created_at"
            )
        )
        for update in updates:
            update.may_change = self.has_change_permission(request, update)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("غرفة التغطية المباشرة: %(headline)s")
            % {"headline": article.headline},
            "article": article,
            "form": form,
            "media": self.media + form.media,
            "updates": updates,
            "may_post": may_post(request.user, article),
            "publishes_directly": publishes_directly(request.user, article),
            "is_editor": can_publish(request.user),
            "pending": sum(u.status == LiveUpdate.Status.PENDING for u in updates),
        }
        return TemplateResponse(request, "admin/articles/liveupdate/desk.html", context)

    def _post(self, request, article, form):
        if not may_post(request.user, article):
            raise PermissionDenied
        if article.live_ended_at is not None:
            messages.error(request, _("انتهت التغطية؛ استأنفها أولًا لتضيف تحديثًا."))
            return False
        if not form.is_valid():
            return False
        update = form.save(commit=False)
        update.article = article
        update.created_by = request.user
        update.author = Author.objects.filter(user=request.user).first()
        if publishes_directly(request.user, article):
            update.status = LiveUpdate.Status.PUBLISHED
            update.published_at = timezone.now()
            messages.success(request, _("نُشر التحديث."))
        else:
            update.status = LiveUpdate.Status.PENDING
            messages.success(request, _("أُرسل التحديث إلى المحرر للمراجعة."))
        update._change_reason = _("إنشاء")
        update.save()
        return True

    def _publish(self, request, article):
        if not can_publish(request.user):
            raise PermissionDenied
        update = article.live_updates.filter(
            pk=_int(request.POST.get("update")), status=LiveUpdate.Status.PENDING
        ).first()
        if update is None:
            messages.warning(request, _("هذا التحديث نُشر أو حُذف من قبل."))
            return
        update.status = LiveUpdate.Status.PUBLISHED
        update.published_at = timezone.now()
        update._change_reason = _("نشر")
        update.save()
        messages.success(
            request, _("نُشر التحديث «%(title)s».") % {"title": update_headline(update)}
        )

    def _end(self, request, article):
        if not can_publish(request.user):
            raise PermissionDenied
        if article.live_ended_at is None:
            end_coverage(article)
        messages.success(
            request,
            _("انتهت التغطية المباشرة؛ توقفت الصفحات المفتوحة عن طلب التحديثات."),
        )

    def _resume(self, request, article):
        if not can_publish(request.user):
            raise PermissionDenied
        if article.live_ended_at is not None:
            resume_coverage(article)
        messages.success(request, _("استؤنفت التغطية المباشرة."))


DESK_ACTIONS = {
    "publish": LiveUpdateAdmin._publish,
    "end": LiveUpdateAdmin._end,
    "resume": LiveUpdateAdmin._resume,
}


def desk_url(article_id):
    return reverse("admin:articles_liveupdate_desk", args=[article_id])


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
