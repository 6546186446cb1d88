"""Posts from other sites shown inside a story, recognised from a pasted URL.

One function per provider turns a URL into the post's id and a canonical URL
built only from the parts its pattern accepted, so nothing else a writer
pasted reaches the page. Nothing here calls out to the providers: readers load
a post themselves, by clicking (static/js/embeds.js)."""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Provider:
    name: str
    label: str  # the site's name, in the reader's language
    title: str  # what the post is, known without calling out
    frame_host: str  # the one host the click may frame (CSP frame-src)
    frame_url: str  # the player or embed page, formatted with the id


@dataclass(frozen=True)
class Embed:
    provider: Provider
    id: str
    url: str

    @property
    def frame_url(self):
        return self.provider.frame_url.format(id=self.id, url=quote(self.url, safe=""))


PROVIDERS = {
    p.name: p
    for p in (
        Provider(
            "youtube",
            _("يوتيوب"),
            _("فيديو على يوتيوب"),
            "https://www.youtube-nocookie.com",
            "https://www.youtube-nocookie.com/embed/{id}",
        ),
        Provider(
            "x",
            _("إكس (تويتر)"),
            _("منشور على إكس"),
            "https://platform.twitter.com",
            "https://platform.twitter.com/embed/Tweet.html?id={id}&dnt=true",
        ),
        Provider(
            "instagram",
            _("إنستغرام"),
            _("منشور على إنستغرام"),
            "https://www.instagram.com",
            "https://www.instagram.com/p/{id}/embed/",
        ),
        Provider(
            "tiktok",
            _("تيك توك"),
            _("فيديو على تيك توك"),
            "https://www.tiktok.com",
            "https://www.tiktok.com/embed/v2/{id}",
        ),
        Provider(
            "facebook",
            _("فيسبوك"),
            _("منشور على فيسبوك"),
            "https://www.facebook.com",
            "https://www.facebook.com/plugins/post.php?href={url}&show_text=true",
        ),
    )
}

YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
YOUTUBE_PATH = re.compile(r"/(?:embed|shorts|live|v)/([A-Za-z0-9_-]{11})/?")
X_PATH = re.compile(r"/(?:[A-Za-z0-9_]{1,15}|i(?:/web)?)/status(?:es)?/(\d{1,20})/?")
INSTAGRAM_PATH = re.compile(r"/(?:[A-Za-z0-9_.]+/)?(?:p|reel|reels|tv)/([\w-]{5,40})/?")
TIKTOK_PATH = re.compile(r"/(@[\w.]{1,24})/video/(\d{1,20})/?")
FACEBOOK_PATH = re.compile(
    r"/([A-Za-z0-9.]{1,50})/(posts|videos)/(pfbid[A-Za-z0-9]{10,80}|\d{1,20})/?"
)


def _split(url, hosts):
    """The URL's path and query when it is http(s) on one of `hosts`."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or parts.username or parts.port:
            return None
    except ValueError:  # a malformed address, such as "http://[::1"
        return None
    if host not in hosts and host.removeprefix("www.").removeprefix("m.") not in hosts:
        return None
    return host, parts.path, parse_qs(parts.query)


def youtube(url):
    split = _split(url, {"youtube.com", "youtu.be", "youtube-nocookie.com"})
    if not split:
        return None
    host, path, query = split
    if host == "youtu.be":
        video = path.strip("/")
    elif path in ("/watch", "/watch/"):
        video = (query.get("v") or [""])[0]
    else:
        match = YOUTUBE_PATH.fullmatch(path)
        video = match[1] if match else ""
    if not YOUTUBE_ID.fullmatch(video):
        return None
    return video, f"https://www.youtube.com/watch?v={video}"


def x(url):
    split = _split(url, {"x.com", "twitter.com", "mobile.twitter.com"})
    match = split and X_PATH.fullmatch(split[1])
    if not match:
        return None
    return match[1], f"https://x.com/i/status/{match[1]}"


def instagram(url):
    split = _split(url, {"instagram.com"})
    match = split and INSTAGRAM_PATH.fullmatch(split[1])
    if not match:
        return None
    return match[1], f"https://www.instagram.com/p/{match[1]}/"


def tiktok(url):
    split = _split(url, {"tiktok.com"})
    match = split and TIKTOK_PATH.fullmatch(split[1])
    if not match:
        return None
    return match[2], f"https://www.tiktok.com/{match[1]}/video/{match[2]}"


def facebook(url):
    split = _split(url, {"facebook.com"})
    match = split and FACEBOOK_PATH.fullmatch(split[1])
    if not match:
        return None
    # The embed page needs the whole post URL, so the id is its path.
    post = f"{match[1]}/{match[2]}/{match[3]}"
    return post, f"https://www.facebook.com/{post}"


RECOGNISERS = {
    "youtube": youtube,
    "x": x,
    "instagram": instagram,
    "tiktok": tiktok,
    "facebook": facebook,
}


def recognise(url):
    """The Embed a pasted URL points to, or None for any other link."""
    if not url or len(url) > 500:
        return None
    for name, recogniser in RECOGNISERS.items():
        found = recogniser(url)
        if found:
            return Embed(PROVIDERS[name], *found)
    return None
