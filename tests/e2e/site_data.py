"""A small but realistic newsroom for the browser journeys.

Built once per test (the live server needs a transactional database, which is
emptied after each test); it takes a fraction of a second.
"""

import functools
import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import translation
from PIL import Image, ImageDraw, ImageOps

from articles.images import (
    ARTICLE_CROPS,
    ARTICLE_WIDTHS,
    make_renditions,
    render_renditions,
)
from articles.models import Article, Author, Picture, RelatedArticle, Section, Tag
from articles.search.documents import update_search_document
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    PictureFactory,
    SectionFactory,
)

BODY = (
    "<p>اجتمع وزراء الطاقة في المنطقة صباح اليوم لبحث خطة مشتركة تربط شبكات "
    "الكهرباء وتوسّع محطات الطاقة الشمسية وطاقة الرياح خلال السنوات الخمس المقبلة.</p>"
    "<h2>ما الذي تتضمنه الخطة؟</h2>"
    "<p>تقترح الخطة صندوقًا إقليميًا لتمويل المشروعات الصغيرة، وتوحيد معايير "
    "الربط بين الدول، وبرامج لتدريب المهندسين الشباب.</p>"
    "<blockquote><p>«لا يمكن لأي دولة أن تنجح وحدها في هذا التحول»، قالت رئيسة الوفد.</p></blockquote>"
    "<p>ويرى خبراء أن نجاح الخطة يتوقف على تمويل مستقر وعلى إرادة سياسية تتجاوز "
    "الخلافات القديمة.</p>"
)


def jpeg_bytes(width=960, height=540, dark="#1d3557", light="#e9c46a"):
    """A sky-and-sun picture (a flat colour looks like a broken image in
    screenshots)."""
    sky = Image.linear_gradient("L").resize((width, height))
    image = ImageOps.colorize(sky, dark, light)
    draw = ImageDraw.Draw(image)
    radius = height // 7
    sun = (width * 2 // 3, height * 3 // 5)
    draw.ellipse(
        (sun[0] - radius, sun[1] - radius, sun[0] + radius, sun[1] + radius),
        fill="#fff3c4",
    )
    draw.rectangle((0, height * 3 // 4, width, height), fill="#3d405b")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


@functools.cache
def picture(dark, light):
    """The JPEG and its WebP renditions, encoded once per test session."""
    data = jpeg_bytes(dark=dark, light=light)
    with Image.open(io.BytesIO(data)) as image:
        rendered = render_renditions(image, crops=ARTICLE_CROPS, widths=ARTICLE_WIDTHS)
    return data, rendered


def with_picture(article, alt, dark="#1d3557", light="#e9c46a"):
    data, rendered = picture(dark, light)
    article.picture = Picture.objects.create(
        image=ContentFile(data, name="photo.jpg"),
        alt=alt,
        caption="من أعمال القمة صباح اليوم",
        credit="وكالة الأنباء",
    )
    article.save()
    make_renditions(article.picture, rendered)
    return article


@dataclass
class Newsroom:
    politics: Section
    economy: Section
    author: Author
    tag: Tag
    lead: Article
    related: Article
    search_target: Article


def build_newsroom() -> Newsroom:
    politics = SectionFactory(name="سياسة", slug="سياسة", position=1)
    economy = SectionFactory(name="اقتصاد", slug="اقتصاد", position=2)
    sport = SectionFactory(name="رياضة", slug="رياضة", position=3)
    author = AuthorFactory(name="ليلى حداد", slug="ليلى-حداد")
    colleague = AuthorFactory(name="سامر الخطيب", slug="سامر-الخطيب")

    related = ArticleFactory(
        section=economy,
        headline="أسعار الألواح الشمسية تتراجع للعام الثالث على التوالي",
        standfirst="انخفاض التكلفة يفتح الباب أمام المنازل والمزارع الصغيرة.",
        authors=[colleague],
        tags=["الطاقة المتجددة"],
    )
    with_picture(related, "ألواح شمسية فوق سطح مبنى", dark="#264653", light="#2a9d8f")
    lead = ArticleFactory(
        section=politics,
        headline="قمة إقليمية تبحث خطة مشتركة للطاقة المتجددة",
        kicker="الطاقة",
        standfirst="الوزراء يناقشون ربط شبكات الكهرباء وتمويل مشروعات الشمس والرياح.",
        body=BODY,
        dateline="عمّان",
        is_lead=True,
        authors=[author],
        tags=["الطاقة المتجددة", "قمم"],
    )
    with_picture(lead, "وزراء الطاقة حول طاولة الاجتماع")
    RelatedArticle.objects.create(from_article=lead, to_article=related)
    search_target = ArticleFactory(
        section=economy,
        headline="الأسواق المالية تترقب قرار البنك المركزي بشأن الفائدة",
        standfirst="المستثمرون يراهنون على تثبيت أسعار الفائدة حتى نهاية العام.",
        authors=[colleague],
        tags=["أسواق"],
    )
    others = [
        ArticleFactory(
            section=section,
            headline=headline,
            standfirst=standfirst,
            authors=[colleague if n % 2 else author],
            tags=["قمم"] if n == 0 else [],
        )
        for n, (section, headline, standfirst) in enumerate(
            [
                (
                    politics,
                    "البرلمان يقر قانون الانتخابات الجديد بعد نقاش طويل",
                    "القانون يوسّع الدوائر ويخصص مقاعد للشباب.",
                ),
                (
                    economy,
                    "صادرات الزيتون ترتفع مع موسم حصاد وفير",
                    "المزارعون يتوقعون أفضل موسم منذ عشر سنوات.",
                ),
                (
                    sport,
                    "المنتخب يستعد لمباراة الحسم في التصفيات القارية",
                    "المدرب يستدعي ثلاثة لاعبين جدد قبل اللقاء.",
                ),
                (
                    sport,
                    "بطلة الجمباز تحصد ذهبية جديدة في البطولة العربية",
                    "الذهبية الثالثة لها في أقل من عام.",
                ),
                (
                    politics,
                    "وزير الخارجية يبدأ جولة تشمل ثلاث عواصم",
                    "الجولة تركز على المياه والتجارة والحدود.",
                ),
            ]
        )
    ]
    everything = [related, lead, search_target, *others]
    # Written when published, so the pages show no "last updated" line
    # (update() leaves auto_now alone).
    Article.objects.filter(pk__in=[a.pk for a in everything]).update(
        updated_at=F("published_at")
    )
    for article in everything:
        update_search_document(article)
    return Newsroom(
        politics=politics,
        economy=economy,
        author=author,
        tag=Tag.objects.get(name="الطاقة المتجددة"),
        lead=lead,
        related=related,
        search_target=search_target,
    )


def story_with_every_block(section, author):
    """A story with each thing a body can hold: headings, lists, a pull
    quote, a "read also" box, a picture and a gallery from the library, and
    posts from YouTube and X; a correction and an editor's note under it."""
    pictures = [
        PictureFactory(caption=f"لقطة رقم {n} من الميناء", credit="وكالة الأنباء")
        for n in (1, 2, 3)
    ]
    for library_picture in pictures:
        make_renditions(library_picture)
    gallery = ",".join(str(p.pk) for p in pictures)
    read_also = ArticleFactory(section=section, headline="الميناء يوسّع أرصفته")
    with translation.override("ar"):
        read_also_path = read_also.get_absolute_url()
    story = ArticleFactory(
        section=section,
        headline="الميناء يستقبل أكبر سفينة حاويات",
        kicker="نقل",
        authors=[author, AuthorFactory(name="سامي الراوي", slug="سامي-الراوي")],
        tags=["موانئ", "تجارة"],
        body=(
            "<p>رست السفينة فجر اليوم.</p>"
            "<h2>ماذا يعني ذلك؟</h2><h3>للتجارة</h3>"
            "<ul><li>أرصفة أطول</li><li>رافعات أكبر</li></ul>"
            '<ol start="3"><li>ثالثًا</li></ol>'
            '<blockquote class="pull-quote"><p>«يوم تاريخي للميناء»</p></blockquote>'
            f'<p class="related"><a href="{read_also_path}">الميناء يوسّع أرصفته</a></p>'
            f'<figure class="picture" data-picture="{pictures[0].pk}"></figure>'
            "<p>وفي <strong>التفاصيل</strong> <em>الكاملة</em> "
            '<a href="https://example.com/report">تقرير</a>.</p>'
            f'<figure class="picture" data-picture="{gallery}"></figure>'
            "<p>https://youtu.be/dQw4w9WgXcQ</p>"
            "<p>https://x.com/newsroom/status/1234567890</p>"
            "<p>خاتمة.</p>"
        ),
    )
    CorrectionFactory(article=story)
    CorrectionFactory(article=story, editors_note=True)
    return story
