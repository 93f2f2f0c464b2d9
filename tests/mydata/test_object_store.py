"""Uploads on an S3-compatible object store (moto's standalone server, which speaks S3 over HTTP).

Upload, replacement, export (bytes included) and deletion through the app; a
failing store answers 503 and keeps nothing; objects stay private; orphans
are swept.
"""

from __future__ import annotations

import base64
import io
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from coaching.coach.photos import photo_orphans_sweep
from coaching.models import Photo, ToolCompletion
from deploy import objectstore
from deploy.services import ServiceFailed
from tests.pages.test_views import HTMX, png_bytes, post, upload
from tests.support import free_port

pytestmark = [pytest.mark.pooled, pytest.mark.django_db]

UPLOAD = "/tools/foto-advies/photo_uploaded/"


@pytest.fixture(scope="module")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto_server on a free loopback port, for this module (started as `make cluster` starts it)."""
    try:
        service, endpoint = objectstore.start(tmp_path_factory.mktemp("moto") / "moto.log")
    except (FileNotFoundError, ServiceFailed) as failure:
        pytest.fail(str(failure))
    yield endpoint
    service.stop(timeout=10)


def use_bucket(settings: Any, endpoint: str, bucket: str) -> None:
    """The app's uploads go to ``bucket`` at ``endpoint``, configured as settings.py does from the environment."""
    settings.AWS_S3_ENDPOINT_URL = endpoint
    settings.AWS_S3_REGION_NAME = objectstore.REGION
    settings.AWS_ACCESS_KEY_ID = objectstore.CREDENTIALS["aws_access_key_id"]
    settings.AWS_SECRET_ACCESS_KEY = objectstore.CREDENTIALS["aws_secret_access_key"]
    settings.AWS_DEFAULT_ACL = "private"
    settings.AWS_S3_FILE_OVERWRITE = False
    settings.AWS_STORAGE_BUCKET_NAME = bucket
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage"}}


@pytest.fixture
def bucket(settings: Any, moto_endpoint: str) -> Any:
    """A fresh private bucket the app's uploads go to; the boto3 client to look into it."""
    name = f"datespark-{uuid.uuid4().hex[:12]}"
    client = objectstore.client(moto_endpoint)
    client.create_bucket(Bucket=name)
    use_bucket(settings, moto_endpoint, name)
    client.bucket_name = name
    return client


def keys(bucket: Any) -> set[str]:
    return {item["Key"] for item in bucket.list_objects_v2(Bucket=bucket.bucket_name).get("Contents", [])}


def test_an_upload_lands_in_the_bucket_privately_and_is_served_through_the_app(
    browser: Client, user: Any, bucket: Any
) -> None:
    response = post(browser, UPLOAD, {"photo": upload(png_bytes())}, **HTMX)
    assert response.status_code == 200
    photo = Photo.objects.get(user=user)
    assert keys(bucket) == {photo.image.name}
    grants = bucket.get_object_acl(Bucket=bucket.bucket_name, Key=photo.image.name)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner only: nothing public
    served = browser.get(f"/foto/{photo.id}.jpg")
    assert served.status_code == 200
    assert b"".join(served.streaming_content)[:2] == b"\xff\xd8"  # a JPEG, from the bucket


def test_a_replaced_photo_leaves_the_bucket_after_commit(
    browser: Client, user: Any, bucket: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        post(browser, UPLOAD, {"photo": upload(png_bytes())}, **HTMX)
    first = Photo.objects.get(user=user).image.name
    with django_capture_on_commit_callbacks(execute=True):
        post(browser, UPLOAD, {"photo": upload(png_bytes(color=(10, 200, 10)))}, **HTMX)
    assert keys(bucket) == {Photo.objects.get(user=user).image.name}
    assert first not in keys(bucket)


def test_the_export_carries_the_bytes_from_the_bucket(browser: Client, user: Any, bucket: Any) -> None:
    post(browser, UPLOAD, {"photo": upload(png_bytes())}, **HTMX)
    photo = Photo.objects.get(user=user)
    stored = bucket.get_object(Bucket=bucket.bucket_name, Key=photo.image.name)["Body"].read()
    exported = browser.get("/mijn-gegevens/export/").json()
    (item,) = exported["uploads"]
    assert base64.b64decode(item["dataBase64"]) == stored and item["sizeBytes"] == len(stored)


def test_deleting_the_account_removes_its_objects(
    browser: Client, user: Any, bucket: Any, django_capture_on_commit_callbacks: Any
) -> None:
    post(browser, UPLOAD, {"photo": upload(png_bytes())}, **HTMX)
    assert keys(bucket)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(browser, "/mijn-gegevens/verwijderen/", {"password": "geheim-wachtwoord-1", "confirm": "on"})
    assert response.status_code == 302
    assert keys(bucket) == set()


@pytest.mark.parametrize("failure", ["no such bucket", "store away"])
def test_a_failing_store_answers_503_and_keeps_nothing(
    browser: Client, user: Any, settings: Any, moto_endpoint: str, failure: str
) -> None:
    if failure == "no such bucket":  # the store answers, with an error (botocore's ClientError)
        use_bucket(settings, moto_endpoint, f"missing-{uuid.uuid4().hex[:8]}")
    else:  # nothing listens (botocore's EndpointConnectionError)
        use_bucket(settings, f"http://127.0.0.1:{free_port()}", "datespark")
    response = post(browser, UPLOAD, {"photo": upload(png_bytes())}, **HTMX)
    assert response.status_code == 503
    assert "kon nu niet worden opgeslagen" in response.content.decode()
    assert not Photo.objects.exists()


def test_a_photo_the_store_cannot_give_back_answers_503_and_records_nothing(
    browser: Client, user: Any, settings: Any, bucket: Any
) -> None:
    assert post(browser, UPLOAD, {"photo": upload(png_bytes())}, **HTMX).status_code == 200
    use_bucket(settings, f"http://127.0.0.1:{free_port()}", bucket.bucket_name)  # the store goes away
    response = post(browser, "/tools/foto-advies/analysis_viewed/", {}, **HTMX)
    assert response.status_code == 503
    assert "even niet bereikbaar" in response.content.decode()
    assert not ToolCompletion.objects.filter(user=user, action_name="analysis_viewed").exists()


def test_orphans_are_swept_and_live_photos_kept(browser: Client, user: Any, bucket: Any) -> None:
    post(browser, UPLOAD, {"photo": upload(png_bytes())}, **HTMX)
    live = Photo.objects.get(user=user).image.name
    orphan = f"photos/{user.pk}/{uuid.uuid4().hex}.jpg"
    bucket.put_object(Bucket=bucket.bucket_name, Key=orphan, Body=io.BytesIO(b"stale"))

    assert photo_orphans_sweep(storage=default_storage, now=timezone.now()) == []  # younger than an hour: kept
    assert photo_orphans_sweep(storage=default_storage, now=timezone.now() + timedelta(hours=2)) == [orphan]
    assert keys(bucket) == {live}
    call_command("photos_sweep", stdout=io.StringIO())  # the operator's command runs on the same store


def test_a_photo_is_a_503_while_the_store_is_away(browser: Client, user: Any, bucket: Any, settings: Any) -> None:
    post(browser, UPLOAD, {"photo": upload(png_bytes())}, **HTMX)
    photo = Photo.objects.get(user=user)
    use_bucket(settings, f"http://127.0.0.1:{free_port()}", bucket.bucket_name)  # nothing listens there
    response = browser.get(f"/foto/{photo.id}.jpg")
    assert response.status_code == 503
    assert "niet bereikbaar" in response.content.decode()
