import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import translation

from .factories import UserFactory
from .migration_data import restore_migration_data
from .second_factor import pass_second_factor

EDITORS, WRITERS = "المحررون", "الكتّاب"


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    """Fast hashing, uploads (public and private) in a temporary folder, a
    fresh cache per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language (Arabic). A test client's
    request to /en/ activates English in this thread (LocaleMiddleware) and
    nothing turns it off: the next test would build /en/ addresses."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _migration_data(request):
    """Roles, permissions and demo lists, even after a transactional test."""
    uses_database = request.node.get_closest_marker("django_db") or (
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    )
    if uses_database:
        request.getfixturevalue("_django_db_helper")
        restore_migration_data()


def _client_for(user):
    client = Client()
    client.force_login(user)
    if user.is_staff:
        # Staff personas have passed the admin's second factor.
        pass_second_factor(client, user)
    client.user = user
    return client


@pytest.fixture
def admin_client(admin_user):
    """pytest-django's superuser client, past the second factor too."""
    return _client_for(admin_user)


@pytest.fixture
def reader_user(db):
    return UserFactory(verified=True)


@pytest.fixture
def reader(reader_user):
    """A logged-in reader with a verified address."""
    return _client_for(reader_user)


@pytest.fixture
def other_reader(db):
    return _client_for(UserFactory(verified=True))


@pytest.fixture
def editor_user(db):
    user = UserFactory(is_staff=True, verified=True, name="محررة الأخبار")
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


@pytest.fixture
def editor(editor_user):
    return _client_for(editor_user)


@pytest.fixture
def writer_user(db):
    user = UserFactory(is_staff=True, verified=True, name="كاتب متدرب")
    user.groups.add(Group.objects.get(name=WRITERS))
    return user


@pytest.fixture
def writer(writer_user):
    return _client_for(writer_user)
