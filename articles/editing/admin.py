"""Concurrent editing in the article admin: the lock's JSON endpoints, the
lock banner on the change form and the marker in the change list.

The version check itself is in ArticleAdminForm (articles/forms.py), so it
holds for every view that saves through the form.
"""

from django.contrib import admin
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import clock, locks
from .conflicts import quote_names, saves_since
from .forms import EditLockForm

LOCK_ACTIONS = ("heartbeat", "take", "release")


def json_error(message, status, **extra):
    return JsonResponse({"error": message, **extra}, status=status)


class ConcurrentEditingAdminMixin:
    """For ArticleAdmin: soft locks on change forms (see articles/editing)."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        lock_urls = [
            path(
                f"<int:object_id>/editing/{action}/",
                self.admin_site.admin_view(self.edit_lock_view),
                {"action": action},
                name="{}_{}_lock_{}".format(*info, action),
            )
            for action in LOCK_ACTIONS
        ]
        return [*lock_urls, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        context = getattr(response, "context_data", None) or {}
        article = context.get("original")
        if article is not None and "adminform" in context:
            # Shown or renewed each time the form is shown, after a refused
            # save too. Added before the lazy TemplateResponse renders.
            context["edit_lock"] = self.edit_lock_context(
                request, article, can_change=context.get("has_change_permission")
            )
        return response

    def response_change(self, request, obj):
        if "_continue" not in request.POST:
            # Saved and left the form: the story is free now, not at expiry.
            locks.release(article_id=obj.pk, user=request.user)
        return super().response_change(request, obj)

    def edit_lock_context(self, request, article, *, can_change):
        page = locks.new_page_id()
        if can_change:
            state = locks.claim(article_id=article.pk, user=request.user, page=page)
        else:
            state = locks.peek(article_id=article.pk, user=request.user)
        info = self.opts.app_label, self.opts.model_name
        return {
            "state": state,
            "page": page,
            "can_change": can_change,
            "urls": {
                action: reverse(
                    "admin:{}_{}_lock_{}".format(*info, action),
                    args=[article.pk],
                    current_app=self.admin_site.name,
                )
                for action in LOCK_ACTIONS
            },
            "heartbeat_seconds": locks.HEARTBEAT_SECONDS,
            "idle_seconds": locks.IDLE_SECONDS,
        }

    def edit_lock_view(self, request, object_id, action):
        """Heartbeat, take over or release a story's lock. POST only; answers
        JSON, errors included, so the page's script can always read it."""
        if request.method != "POST":
            response = json_error(_("هذا العنوان يقبل طلبات POST وحدها."), 405)
            response["Allow"] = "POST"
            return response
        article = self.model._base_manager.filter(pk=object_id).first()
        if article is None:
            return json_error(_("لا توجد قصة بهذا الرقم؛ ربما حُذفت."), 404)
        if not self.has_change_permission(request, article):
            return json_error(_("لا تملك صلاحية تعديل هذه القصة."), 403)
        form = EditLockForm(request.POST)
        if not form.is_valid():
            fields = {name: list(errors) for name, errors in form.errors.items()}
            problems = [problem for errors in fields.values() for problem in errors]
            return json_error(" ".join(problems), 400, fields=fields)
        page = form.cleaned_data["page"]
        if action == "release":
            released = locks.release(
                article_id=article.pk, user=request.user, page=page
            )
            return JsonResponse({"released": released})
        if action == "take":
            state = locks.take_over(article_id=article.pk, user=request.user, page=page)
        else:
            state = locks.claim(article_id=article.pk, user=request.user, page=page)
        data = state.as_json()
        opened = form.cleaned_data["version"]
        data["stale"] = opened is not None and opened != article.version
        data["saved_message"] = ""
        if data["stale"]:
            names, saved_at = saves_since(article, opened)
            data["saved_message"] = _(
                "عدّل %(names)s هذه القصة في %(time)s بعد أن فتحتَها؛ إن حفظتَ "
                "فسترى ما تغيّر قبل أن يُحفظ شيء."
            ) % {"names": quote_names(names), "time": clock(saved_at)}
        return JsonResponse(data)

    @admin.display(description=gettext_lazy("يُحرَّر الآن"))
    def editing_now(self, obj):
        # list_select_related brings the lock and its holder with each row.
        lock = getattr(obj, "edit_lock", None)
        if lock is None or not lock.is_active():
            return ""
        state = locks.LockState(
            mine=False, holder=str(lock.user), started_at=lock.started_at
        )
        return format_html(
            '<span class="nr-editing" title="{}">✎ {}</span>', state.message, lock.user
        )
