import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from articles.management.commands import seed_demo
from articles.models import (
    Article,
    Author,
    Correction,
    FrontPagePin,
    RelatedArticle,
    Section,
    TaggedArticle,
)
from articles.popularity import most_read
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(capsys, monkeypatch):
    # Fewer distinct pictures keep the test quick; every article still gets one.
    monkeypatch.setattr(seed_demo, "IMAGE_COUNT", 3)
    call_command("seed_demo")
    return capsys.readouterr().out


def test_it_fills_an_empty_database_once(seeded, capsys, client):
    published = Article.objects.published()

    # Sections, authors and portraits.
    assert Section.objects.count() >= 8
    assert set(Section.objects.values_list("slug", flat=True)) >= {
        "أخبار",
        "العالم-العربي",
        "دولي",
        "اقتصاد",
        "رياضة",
        "رأي",
    }
    assert Author.objects.count() == 12
    assert Author.objects.filter(is_columnist=True).count() == 4
    assert all(a.photo and a.photo_renditions for a in Author.objects.all())

    # 200 stories over the last 60 days, a live page, and unpublished work.
    assert published.count() == 201
    (live,) = published.filter(is_live=True)
    assert live.live_running
    updates = live.live_updates.published()
    assert updates.count() == 12
    assert 3 <= updates.filter(is_key_point=True).count() < 12
    assert updates.filter(body__contains='class="picture"').count() == 1
    live_page = client.get(live.get_absolute_url()).content.decode()
    assert live_page.count('<article class="live-update') == 12
    assert '<figure class="body-picture">' in live_page
    assert "LiveBlogPosting" in live_page
    dates = list(published.values_list("published_at", flat=True))
    assert 50 <= (max(dates) - min(dates)).days <= 60
    assert Article.objects.filter(is_lead=True).count() == 1
    assert published.filter(is_lead=True).exists()
    # A curated front page: a pinned lead, two top stories in the editor's
    # order, a pinned head of the economy block.
    front = client.get("/").context
    pins = FrontPagePin.objects.order_by("position")
    assert front["lead"] == pins.get(slot="lead").article
    assert front["top_stories"][:3] == [p.article for p in pins.filter(slot="top")]
    # The live page first among them, with its badge.
    assert front["top_stories"][0] == live
    assert 'class="live-badge"' in client.get("/").content.decode()
    head = pins.get(slot="section")
    assert head.section.slug == "اقتصاد"
    blocks = {block.section_id: block.ids for block in front["section_blocks"]}
    assert blocks[head.section_id][0] == head.article_id
    assert published.filter(is_breaking=True).count() >= 3
    assert Article.objects.filter(status="draft").exists()
    assert Article.objects.filter(status="review").exists()
    assert sum(a.is_scheduled() for a in Article.objects.all()) == 1
    types = set(published.values_list("article_type", flat=True))
    assert types == {"news", "opinion", "analysis", "interview"}
    assert TaggedArticle.objects.exists() and RelatedArticle.objects.exists()
    # A week of readings, so the most-read lists are not empty, and not
    # simply the latest stories.
    ranked = most_read()
    assert len(ranked) == 5
    assert ranked != list(published.select_related("section")[:5])

    # Four newsletters; the weekly section letters draw from their sections.
    from accounts.newsletters.models import Newsletter

    assert Newsletter.objects.filter(is_active=True).count() == 4
    assert Newsletter.objects.filter(sections__slug="اقتصاد").exists()

    # They read like stories (the live page tells its story in updates).
    stories = Article.objects.exclude(pk=live.pk)
    headlines = list(Article.objects.values_list("headline", flat=True))
    assert len(set(headlines)) == len(headlines)
    for article in stories[:20]:
        assert article.standfirst and article.kicker
        assert article.body.count("<p>") >= 4 and "<h2>" in article.body
        assert article.authors.exists() and article.tags.exists()
        assert set(article.picture.renditions) == {"16x9", "4x3", "1x1"}
    # Each story reads as last changed when it was published, except the one
    # with the demo correction, updated when it was corrected.
    (correction,) = Correction.objects.select_related("article")
    assert correction.article.is_published()
    assert correction.article.updated_at == correction.created_at
    assert correction.article.published_at < correction.created_at < timezone.now()
    assert all(
        a.updated_at == a.published_at
        for a in published.exclude(pk__in=[correction.article_id, live.pk])
    )
    # The live page: when its newest update went out.
    assert live.updated_at == updates.first().published_at

    # Body blocks to look at: a library picture, a gallery of three, a video
    # and a pull quote, each rendered on its story's page.
    def page_of(marker):
        (article,) = published.filter(body__contains=marker)
        return client.get(article.get_absolute_url()).content.decode()

    html = page_of("[صورة:")
    assert '<figure class="body-picture">' in html and 'loading="lazy"' in html
    html = page_of("[معرض:")
    assert html.count('<li class="gallery__item">') == 3
    assert "srcset=" in html.split('class="gallery"')[1]
    html = page_of('data-provider="youtube"')
    assert "اعرض المحتوى من «يوتيوب»" in html
    assert '<blockquote class="pull-quote">' in html
    images = set(stories.values_list("picture__image", flat=True))
    assert len(images) == stories.count()  # each story owns its file

    # Accounts, printed logins.
    User = get_user_model()
    editor = User.objects.get(email="editor@example.com")
    writer = User.objects.get(email="writer@example.com")
    assert editor.has_perm("articles.publish_article")
    assert writer.is_staff and not writer.has_perm("articles.publish_article")
    assert "editor@example.com / demo-editor-2026" in seeded
    assert "writer@example.com / demo-writer-2026" in seeded
    assert client.login(email="editor@example.com", password="demo-editor-2026")
    # The admin asks for the second factor: the printed demo secret's code.
    assert seed_demo.DEMO_TOTP_SECRET in seeded
    asked = client.get("/admin/articles/article/")
    assert asked["Location"].startswith("/admin/second-factor/")
    capsys.readouterr()
    call_command("demo_otp_code", "editor@example.com")
    code = capsys.readouterr().out.strip()
    assert client.post(asked["Location"], {"code": code}).status_code == 302
    assert client.get("/admin/articles/article/").status_code == 200

    # A second run adds nothing and says so.
    counts = (Article.objects.count(), Author.objects.count(), User.objects.count())
    call_command("seed_demo")
    assert "لم يُضَف أي محتوى" in capsys.readouterr().out
    assert counts == (
        Article.objects.count(),
        Author.objects.count(),
        User.objects.count(),
    )


def test_it_leaves_a_database_with_articles_alone(capsys):
    ArticleFactory()

    call_command("seed_demo")

    assert "لم يُضَف أي محتوى" in capsys.readouterr().out
    assert Article.objects.count() == 1
    assert not Author.objects.exists()
