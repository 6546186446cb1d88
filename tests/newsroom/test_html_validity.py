"""Every page type readers see, in Arabic and in English, through the Nu Html
Checker (vnu.jar from npm, on Debian's Java: one run for all the pages), and
the feeds parsed as XML. The sitemaps are checked against their XSDs in
tests/articles/test_sitemaps.py. Run alone: `pytest -m validators`."""

import json
import shutil
import subprocess
import warnings
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from lxml import etree

from accounts import login_codes, services, tokens
from accounts.models import Passkey
from accounts.newsletters.models import Newsletter
from accounts.newsletters.services import make_unsubscribe_token, subscribe
from articles import popularity
from articles.models import SitePage
from newsroom.views import server_error
from tests.articles.reader_data import columnist
from tests.e2e.site_data import build_newsroom, story_with_every_block
from tests.factories import (
    ArticleFactory,
    CorrectionFactory,
    LiveUpdateFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.validators]

ROOT = Path(__file__).resolve().parents[2]
SITE_CSS = ROOT / "static" / "css" / "site.css"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LANGUAGES = {"ar": "", "en": "/en"}


def _java():
    java = shutil.which("java")
    if java is None or not VNU_JAR.exists():
        pytest.skip(
            "the Nu Html Checker needs Java and node_modules/vnu-jar: run "
            "make validators-deps (apt-get install default-jre-headless, npm install)"
        )
    return java


def _path(target):
    """The Arabic (unprefixed) path of a model or a path."""
    if isinstance(target, str):
        return target
    with translation.override("ar"):
        return target.get_absolute_url()


def _site():
    """Realistic content for every page type, and the readers to see it."""
    newsroom = build_newsroom()
    politics, economy = newsroom.politics, newsroom.economy
    CorrectionFactory(article=newsroom.lead)
    ArticleFactory(section=politics, is_breaking=True, headline="عاجل: زلزال")
    writer = columnist(name="هدى الكاتبة", slug="هدى-الكاتبة")
    opinion = ArticleFactory(
        section=SectionFactory(name="رأي", slug="رأي-وتحليل"),
        opinion=True,
        headline="لماذا تتأخر الإصلاحات",
        authors=[writer],
    )
    ArticleFactory(withdrawn=True, section=politics, headline="خبر مسحوب")
    withdrawn = ArticleFactory(section=politics, headline="خبر سيسحب")
    withdrawn.withdraw()
    story = story_with_every_block(economy, newsroom.author)
    live = ArticleFactory(live=True, section=politics, headline="مباشر: الانتخابات")
    LiveUpdateFactory(article=live, title="فتح المراكز", is_key_point=True)
    LiveUpdateFactory(article=live, body=story.body)  # every block, in an update
    ended = ArticleFactory(live=True, section=politics, headline="تغطية انتهت")
    LiveUpdateFactory(article=ended)
    ended.live_ended_at = ended.published_at
    ended.save()
    busy = SectionFactory(name="منوعات", slug="منوعات")
    for n in range(22):  # two pages
        ArticleFactory(section=busy, headline=f"خبر منوع رقم {n}")
    for article in (newsroom.lead, newsroom.related, story):
        popularity.record_view(article.pk)
    popularity.flush_view_counts()

    reader = UserFactory(verified=True, name="نور")
    services.save_article(user=reader, article=newsroom.lead)
    services.follow(user=reader, kind="section", target=politics)
    services.follow(user=reader, kind="tag", target=newsroom.tag)
    services.follow(user=reader, kind="author", target=newsroom.author)
    [subscription] = subscribe(
        user=reader,
        newsletters=Newsletter.objects.active()[:1],
        source="account",
    )
    newcomer = UserFactory(name="سلمى")  # unverified, nothing saved or followed
    return {
        "newsroom": newsroom,
        "opinion": opinion,
        "withdrawn": withdrawn,
        "story": story,
        "live": live,
        "ended": ended,
        "busy": busy,
        "reader": reader,
        "subscription": subscription,
        "newcomer": newcomer,
    }


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def _pages(site):
    """(name, client, Arabic path, method, data, expected status, a piece of
    its HTML) for each page type."""
    newsroom, reader = site["newsroom"], site["reader"]
    anonymous, signed_in = Client(), _signed_in(reader)
    newcomer = _signed_in(site["newcomer"])
    messenger = _signed_in(reader)
    lead, author = newsroom.lead, newsroom.author
    # Made after the last sign-in, which changes the token.
    uid = urlsafe_base64_encode(force_bytes(reader.pk))
    reset_token = default_token_generator.make_token(reader)
    verify_token = tokens.make_verification_token(site["newcomer"])
    unsubscribe_token = make_unsubscribe_token(site["subscription"])
    reader.email_change_nonce = tokens.new_email_change_nonce()
    reader.save(update_fields=["email_change_nonce"])
    change_token = tokens.make_email_change_token(reader, "noor@example.org")
    # Asked for a sign-in code in this browser; a link from another's e-mail.
    code_asker = Client()
    code_asker.post("/account/login/code/", {"email": reader.email})
    _, link_secret = login_codes.issue(site["newcomer"])
    passkey = Passkey.objects.create(
        user=reader,
        name="هاتفي",
        credential_id="dmFsaWRhdGlvbg",
        public_key=b"\x00",
        user_handle=b"\x00" * 32,
    )

    def page(name, client, target, method="get", data=None, status=200, shows=""):
        return name, client, _path(target), method, data or {}, status, shows

    return [
        # Reading
        page("home", anonymous, "/"),
        page("section", anonymous, newsroom.politics),
        page("section page 2", anonymous, f"{_path(site['busy'])}?page=2"),
        page("article", anonymous, lead),
        page("article with every block", anonymous, site["story"]),
        page("opinion article", anonymous, site["opinion"]),
        page("live page", anonymous, site["live"], shows="live-update"),
        page("ended live page", anonymous, site["ended"], shows="live__ended"),
        page("breaking alerts", anonymous, "/notifications/"),
        page("your alerts", signed_in, "/account/notifications/"),
        page("article without picture", anonymous, newsroom.search_target),
        page("tag", anonymous, newsroom.tag),
        page("author", anonymous, author),
        page("columnist", anonymous, site["opinion"].authors.get()),
        page("opinion", anonymous, "/opinion/"),
        page("corrections", anonymous, "/corrections/"),
        page("search", anonymous, "/search/?q=الطاقة"),
        page("search corrected", anonymous, "/search/?q=الزيتوم"),
        page("empty search", anonymous, "/search/?q=كلمة-لا-توجد"),
        page("search form", anonymous, "/search/"),
        *(page(f"site page {slug}", anonymous, f"/{slug}/") for slug in SitePage.Slug),
        page("404", anonymous, "/no-such-page/", status=404),
        page("410 withdrawn", anonymous, site["withdrawn"], status=410),
        # Accounts, signed out
        page("sign-up", anonymous, "/account/signup/"),
        page("sign-up errors", anonymous, "/account/signup/", "post", {"name": ""}),
        page("login", anonymous, "/account/login/"),
        page(
            "login errors",
            anonymous,
            "/account/login/",
            "post",
            {"username": "x@example.com", "password": "wrong"},
        ),
        page("login code", anonymous, "/account/login/code/"),
        page(
            "login code errors",
            anonymous,
            "/account/login/code/",
            "post",
            {"email": "x"},
        ),
        page("login code enter", code_asker, "/account/login/code/enter/"),
        page(
            "login code wrong",
            code_asker,
            "/account/login/code/enter/",
            "post",
            {"code": "000000"},
        ),
        page("login link", Client(), f"/account/login/link/{link_secret}/"),
        page("password reset", anonymous, "/account/password/reset/"),
        page("password reset sent", anonymous, "/account/password/reset/sent/"),
        page(
            "password reset link",
            Client(),
            f"/account/password/reset/{uid}/{reset_token}/",
            shows='type="password"',
        ),
        page("password reset bad link", anonymous, f"/account/password/reset/{uid}/x/"),
        page("password reset done", anonymous, "/account/password/reset/done/"),
        page("save prompt", Client(), f"/account/save/{lead.pk}/"),
        page("follow prompt", Client(), f"/account/following/author/{author.pk}/"),
        page("verify e-mail", anonymous, f"/account/verify-email/{verify_token}/"),
        page("invalid link", anonymous, "/account/verify-email/x/", status=400),
        page(
            "unsubscribe", anonymous, f"/newsletters/unsubscribe/{unsubscribe_token}/"
        ),
        page(
            "unsubscribe done",
            anonymous,
            f"/newsletters/unsubscribe/{unsubscribe_token}/",
            "post",
        ),
        page(
            "unsubscribe invalid",
            anonymous,
            "/newsletters/unsubscribe/x/",
            status=404,
        ),
        # Accounts, signed in
        page("account", signed_in, "/account/"),
        page("account unverified", newcomer, "/account/"),
        page("saved", signed_in, "/account/saved/"),
        page("saved empty", newcomer, "/account/saved/"),
        page("following", signed_in, "/account/following/"),
        page("following none", newcomer, "/account/following/"),
        page("for-you", signed_in, "/for-you/"),
        page("for-you empty", newcomer, "/for-you/"),
        page("newsletters", signed_in, "/account/newsletters/"),
        page("newsletters unverified", newcomer, "/account/newsletters/"),
        page("article signed in", signed_in, lead),
        page("save prompt signed in", signed_in, f"/account/save/{lead.pk}/"),
        page("change e-mail", signed_in, "/account/email/"),
        page(
            "confirm e-mail change",
            signed_in,
            f"/account/email/confirm/{change_token}/",
        ),
        page(
            "confirm e-mail change, other account",
            newcomer,
            f"/account/email/confirm/{change_token}/",
            status=403,
        ),
        page("password change", signed_in, "/account/password/"),
        page("password changed", signed_in, "/account/password/changed/"),
        page("delete account", signed_in, "/account/delete/"),
        page("my data", signed_in, "/account/data/"),
        page("rename passkey", signed_in, f"/account/passkeys/{passkey.pk}/rename/"),
        page("remove passkey", signed_in, f"/account/passkeys/{passkey.pk}/remove/"),
        page(
            "account with a message",
            messenger,
            "/account/",
            "post",
            {"name": "نور الهدى"},
        ),
    ]


def _render_all(site):
    """{page name: HTML} for every page type in both languages."""
    rendered, failures = {}, []
    for name, client, arabic_path, method, data, expected, shows in _pages(site):
        for language, prefix in LANGUAGES.items():
            path = prefix + arabic_path
            # Forms answer with a redirect; a reset link, with the form's page.
            follow = method == "post" or "password/reset/" in path
            response = getattr(client, method)(path, data, follow=follow)
            if response.status_code != expected or shows not in response.text:
                failures.append(f"{name} ({language}) {path}: {response.status_code}")
            rendered[f"{name} ({language})"] = response.content
    # Error pages that no URL of ours answers with.
    for language, prefix in LANGUAGES.items():
        bad_host = Client().get(prefix + "/", HTTP_HOST="not-allowed.example")
        csrf = Client(enforce_csrf_checks=True).post(prefix + "/account/login/")
        with translation.override(language):
            error = server_error(RequestFactory().get(prefix + "/"))
        for name, response, expected in [
            ("400 bad host", bad_host, 400),
            ("403 CSRF", csrf, 403),
            ("500", error, 500),
        ]:
            if response.status_code != expected:
                failures.append(f"{name} ({language}): {response.status_code}")
            rendered[f"{name} ({language})"] = response.content
    assert failures == []
    return rendered


def _vnu(java, files):
    """The checker's messages for `files`, in one run of the JVM."""
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--also-check-css", "--format", "json"]
        + ["--stdout", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.stdout, result.stderr
    return json.loads(result.stdout)["messages"]


# A page with a known error, so a checker that reads nothing fails the test.
CANARY = '<!doctype html><html lang="ar"><title>x</title><p id="a"><p id="a">'


def test_every_page_type_is_valid_html_in_both_languages(tmp_path):
    java = _java()
    names = {}
    for n, (name, content) in enumerate(_render_all(_site()).items()):
        (tmp_path / f"{n:03d}.html").write_bytes(content)
        names[f"{n:03d}.html"] = name
    (tmp_path / "canary.html").write_text(CANARY)

    messages = _vnu(
        java, [*map(tmp_path.joinpath, names), tmp_path / "canary.html", SITE_CSS]
    )

    errors, notes, canary = [], [], []
    for message in messages:
        file_name = message.get("url", "").rsplit("/", 1)[-1]
        if file_name == "canary.html":
            canary.append(message["message"])
            continue
        line = (
            f"{names.get(file_name, file_name)}, line {message.get('lastLine')}: "
            f"{message['message']} «{(message.get('extract') or '').strip()}»"
        )
        (notes if message["type"] == "info" else errors).append(line)
    assert any("Duplicate ID" in text for text in canary), canary
    assert errors == [], "\n".join(errors)
    # Warnings are reported (pytest's summary) without failing the run.
    for note in notes:
        warnings.warn(note, stacklevel=1)


ATOM = "{http://www.w3.org/2005/Atom}"


def test_every_feed_is_well_formed_rss_in_both_languages(client):
    newsroom = build_newsroom()
    CorrectionFactory(article=newsroom.lead)
    CorrectionFactory(article=newsroom.related, editors_note=True)
    SectionFactory(name="فارغ", slug="فارغ")
    feeds = ["/rss/", "/corrections/rss/", "/سياسة/rss/", "/فارغ/rss/"]

    for path in [prefix + feed for prefix in LANGUAGES.values() for feed in feeds]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith("application/rss+xml"), path
        rss = etree.fromstring(response.content)  # raises unless well-formed
        assert (rss.tag, rss.get("version")) == ("rss", "2.0"), path
        channel = rss.find("channel")
        for required in ("title", "link", "description"):
            assert channel.findtext(required), (path, required)
        assert channel.find(f"{ATOM}link[@rel='self']") is not None, path
        for item in channel.iterfind("item"):
            assert item.findtext("title") and item.findtext("guid"), path
            assert item.findtext("link").startswith("http"), path
            assert parsedate_to_datetime(item.findtext("pubDate")), path
