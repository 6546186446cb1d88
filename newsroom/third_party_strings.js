// Strings of Django admin's JavaScript (domain "djangojs") that Django 6.1 ships
// without an Arabic translation: the date and calendar shortcuts and the time-zone
// note under every date-time field. Our catalogue in LOCALE_PATHS
// (locale/ar/LC_MESSAGES/djangojs.po) translates them, and the admin's JavaScript
// catalogue view reads it before Django's own. Listing them here keeps them in that
// catalogue through `makemessages -d djangojs --no-obsolete`.
// This file is never served or executed: it lives outside static/ on purpose.
// The msgids must match django/contrib/admin/static/admin/js/ exactly.
// See third_party_strings.py for the server-side strings.

/* global gettext, ngettext */
gettext("You have selected an action, and you haven’t made any changes on individual fields. You’re probably looking for the Run button rather than the Save button.");
gettext("server");
ngettext(
    "Note: Enter times in the %(timezone)s timezone. (You are %(offset)s hour ahead.)",
    "Note: Enter times in the %(timezone)s timezone. (You are %(offset)s hours ahead.)",
    0,
);
ngettext(
    "Note: Enter times in the %(timezone)s timezone. (You are %(offset)s hour behind.)",
    "Note: Enter times in the %(timezone)s timezone. (You are %(offset)s hours behind.)",
    0,
);
gettext("Today (%(date)s)");
gettext("Yesterday (%(date)s)");
gettext("Tomorrow (%(date)s)");
gettext("Previous (%(month)s %(year)s)");
gettext("Next (%(month)s %(year)s)");
gettext("%(month)s %(day)s, %(year)s");
gettext("%s (today, current selection)");
gettext("%s (today)");
gettext("%s (current selection)");

// django-prose-editor 0.28's dialogs (editor.js passes these through
// window.gettext, which the admin's JavaScript catalogue provides).
gettext("Cancel");
gettext("Update");
gettext("URL");
gettext("Title");
gettext("Edit Link");
gettext("List properties");
gettext("Start at");
gettext("List type");
gettext("Decimal numbers");
gettext("Lowercase letters");
gettext("Uppercase letters");
gettext("Lowercase Roman numerals");
gettext("Uppercase Roman numerals");
