"""System checks of production settings, run by `manage.py check --deploy`.

Registered in articles.apps (the project package is not an app).
"""

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext as _

# Caches that live inside one process: every worker would have its own.
PER_PROCESS_CACHES = {"django.core.cache.backends.locmem.LocMemCache"}


def shared_cache(app_configs, **kwargs):
    """Production keeps its cache where every worker sees it (CACHE_URL).

    A warning, as Django's own deploy checks are: a site served by a single
    process is right with the local-memory cache.
    """
    backend = settings.CACHES.get("default", {}).get("BACKEND")
    if settings.DEBUG or backend not in PER_PROCESS_CACHES:
        return []
    return [
        checks.Warning(
            _(
                "الذاكرة المؤقتة الافتراضية (%(backend)s) داخل كل عملية، "
                "لا يتشاركها عمّال الموقع."
            )
            % {"backend": backend},
            hint=_(
                "اضبط CACHE_URL على ذاكرة مؤقتة مشتركة، مثل "
                "redis://127.0.0.1:6379/0. بالذاكرة المحلية يحفظ كل عامل لنفسه "
                "حدود المحاولات ورقم نسخة المحتوى والصفحات المخزنة والجلسات: "
                "تتضاعف حدود المحاولات بعدد العمّال، ولا يبلغ إسقاطُ الصفحات "
                "عند النشر أو السحب العمّالَ الآخرين فيعرضون النسخ القديمة، "
                "وتبقى الجلسة التي أُنهيت عند عامل مفتوحة عند غيره."
            ),
            id="newsroom.W001",
        )
    ]


def evicting_cache(app_configs, **kwargs):
    """Redis as a cache evicts what is least used when it is full. With
    Redis's default `noeviction`, a full Redis refuses every write: pages go
    unstored and invalidations are lost (the cache empties itself then,
    newsroom/redis_cache.py), each time. Checked on the live server; a
    Redis that does not let us read its configuration is not second-guessed."""
    from django.core.cache import cache

    if settings.DEBUG or not hasattr(cache, "server_config"):
        return []
    config = cache.server_config("maxmemory-policy", "maxmemory")
    if not config:
        return []
    policy, limit = config["maxmemory-policy"], int(config["maxmemory"] or 0)
    if policy and policy.startswith("allkeys-") and limit:
        return []
    return [
        checks.Warning(
            _(
                "خادم Redis للذاكرة المؤقتة بلا حدّ للذاكرة أو لا يُسقط المفاتيح حين "
                "يمتلئ (maxmemory=%(limit)s، maxmemory-policy=%(policy)s)."
            )
            % {"limit": limit, "policy": policy},
            hint=_(
                "اضبط في إعداد Redis حدًّا للذاكرة و«maxmemory-policy allkeys-lru»، "
                "مثل: maxmemory 2gb. وإلا رفض Redis الممتلئ كل كتابة فلا تُخزَّن "
                "الصفحات وتُفقد أوامر إسقاطها."
            ),
            id="newsroom.W002",
        )
    ]
