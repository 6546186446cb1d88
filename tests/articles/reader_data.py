"""Builders for reader-site tests: pictures with renditions, a full front page."""

import io

from django.core.files.base import ContentFile
from PIL import Image

from articles.images import make_photo_renditions, make_renditions
from articles.models import Picture, RelatedArticle
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory


def jpeg(width=1600, height=900, color=(40, 90, 140)):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG")
    return ContentFile(buffer.getvalue(), name="photo.jpg")


def with_image(article, **fields):
    """Give `article` a lead picture from the library, with its renditions,
    as the admin would."""
    article.picture = Picture.objects.create(
        image=jpeg(),
        alt=fields.get("alt", "متظاهرون في ساحة المدينة"),
        caption=fields.get("caption", "الساحة صباح اليوم"),
        credit=fields.get("credit", "وكالة الأنباء"),
    )
    article.save()
    make_renditions(article.picture)
    return article


def columnist(**kwargs):
    author = AuthorFactory(is_columnist=True, **kwargs)
    author.photo = jpeg(400, 400, (160, 120, 90))
    author.save()
    make_photo_renditions(author)
    return author


def front_page_data(articles=300, sections=6):
    """A site of `articles` published stories (some with pictures) plus the
    other states, spread over sections, with columnists and related links."""
    section_list = [SectionFactory() for _ in range(sections)]
    authors = [AuthorFactory() for _ in range(4)]
    columnists = [columnist() for _ in range(3)]
    created = []
    for n in range(articles):
        article = ArticleFactory(
            section=section_list[n % sections],
            authors=[authors[n % 4]] if n % 5 else [columnists[n % 3]],
            opinion=n % 5 == 0,
            is_breaking=n < 2,
            is_lead=n == 3,
            tags=[f"وسم {n % 7}", f"وسم {n % 11}"],
        )
        created.append(article)
    for article in created[:4]:
        with_image(article)
    RelatedArticle.objects.create(from_article=created[3], to_article=created[-1])
    ArticleFactory(draft=True, section=section_list[0], headline="مسودة سرية")
    ArticleFactory(scheduled=True, section=section_list[0], headline="خبر مجدول")
    ArticleFactory(withdrawn=True, section=section_list[0], headline="خبر مسحوب")
    ArticleFactory(in_review=True, section=section_list[0], headline="خبر قيد المراجعة")
    return created
