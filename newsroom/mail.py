"""Mail printed to the console in development, readable.

Django's console backend prints the message as it would go on the wire:
Arabic subjects encoded, bodies in base64 or quoted-printable, so a newcomer
running `make run` can neither read a verification e-mail nor click its
link. This one prints the headers decoded and the plain-text part as text;
the HTML alternative is only named. Settings use it when DEBUG is on and no
EMAIL_URL is set.
"""

from django.core.mail.backends.console import EmailBackend


class ReadableConsoleBackend(EmailBackend):
    def write_message(self, message):
        lines = [
            f"From: {message.from_email}",
            f"To: {', '.join(message.to)}",
            *([f"Cc: {', '.join(message.cc)}"] if message.cc else []),
            f"Subject: {message.subject}",
            "",
            message.body,
        ]
        for _content, mimetype in getattr(message, "alternatives", []):
            lines.append(f"[+ {mimetype} alternative, not shown]")
        for attachment in message.attachments:
            name = getattr(attachment, "filename", None) or "attachment"
            lines.append(f"[+ attachment: {name}]")
        self.stream.write("\n".join(lines) + "\n")
        self.stream.write("-" * 79 + "\n")
