"""Media on object storage (MEDIA_STORAGE=s3, django-storages), against a
local S3-compatible server (moto's, started by the test): an upload's
original lands in the private bucket, its renditions in the public one with
long cache lives, pages point readers at them, and deleting the picture
deletes its renditions."""

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from articles.models import Picture
from tests.factories import SectionFactory
from tests.redis_server import free_port

from .admin_forms import ADD_URL, article_data, errors_of, upload

pytestmark = [pytest.mark.django_db, pytest.mark.s3]

PICTURES_URL = "/admin/articles/picture/"
BASE_DIR = Path(__file__).resolve().parents[2]
CREDENTIALS = {"access_key": "testing", "secret_key": "testing"}


@pytest.fixture(scope="module")
def s3_server():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def buckets(s3_server, settings):
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    names = {"public": f"media-{free_port()}", "private": f"originals-{free_port()}"}
    for name in names.values():
        client.create_bucket(Bucket=name)
    # The public bucket as the README sets it up: anyone may read its files.
    client.put_bucket_policy(
        Bucket=names["public"],
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{names['public']}/*",
                    }
                ],
            }
        ),
    )
    options = {**CREDENTIALS, "endpoint_url": s3_server, "region_name": "us-east-1"}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **options,
                "bucket_name": names["public"],
                "querystring_auth": False,
                "object_parameters": {
                    "CacheControl": "public, max-age=31536000, immutable"
                },
            },
        },
        "originals": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**options, "bucket_name": names["private"]},
        },
    }

    def keys(which):
        listing = client.list_objects_v2(Bucket=names[which])
        return [item["Key"] for item in listing.get("Contents", [])]

    return client, names, keys


def test_an_upload_goes_to_the_buckets_and_pages_point_at_them(
    editor, client, committed, buckets
):
    s3, names, keys = buckets
    with committed():
        response = editor.post(
            ADD_URL,
            article_data(
                SectionFactory(),
                headline="سوق المدينة",
                status="published",
                image=upload(),
                image_alt="سوق المدينة القديمة",
            ),
        )
    assert response.status_code == 302, errors_of(response)
    picture = Picture.objects.get()

    # The original, camera data and all, in the private bucket only.
    assert keys("private") == [picture.image.name]
    assert picture.image.name not in keys("public")
    # Its renditions in the public one, as WebP that caches may keep for good.
    names_16x9 = [r["name"] for r in picture.renditions["16x9"]]
    assert set(names_16x9) <= set(keys("public"))
    head = s3.head_object(Bucket=names["public"], Key=names_16x9[0])
    assert head["ContentType"] == "image/webp"
    assert "immutable" in head["CacheControl"]

    # The story page sends readers to the bucket, and the file is there.
    html = client.get(Picture.objects.get().articles.get().get_absolute_url())
    html = html.content.decode()
    url = next(
        part.split('"')[0]
        for part in html.split('src="')[1:]
        if names["public"] in part.split('"')[0]
    )
    with urllib.request.urlopen(url) as fetched:
        assert fetched.read(12)[8:12] == b"WEBP"

    # Staff read the original through Django, never from a public address.
    original = editor.get(f"{PICTURES_URL}{picture.pk}/original/")
    assert original.status_code == 200
    assert b"".join(original.streaming_content)[:4] == b"\x89PNG"


def test_deleting_a_picture_deletes_its_renditions(editor, committed, buckets):
    _, _, keys = buckets
    with committed():
        editor.post(
            f"{PICTURES_URL}add/",
            {
                "image": upload(),
                "alt": "منظر عام للميناء",
                "focal_x": "0.5",
                "focal_y": "0.5",
            },
        )
    picture = Picture.objects.get()
    assert keys("public") and keys("private")

    with committed():
        editor.post(f"{PICTURES_URL}{picture.pk}/delete/", {"post": "yes"})

    assert not Picture.objects.exists()
    assert keys("public") == []
    # The original stays, private: the history may still point at it.
    assert keys("private") == [picture.image.name]


def test_the_environment_switches_media_to_object_storage():
    code = (
        "from django.conf import settings as s;"
        "print(s.STORAGES['default']['BACKEND'], s.STORAGES['originals']['OPTIONS']"
        "['bucket_name'], s.SECURE_CSP['img-src'][-1])"
    )
    env = {
        **os.environ,
        "MEDIA_STORAGE": "s3",
        "MEDIA_BUCKET": "news-media",
        "MEDIA_PRIVATE_BUCKET": "news-originals",
        "MEDIA_CUSTOM_DOMAIN": "media.news.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "storages.backends.s3.S3Storage news-originals https://media.news.example.com"
    )
