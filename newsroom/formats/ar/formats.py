# Newspaper dates in Arabic: "29 نوفمبر 2026، 14:05" (Django's own Arabic
# formats put the day after the month with a Latin comma).
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y، H:i"
MONTH_DAY_FORMAT = "j F"
SHORT_DATETIME_FORMAT = "j F، H:i"
TIME_FORMAT = "H:i"
