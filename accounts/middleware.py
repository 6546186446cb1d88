from django.conf import settings
from django.utils.cache import patch_cache_control
from django_otp.middleware import OTPMiddleware

# Not HttpOnly: the pages' JavaScript reads it to know whether to ask the
# state endpoint at all, so anonymous readers never reach the origin for it.
# It holds nothing secret.
STATE_COOKIE = "reader_state"


class ReaderStateMiddleware:
    """Personal responses stay personal, and tell the browser when to ask
    for the reader's state.

    Public pages (`Cache-Control: public`) are left untouched: reading the
    user here would load the session, and the page would vary on the cookie.
    Every other response for a signed-in reader is kept out of shared caches
    whatever its view said. The `reader_state` cookie is set while there is
    something for the state endpoint to tell (a signed-in reader, or a
    message waiting for an anonymous one) and dropped when there is not.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "public" in response.get("Cache-Control", ""):
            return response
        signed_in = request.user.is_authenticated
        if signed_in:
            patch_cache_control(response, private=True, no_cache=True)
        wanted = signed_in or _message_waiting(request, response)
        has_cookie = STATE_COOKIE in request.COOKIES
        if wanted and not has_cookie:
            response.set_cookie(
                STATE_COOKIE,
                "1",
                max_age=settings.SESSION_COOKIE_AGE,
                secure=settings.SESSION_COOKIE_SECURE or None,
                samesite="Lax",
            )
        elif has_cookie and not wanted:
            response.delete_cookie(STATE_COOKIE, samesite="Lax")
        return response


def _message_waiting(request, response):
    """Whether a message (django.contrib.messages' cookie) is left to show."""
    cookie = response.cookies.get("messages")
    if cookie is not None:  # stored or cleared by this response
        return bool(cookie.value)
    return "messages" in request.COOKIES


class SecondFactorMiddleware(OTPMiddleware):
    """django-otp's middleware: `request.user.otp_device` is the device that
    verified this session's second factor, or None (accounts/second_factor.py).

    Without its `user.is_verified()`, which would clash with User.is_verified
    (the e-mail address is confirmed); second_factor.is_verified() reads
    `otp_device` instead. Overrides a private hook: django-otp is pinned, and
    tests/accounts/test_staff_second_factor.py notices if the hook changes.
    """

    @staticmethod
    def _init_user_fields(user):
        user.otp_device = None
