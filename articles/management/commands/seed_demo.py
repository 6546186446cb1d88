"""Fill an empty database with Arabic demo content: sections, authors with
portraits, 200 articles over the last 60 days with tags, related headlines and
lead images, a curated front page for a week, plus an editor and a writer
account. The admin asks staff for a second factor: the two demo accounts get
an authenticator app with a published, fixed secret (DEMO_TOTP_SECRET, for
development only), printed with their logins; `manage.py demo_otp_code` prints
the current code.

Run after `migrate` (`make run` does). Running it again adds nothing. The
content is deterministic (seeded random); only the dates follow the clock.
"""

import io
import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image, ImageDraw, ImageFilter

from accounts.newsletters.demo import seed_newsletters
from articles import demo_content as demo
from articles.images import (
    ARTICLE_CROPS,
    ARTICLE_WIDTHS,
    make_photo_renditions,
    make_renditions,
    render_renditions,
)
from articles.models import (
    Article,
    ArticleAuthor,
    ArticleDailyViews,
    Author,
    Correction,
    FrontPagePin,
    LiveUpdate,
    Picture,
    RelatedArticle,
    Section,
    Tag,
    TaggedArticle,
)
from articles.search.documents import refresh_search_documents
from articles.storage import originals_storage
from articles.text import arabic_slugify

PUBLISHED_COUNT = 200
DAYS = 60
IMAGE_SIZE = (1600, 900)
IMAGE_COUNT = 24
ACCOUNTS = [
    # email, name, group, password
    ("editor@example.com", "رئيسة التحرير التجريبية", "المحررون", "demo-editor-2026"),
    ("writer@example.com", "كاتب تجريبي", "الكتّاب", "demo-writer-2026"),
]
# The demo accounts' authenticator app: b"newsroom-demo-only!!", public on
# purpose (README), so that `make run` needs no phone. Base32, as apps take it.
DEMO_TOTP_KEY = "6e657773726f6f6d2d64656d6f2d6f6e6c792121"
DEMO_TOTP_SECRET = "NZSX O43S N5XW 2LLE MVWW 6LLP NZWH SIJB"
PALETTES = [
    ("#0b3d5c", "#3fa7d6"),
    ("#5c0b2e", "#e07a5f"),
    ("#1d3b2a", "#81b29a"),
    ("#3d2c5c", "#9d8df1"),
    ("#5c3d0b", "#f2cc8f"),
    ("#0b5c55", "#5eead4"),
    ("#2b2d42", "#8d99ae"),
    ("#6a040f", "#f48c06"),
    ("#14213d", "#fca311"),
    ("#264653", "#e9c46a"),
    ("#3a0ca3", "#4cc9f0"),
    ("#283618", "#dda15e"),
]


class Command(BaseCommand):
    help = "يملأ قاعدة بيانات فارغة بمحتوى عربي تجريبي (لا يضيف شيئًا إن وُجد محتوى)."

    def handle(self, *args, **options):
        self.random = random.Random(2026)
        # Whole minutes, as the admin form edits them (no spurious revisions).
        self.now = timezone.now().replace(second=0, microsecond=0)
        created_accounts = self.create_accounts()
        if Article.objects.exists():
            self.stdout.write(
                "قاعدة البيانات فيها مقالات بالفعل؛ لم يُضَف أي محتوى تجريبي."
            )
        else:
            with transaction.atomic():
                self.seed()
                refresh_search_documents(Article.objects.all())
                # The lists come from a migration, before any section existed.
                seed_newsletters()
        self.print_logins(created_accounts)

    # Accounts -------------------------------------------------------------

    def create_accounts(self):
        User = get_user_model()
        created = []
        for email, name, group_name, password in ACCOUNTS:
            if User.objects.filter(email=email).exists():
                continue
            user = User.objects.create_user(
                email=email,
                password=password,
                name=name,
                is_staff=True,
                email_verified_at=timezone.now(),
            )
            user.groups.add(Group.objects.get(name=group_name))
            created.append(email)
        for email, *_details in ACCOUNTS:
            # Accounts from before the admin asked for a second factor too.
            user = User.objects.get(email=email)
            if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                TOTPDevice.objects.create(
                    user=user, name="تطبيق تجريبي", key=DEMO_TOTP_KEY, confirmed=True
                )
        return created

    def print_logins(self, created):
        self.stdout.write("حسابات غرفة الأخبار التجريبية (/admin/):")
        for email, _name, group_name, password in ACCOUNTS:
            note = "" if email in created else " (موجود من قبل)"
            self.stdout.write(f"  {group_name}: {email} / {password}{note}")
        self.stdout.write(
            "  التحقق بخطوتين (للتطوير فقط): أضف المفتاح السري التجريبي "
            f"{DEMO_TOTP_SECRET} إلى أي تطبيق مصادقة، أو اطبع الرمز الحالي بالأمر "
            "python manage.py demo_otp_code editor@example.com"
        )

    # Content --------------------------------------------------------------

    def seed(self):
        sections = self.create_sections()
        reporters, columnists = self.create_authors()
        editor = get_user_model().objects.get(email=ACCOUNTS[0][0])
        writer = get_user_model().objects.get(email=ACCOUNTS[1][0])
        pictures = [self.render_picture(i) for i in range(IMAGE_COUNT)]
        tags = self.create_tags()

        articles = []
        headlines = set()
        plan = self.plan_published(sections)
        for index, (section, published_at) in enumerate(plan):
            article = self.create_article(
                index,
                section,
                headlines,
                pictures,
                status=Article.Status.PUBLISHED,
                published_at=published_at,
                created_by=editor,
            )
            self.byline(article, section, reporters, columnists)
            articles.append(article)

        # Unpublished work: drafts and reviews by the demo writer, one scheduled.
        extra = [
            (Article.Status.DRAFT, None, writer),
            (Article.Status.DRAFT, None, writer),
            (Article.Status.DRAFT, None, editor),
            (Article.Status.REVIEW, None, writer),
            (Article.Status.REVIEW, None, editor),
            (Article.Status.PUBLISHED, self.now + timedelta(days=1), editor),
        ]
        for offset, (status, when, owner) in enumerate(extra):
            section = sections[offset % (len(sections) - 1)]
            article = self.create_article(
                PUBLISHED_COUNT + offset,
                section,
                headlines,
                pictures,
                status=status,
                published_at=when,
                created_by=owner,
            )
            self.byline(article, section, reporters, columnists)

        self.flag_stories(articles)
        self.add_body_blocks(articles)
        self.curate_front_page(articles, editor)
        self.tag_articles(articles, tags)
        self.relate_articles(articles)
        self.count_readings(articles)
        # Stories seeded today "as of" past dates were last edited then, so
        # they do not all read "updated" today (renditions touched them).
        Article.objects.filter(pk__in=[a.pk for a in articles]).update(
            updated_at=F("published_at")
        )
        self.correct_a_story(articles, editor)
        self.live_coverage(sections[0], reporters, articles, editor)
        self.stdout.write(
            f"أُضيف {len(sections)} أقسام و{len(reporters) + len(columnists)} كاتبًا "
            f"و{Article.objects.count()} مقالًا."
        )

    def create_sections(self):
        sections = []
        for position, (name, slug, description) in enumerate(demo.SECTIONS):
            section, _ = Section.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "position": position,
                    "description": description,
                },
            )
            sections.append(section)
        return sections

    def create_authors(self):
        people = [(p, False) for p in demo.REPORTERS] + [
            (p, True) for p in demo.COLUMNISTS
        ]
        reporters, columnists = [], []
        for index, ((name, bio), is_columnist) in enumerate(people):
            author, created = Author.objects.get_or_create(
                slug=arabic_slugify(name, fallback=f"author-{index}"),
                defaults={"name": name, "bio": bio, "is_columnist": is_columnist},
            )
            if created:
                author.photo.save(
                    f"demo-{index:02d}.png", ContentFile(self.render_portrait(index))
                )
                make_photo_renditions(author)
            (columnists if is_columnist else reporters).append(author)
        return reporters, columnists

    def create_tags(self):
        return {
            slug: [Tag.objects.get_or_create(name=name)[0] for name in names]
            for slug, names in demo.TAGS.items()
        }

    def plan_published(self, sections):
        """(section, published_at) for each published story, newest first."""
        news_sections = [s for s in sections if s.slug != "رأي"]
        opinion = next(s for s in sections if s.slug == "رأي")
        plan = []
        for index in range(PUBLISHED_COUNT):
            # Denser in recent days, as a real archive is.
            age = timedelta(
                minutes=int((index / PUBLISHED_COUNT) ** 1.3 * DAYS * 24 * 60)
                + self.random.randint(20, 90)
            )
            section = opinion if index % 10 == 7 else news_sections[index % 7]
            plan.append((section, self.now - age))
        return plan

    def create_article(self, index, section, headlines, pictures, **fields):
        rnd = self.random
        fill = self.fill_values(section)
        headline = self.unique_headline(section, headlines, fill)
        article_type = Article.ArticleType.NEWS
        if section.slug == "رأي":
            article_type = Article.ArticleType.OPINION
        elif index % 9 == 4:
            article_type = Article.ArticleType.ANALYSIS
        elif index % 13 == 6:
            article_type = Article.ArticleType.INTERVIEW
        picture = pictures[index % len(pictures)]
        when = fields.get("published_at") or self.now
        name = originals_storage().save(
            f"articles/{when:%Y/%m}/demo-{index:03d}.jpg", ContentFile(picture["jpeg"])
        )
        standfirsts = demo.STANDFIRSTS.get(section.slug, demo.STANDFIRSTS["default"])
        library_picture = Picture.objects.create(
            image=name,
            width=IMAGE_SIZE[0],
            height=IMAGE_SIZE[1],
            caption=rnd.choice(demo.IMAGE_CAPTIONS),
            credit="النشرة / رسم توضيحي",
            alt=f"رسم توضيحي بألوان متدرجة يرافق مقال: {headline}",
            uploaded_at=when,
        )
        make_renditions(library_picture, rendered=picture["renditions"])
        article = Article(
            headline=headline,
            kicker=rnd.choice(demo.KICKERS[section.slug]),
            standfirst=rnd.choice(standfirsts),
            body=self.compose_body(section, fill),
            dateline="" if article_type == "opinion" else fill["city"],
            section=section,
            article_type=article_type,
            picture=library_picture,
            **fields,
        )
        article.meta_description = article.standfirst[:160]
        article.save()
        return article

    def fill_values(self, section):
        rnd = self.random
        country, country2 = rnd.sample(demo.COUNTRIES, 2)
        team, team2 = rnd.sample(demo.TEAMS, 2)
        city = rnd.choice(demo.CITIES)
        if section.slug == "دولي":
            city = rnd.choice(demo.WORLD_CITIES)
        return {
            "city": city,
            "world_city": rnd.choice(demo.WORLD_CITIES),
            "country": country,
            "country2": country2,
            "world": rnd.choice(demo.WORLD),
            "team": team,
            "team2": team2,
            "num": rnd.choice(demo.NUMBERS),
            "pct": rnd.choice(demo.PERCENTS),
            "month": rnd.choice(demo.MONTHS),
            "topic": rnd.choice(demo.TOPICS),
        }

    def unique_headline(self, section, used, fill):
        templates = demo.HEADLINES[section.slug]
        for _attempt in range(40):
            headline = self.random.choice(templates).format(**fill)
            if headline not in used:
                break
            fill = self.fill_values(section)
        else:
            headline = f"{headline} ({len(used)})"
        used.add(headline)
        return headline

    def compose_body(self, section, fill):
        rnd = self.random
        paragraphs = demo.PARAGRAPHS.get(section.slug, demo.PARAGRAPHS["default"])
        subheadings = demo.SUBHEADINGS.get(section.slug, demo.SUBHEADINGS["default"])
        chosen = rnd.sample(paragraphs, min(len(paragraphs), rnd.randint(4, 6)))
        if len(chosen) < 5:
            chosen += rnd.sample(demo.PARAGRAPHS["default"], 5 - len(chosen))
        first, second = rnd.sample(subheadings, 2)
        parts = [f"<p>{p.format(**fill)}</p>" for p in chosen[:2]]
        parts.append(f"<h2>{first}</h2>")
        parts += [f"<p>{p.format(**fill)}</p>" for p in chosen[2:4]]
        parts.append(f"<blockquote><p>{rnd.choice(demo.QUOTES)}</p></blockquote>")
        parts.append(f"<h2>{second}</h2>")
        if section.slug != "رأي" and rnd.random() < 0.4:
            items = "".join(f"<li>{item}</li>" for item in rnd.choice(demo.BULLETS))
            parts.append(f"<ul>{items}</ul>")
        parts += [f"<p>{p.format(**fill)}</p>" for p in chosen[4:]]
        return "\n".join(parts)

    def byline(self, article, section, reporters, columnists):
        if section.slug == "رأي":
            authors = [self.random.choice(columnists)]
        else:
            count = 2 if self.random.random() < 0.15 else 1
            authors = self.random.sample(reporters, count)
        ArticleAuthor.objects.bulk_create(
            ArticleAuthor(article=article, author=author, position=position)
            for position, author in enumerate(authors)
        )

    def flag_stories(self, articles):
        """A handful of recent breaking stories and exactly one lead story."""
        news = [a for a in articles if a.article_type != Article.ArticleType.OPINION]
        for article in news[:40:8]:
            article.is_breaking = True
            article.save(update_fields=["is_breaking"])
        lead = news[1]
        lead.is_lead = True
        lead.save(update_fields=["is_lead"])

    def add_body_blocks(self, articles):
        """One story with a library picture in its body, one with a gallery
        of three, one with a video and a pull quote, typed as an editor
        would (articles/sanitize.py turns them into blocks on save)."""
        news = [a for a in articles if a.article_type != Article.ArticleType.OPINION]
        picture, gallery, video = news[2], news[3], news[4]
        others = [a.picture_id for a in news[20:23]]
        additions = [
            (picture, f"<p>[صورة:{news[10].picture_id}]</p>"),
            (gallery, f"<p>[معرض:{'،'.join(map(str, others))}]</p>"),
            (
                video,
                f"<p>{demo.DEMO_VIDEO_URL}</p>\n"
                f'<blockquote class="pull-quote"><p>{demo.PULL_QUOTE}</p></blockquote>',
            ),
        ]
        for article, block in additions:
            # After the second paragraph, where a reader is into the story.
            paragraphs = article.body.split("\n")
            article.body = "\n".join([*paragraphs[:2], block, *paragraphs[2:]])
            article.save()

    def curate_front_page(self, articles, editor):
        """The editors' picks for a week: a pinned lead (over the `is_lead`
        story), two top stories in an order that is not the clock's, and an
        older story at the head of the economy block."""
        news = [a for a in articles if a.article_type != Article.ArticleType.OPINION]
        economy = [a for a in news if a.section.slug == "اقتصاد"]
        ends_at = self.now + timedelta(days=7)
        pins = [
            (FrontPagePin.Slot.LEAD, None, news[5], 0),
            (FrontPagePin.Slot.TOP, None, news[9], 0),
            (FrontPagePin.Slot.TOP, None, news[7], 1),
            (FrontPagePin.Slot.SECTION_HEAD, economy[0].section, economy[2], 0),
        ]
        for slot, section, article, position in pins:
            FrontPagePin.objects.create(
                slot=slot,
                section=section,
                article=article,
                position=position,
                ends_at=ends_at,
                created_by=editor,
            )

    def correct_a_story(self, articles, editor):
        """One correction, made halfway between a story's publication and now;
        like any correction it moves the story's updated time."""
        news = [a for a in articles if a.article_type != Article.ArticleType.OPINION]
        article = news[12]
        corrected_at = article.published_at + (self.now - article.published_at) / 2
        corrected_at = corrected_at.replace(second=0, microsecond=0)
        Correction.objects.create(
            article=article,
            text=demo.CORRECTION,
            created_at=corrected_at,
            created_by=editor,
        )
        article.mark_updated(corrected_at)

    def live_coverage(self, section, reporters, articles, editor):
        """A live page running since the morning, with a dozen updates, some
        of them key points and one a picture; pinned at the top of the
        front page, where a daily puts its live coverage."""
        article = Article.objects.create(
            headline=demo.LIVE_HEADLINE,
            kicker=demo.LIVE_KICKER,
            standfirst=demo.LIVE_STANDFIRST,
            body=demo.LIVE_INTRO,
            dateline=demo.CITIES[0],
            section=section,
            picture=articles[15].picture,
            is_live=True,
            status=Article.Status.PUBLISHED,
            published_at=self.now - timedelta(hours=4),
            created_by=editor,
        )
        ArticleAuthor.objects.create(article=article, author=reporters[0])
        for minutes, title, text, key_point in demo.LIVE_UPDATES:
            when = self.now - timedelta(minutes=minutes)
            LiveUpdate.objects.create(
                article=article,
                title=title,
                body=f"<p>{text.format(picture=articles[16].picture_id)}</p>",
                is_key_point=key_point,
                author=reporters[minutes % 2],
                status=LiveUpdate.Status.PUBLISHED,
                published_at=when,
                created_by=editor,
            )
        # Seeded now, told as of the morning: each update last edited when
        # it went out, the page when its newest one did.
        article.live_updates.update(updated_at=F("published_at"))
        Article.objects.filter(pk=article.pk).update(updated_at=when)
        FrontPagePin.objects.filter(slot=FrontPagePin.Slot.TOP).update(
            position=F("position") + 1
        )
        FrontPagePin.objects.create(
            slot=FrontPagePin.Slot.TOP,
            article=article,
            position=0,
            ends_at=self.now + timedelta(days=7),
            created_by=editor,
        )

    def tag_articles(self, articles, tags):
        links = []
        everything = [tag for pool in tags.values() for tag in pool]
        for article in Article.objects.select_related("section"):
            pool = tags[article.section.slug]
            chosen = set(self.random.sample(pool, 2))
            if self.random.random() < 0.3:
                chosen.add(self.random.choice(everything))
            links += [TaggedArticle(content_object=article, tag=tag) for tag in chosen]
        TaggedArticle.objects.bulk_create(links)

    def relate_articles(self, articles):
        """Editor-picked related headlines: earlier stories from the same section."""
        links = []
        by_section = {}
        for article in reversed(articles):  # oldest first
            earlier = by_section.setdefault(article.section_id, [])
            if earlier and self.random.random() < 0.7:
                picks = self.random.sample(earlier[-8:], min(len(earlier[-8:]), 2))
                links += [
                    RelatedArticle(from_article=article, to_article=other, position=i)
                    for i, other in enumerate(picks)
                ]
            earlier.append(article)
        RelatedArticle.objects.bulk_create(links)

    def count_readings(self, articles):
        """A week of reader views for the recent stories, so "most read" has
        something to rank (real counts arrive through the view beacon)."""
        today = timezone.localdate()
        views = []
        recent = articles[:40]  # newest first; readers favour some, not the latest
        for rank, article in enumerate(self.random.sample(recent, len(recent))):
            for days_ago in range(7):
                day = today - timedelta(days=days_ago)
                if day >= timezone.localdate(article.published_at):
                    count = self.random.randint(50, 3000) // (rank + 1)
                    views.append(
                        ArticleDailyViews(article=article, day=day, views=count)
                    )
        ArticleDailyViews.objects.bulk_create(views)

    # Pictures -------------------------------------------------------------

    def render_picture(self, index):
        """An abstract illustration: a two-colour gradient, soft shapes and a
        darker band where a photo caption would sit. JPEG plus renditions."""
        rnd = random.Random(index)
        dark, light = PALETTES[index % len(PALETTES)]
        if index >= len(PALETTES):
            dark, light = light, dark
        width, height = IMAGE_SIZE
        # Build at quarter size and scale up: soft shapes don't need detail.
        small = (width // 4, height // 4)
        mask = Image.linear_gradient("L").rotate(rnd.choice([0, 45, 90, 135]))
        mask = mask.resize(small)
        image = Image.composite(
            Image.new("RGB", small, light), Image.new("RGB", small, dark), mask
        )
        layer = Image.new("RGBA", small, (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        for _ in range(rnd.randint(4, 7)):
            r = rnd.randint(20, 110)
            x, y = rnd.randint(0, small[0]), rnd.randint(0, small[1])
            colour = (255, 255, 255, rnd.randint(25, 70))
            if rnd.random() < 0.6:
                draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
            else:
                draw.rectangle((x - r, y - r // 2, x + r, y + r // 2), fill=colour)
        for _ in range(3):
            y = rnd.randint(0, small[1])
            draw.line(
                (0, y, small[0], y - rnd.randint(-60, 60)), (255, 255, 255, 60), 2
            )
        image = Image.alpha_composite(image.convert("RGBA"), layer)
        image = image.filter(ImageFilter.GaussianBlur(1.5)).resize(
            IMAGE_SIZE, Image.Resampling.BICUBIC
        )
        band = Image.new("RGBA", IMAGE_SIZE, (0, 0, 0, 0))
        draw = ImageDraw.Draw(band)
        draw.rectangle((0, height - 150, width, height), fill=(0, 0, 0, 110))
        draw.rounded_rectangle(
            (width - 620, height - 105, width - 60, height - 85),
            6,
            fill=(255, 255, 255, 200),
        )
        draw.rounded_rectangle(
            (width - 420, height - 65, width - 60, height - 50),
            6,
            fill=(255, 255, 255, 140),
        )
        image = Image.alpha_composite(image, band).convert("RGB")
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=82, optimize=True)
        return {
            "jpeg": buffer.getvalue(),
            # Low encoder effort: demo pictures are flat colour, and
            # `make run` should start quickly.
            "renditions": render_renditions(
                image, crops=ARTICLE_CROPS, widths=ARTICLE_WIDTHS, effort=1
            ),
        }

    def render_portrait(self, index):
        """A simple illustrated avatar: head, hair and shoulders on colour."""
        rnd = random.Random(100 + index)
        size = 480
        background, accent = PALETTES[index % len(PALETTES)]
        skin = rnd.choice(["#f1c27d", "#e0ac69", "#c68642", "#8d5524", "#ffdbac"])
        hair = rnd.choice(["#2c1b10", "#3b2f2f", "#1b1b1b", "#6b4423", "#a0a0a0"])
        image = Image.new("RGB", (size, size), accent)
        draw = ImageDraw.Draw(image)
        draw.ellipse((-120, -120, size + 120, size + 120), fill=background)
        draw.ellipse((90, 330, 390, 620), fill=rnd.choice(["#f4f1de", "#3d405b"]))
        draw.rectangle((205, 280, 275, 350), fill=skin)
        draw.ellipse((150, 110, 330, 310), fill=hair)
        draw.ellipse((165, 140, 315, 310), fill=skin)
        if index % 3 == 0:  # a headscarf for some
            draw.chord((140, 95, 340, 330), 180, 360, fill=hair)
        draw.ellipse((205, 205, 217, 217), fill="#222")
        draw.ellipse((263, 205, 275, 217), fill="#222")
        draw.arc((215, 240, 265, 275), 20, 160, fill="#7a3b2e", width=4)
        buffer = io.BytesIO()
        image.save(buffer, "PNG", optimize=True)
        return buffer.getvalue()
