"""Interface strings of third-party apps that ship no Arabic translation.

Django 6.1's admin, Django's model-field and task-status labels, django-simple-history
and django-tasks-db show these msgids to our Arabic-speaking editors, but their own
``ar`` catalogues lack them (absent or with an empty msgstr), so the admin mixed English
into an Arabic page ("Filter by", "Run", "- Select an option -", the history table's
"Changes" column, ...). A few simple_history entries are here because its Arabic is
wrong, not missing (marked below).

Our catalogue in ``LOCALE_PATHS`` (locale/ar/LC_MESSAGES/django.po) takes precedence over
every app's catalogue, so translating the msgids there fixes the admin. Listing them here
is what keeps them in that catalogue: ``makemessages --no-obsolete`` drops every msgid it
cannot find in our own source. Nothing imports this module.

Each msgid must match the third party's source exactly (punctuation, curly quotes,
placeholders); check the app's ``locale/en`` catalogue when upgrading it. Delete an entry
once the app ships the Arabic translation itself.

The admin's JavaScript strings (date shortcuts, time-zone note) live in the ``djangojs``
domain and are listed in ``third_party_strings.js`` next to this file, for the same reason.
"""

from django.utils.translation import gettext_noop, ngettext_lazy, pgettext_lazy

DJANGO_ADMIN = (
    gettext_noop('The app "%s" could not be found.'),
    # Joins the names in the deletion summary: "…, …, …and 3 more objects."
    gettext_noop(", "),
    ngettext_lazy(
        "…and %(count)d more object.", "…and %(count)d more objects.", "count"
    ),
    gettext_noop("Run"),
    gettext_noop("Filter by %(field_name)s"),
    gettext_noop(
        "Deleting the %(object_name)s “%(escaped_object)s” would result in deleting "
        "related objects, but your account doesn't have permission to delete the "
        "following types of objects:"
    ),
    gettext_noop(
        "Deleting the %(object_name)s “%(escaped_object)s” would require deleting the "
        "following protected related objects:"
    ),
    gettext_noop(
        "Are you sure you want to delete the %(object_name)s “%(escaped_object)s”? All "
        "of the following related items will be deleted:"
    ),
    gettext_noop("Pagination %(name)s entries"),
    gettext_noop("Pagination %(name)s"),
    gettext_noop("Search %(name)s"),
    gettext_noop("Logout"),
)

DJANGO_CORE = (
    # The empty choice of every select box and admin list filter.
    gettext_noop("- Select an option -"),
    gettext_noop("“%(value)s” is not a valid binary value."),
    gettext_noop("No %s matches the given query."),
    # django.tasks result statuses, shown in the task results admin.
    pgettext_lazy("Task", "Ready"),
    pgettext_lazy("Task", "Running"),
    pgettext_lazy("Task", "Failed"),
    pgettext_lazy("Task", "Successful"),
)

SIMPLE_HISTORY = (
    gettext_noop("Changes"),
    ngettext_lazy("entry", "entries", "count"),
    # simple_history does ship Arabic for these, but misspelt or with the wrong
    # meaning ("Changed by" reads as "changed before"); ours replaces it.
    gettext_noop("Created"),
    gettext_noop("Changed"),
    gettext_noop("Deleted"),
    gettext_noop("Changed by"),
    gettext_noop("Change reason"),
    gettext_noop("Object"),
    gettext_noop(
        "Choose a date from the list below to revert to a previous version of this "
        "object."
    ),
)

# django-tasks-db model and field labels (its app label itself is a plain string).
DJANGO_TASKS_DB = (
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
    gettext_noop("status"),
    gettext_noop("enqueued at"),
    gettext_noop("started at"),
    gettext_noop("finished at"),
    gettext_noop("args kwargs"),
    gettext_noop("priority"),
    gettext_noop("task path"),
    gettext_noop("worker id"),
    gettext_noop("queue name"),
    gettext_noop("backend name"),
    gettext_noop("run after"),
    gettext_noop("return value"),
    gettext_noop("exception class path"),
    gettext_noop("traceback"),
)
