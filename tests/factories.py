import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import User
from articles.models import (
    Article,
    ArticleAuthor,
    Author,
    Correction,
    LiveUpdate,
    Picture,
    Section,
)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"reader{n}@example.com")
    name = factory.Sequence(lambda n: f"قارئ {n}")
    password = factory.django.Password("correct-horse-battery")

    class Params:
        verified = factory.Trait(email_verified_at=factory.LazyFunction(timezone.now))


class SectionFactory(DjangoModelFactory):
    class Meta:
        model = Section
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"قسم {n}")
    slug = factory.Sequence(lambda n: f"قسم-{n}")
    position = factory.Sequence(int)


class AuthorFactory(DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"كاتب {n}")
    slug = factory.Sequence(lambda n: f"كاتب-{n}")
    bio = "صحافي يغطي الشؤون العربية."


class PictureFactory(DjangoModelFactory):
    """A picture in the media library (renditions: images.make_renditions)."""

    class Meta:
        model = Picture

    image = factory.django.ImageField(
        filename="photo.jpg", format="JPEG", width=1600, height=900
    )
    alt = "متظاهرون في ساحة المدينة"
    caption = "الساحة صباح اليوم"
    credit = "وكالة الأنباء"


class ArticleFactory(DjangoModelFactory):
    """A published article; traits give the other states."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    headline = factory.Sequence(lambda n: f"عنوان الخبر رقم {n}")
    standfirst = "موجز الخبر في سطرين يشرحان ما حدث ولماذا يهم."
    body = "<p>نص الخبر الكامل مع التفاصيل والسياق.</p>"
    dateline = "الرباط"
    section = factory.SubFactory(SectionFactory)
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(
        lambda: timezone.now() - timezone.timedelta(hours=1)
    )

    class Params:
        draft = factory.Trait(status=Article.Status.DRAFT, published_at=None)
        in_review = factory.Trait(status=Article.Status.REVIEW, published_at=None)
        withdrawn = factory.Trait(status=Article.Status.WITHDRAWN)
        scheduled = factory.Trait(
            published_at=factory.LazyFunction(
                lambda: timezone.now() + timezone.timedelta(days=1)
            )
        )
        opinion = factory.Trait(article_type=Article.ArticleType.OPINION)
        live = factory.Trait(is_live=True)

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if create and extracted:
            for position, author in enumerate(extracted):
                ArticleAuthor.objects.create(
                    article=self, author=author, position=position
                )

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)


class CorrectionFactory(DjangoModelFactory):
    """A correction on a published story, made a few minutes ago."""

    class Meta:
        model = Correction

    article = factory.SubFactory(ArticleFactory)
    text = factory.Sequence(
        lambda n: f"ورد في نسخة سابقة أن عدد المشاركين {n + 10}، والصحيح {n + 12}."
    )
    created_at = factory.LazyFunction(
        lambda: timezone.now() - timezone.timedelta(minutes=5)
    )

    class Params:
        editors_note = factory.Trait(kind=Correction.Kind.EDITORS_NOTE)


class LiveUpdateFactory(DjangoModelFactory):
    """A published update of a live page, posted a minute ago."""

    class Meta:
        model = LiveUpdate

    article = factory.SubFactory(ArticleFactory, live=True)
    body = factory.Sequence(
        lambda n: f"<p>وصلت الآن معلومات جديدة رقم {n} من الميدان.</p>"
    )
    status = LiveUpdate.Status.PUBLISHED
    published_at = factory.LazyFunction(
        lambda: timezone.now() - timezone.timedelta(minutes=1)
    )

    class Params:
        pending = factory.Trait(status=LiveUpdate.Status.PENDING, published_at=None)
