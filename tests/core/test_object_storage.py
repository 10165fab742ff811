"""Media and dossier files on S3-compatible object storage, by settings.

The settings are read in a fresh interpreter with the variables set (as a
deployment starts). The round trip runs against moto's in-process S3
(`mock_aws`: botocore's real requests, answered in memory), since no
S3-compatible server runs here: a dossier upload is saved to the private
bucket under its prefix, with no public grant, read back through the
applicant's download view, and deleted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from core.s3 import PrivateS3Storage
from eforms.models import Attachment
from eforms.uploads import UploadRules, check_file, store
from tests.dossier_factories import make_citizen, make_procedure, pdf_bytes, submit, upload

moto = pytest.importorskip("moto")

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_CODE = (
    "import django, json; django.setup(); from django.conf import settings as s;"
    "print(json.dumps({'storages': s.STORAGES, 'img': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']}))"
)


def settings_with(extra: dict) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PORTAL_S3_", "AWS_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.dev", **extra})
    return subprocess.run([sys.executable, "-c", SETTINGS_CODE], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


def test_local_folders_are_the_default():
    result = settings_with({})
    assert result.returncode == 0, result.stderr
    storages_ = json.loads(result.stdout.splitlines()[-1])["storages"]
    assert storages_["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert storages_["private"]["BACKEND"] == "core.storage.PrivateStorage"
    assert storages_["private_keys"] == {"BACKEND": "core.storage.PrivateStorage", "OPTIONS": {"owner_only": True}}


def test_one_bucket_with_two_prefixes_on_an_s3_compatible_server():
    result = settings_with({
        "PORTAL_S3_BUCKET": "dvc-files", "PORTAL_S3_ENDPOINT_URL": "https://s3.example.vn",
        "PORTAL_S3_REGION": "hn-1", "PORTAL_S3_ACCESS_KEY_ID": "AKEXAMPLE", "PORTAL_S3_SECRET_ACCESS_KEY": "s3cr3t",
        "PORTAL_S3_ADDRESSING_STYLE": "path", "PORTAL_S3_CUSTOM_DOMAIN": "media.dichvucong.example.vn",
    })
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.splitlines()[-1])
    media, private, keys = (found["storages"][alias] for alias in ("default", "private", "private_keys"))
    assert media["BACKEND"] == "storages.backends.s3.S3Storage"
    assert private["BACKEND"] == keys["BACKEND"] == "core.s3.PrivateS3Storage"
    common = {"endpoint_url": "https://s3.example.vn", "region_name": "hn-1", "access_key": "AKEXAMPLE",
              "secret_key": "s3cr3t", "addressing_style": "path", "bucket_name": "dvc-files", "default_acl": None,
              "file_overwrite": False}
    assert media["OPTIONS"] == {**media["OPTIONS"], **common, "location": "media", "querystring_auth": False,
                                "custom_domain": "media.dichvucong.example.vn"}
    assert private["OPTIONS"] == {**private["OPTIONS"], **common, "location": "private"}
    assert "custom_domain" not in private["OPTIONS"]
    # public pages may show images from the media domain
    assert found["img"] == ["'self'", "https://media.dichvucong.example.vn"]


def test_a_private_bucket_of_its_own_and_overlapping_prefixes_refused():
    result = settings_with({"PORTAL_S3_BUCKET": "dvc-media", "PORTAL_S3_PRIVATE_BUCKET": "dvc-private",
                            "PORTAL_S3_PRIVATE_PREFIX": ""})
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.splitlines()[-1])
    assert found["storages"]["private"]["OPTIONS"]["bucket_name"] == "dvc-private"
    assert found["storages"]["private"]["OPTIONS"]["location"] == ""
    assert found["img"] == ["'self'", "https://dvc-media.s3.amazonaws.com"]
    # only the private store on object storage: the media stay on disk
    result = settings_with({"PORTAL_S3_PRIVATE_BUCKET": "dvc-private"})
    found = json.loads(result.stdout.splitlines()[-1])["storages"]
    assert found["default"]["BACKEND"].endswith("FileSystemStorage")
    assert found["private"]["BACKEND"] == "core.s3.PrivateS3Storage"
    # the private prefix inside the public one would publish dossier files
    for prefixes in ({"PORTAL_S3_PRIVATE_PREFIX": "media/private"}, {"PORTAL_S3_MEDIA_PREFIX": ""}):
        result = settings_with({"PORTAL_S3_BUCKET": "dvc-files", **prefixes})
        assert result.returncode != 0 and "two separate, non-empty prefixes" in result.stderr


BUCKET = "dvc-test-files"
S3_OPTIONS = {"bucket_name": BUCKET, "region_name": "us-east-1", "access_key": "testing", "secret_key": "testing",
              "signature_version": "s3v4", "file_overwrite": False, "default_acl": None}
S3_STORAGES = {
    "default": {"BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {**S3_OPTIONS, "location": "media", "querystring_auth": False}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {"BACKEND": "core.s3.PrivateS3Storage", "OPTIONS": {**S3_OPTIONS, "location": "private"}},
    "private_keys": {"BACKEND": "core.s3.PrivateS3Storage", "OPTIONS": {**S3_OPTIONS, "location": "private"}},
}


@pytest.fixture
def s3():
    """moto's S3 with the bucket, and the portal's storages pointed at it."""
    import boto3

    with moto.mock_aws():
        client = boto3.client("s3", region_name="us-east-1", aws_access_key_id="testing",
                              aws_secret_access_key="testing")
        client.create_bucket(Bucket=BUCKET)
        with override_settings(STORAGES=S3_STORAGES):
            yield client


@pytest.mark.django_db
def test_a_dossier_upload_goes_to_the_private_bucket_and_comes_back_through_the_download_view(s3):
    content = pdf_bytes("Ban sao CCCD tren S3")
    citizen = make_citizen("an")
    attachment = store(check_file(upload("cccd.pdf", content), UploadRules.default(), "ban_sao_cccd"),
                       uploaded_by=citizen)
    submit(make_procedure(), citizen, attachments=[attachment])
    attachment = Attachment.objects.get(pk=attachment.pk)
    assert isinstance(storages["private"], PrivateS3Storage)

    key = f"private/{attachment.file.name}"
    [listed] = s3.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert listed["Key"] == key and listed["Size"] == len(content)
    grants = s3.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    assert not [g for g in grants if "AllUsers" in g["Grantee"].get("URI", "")]  # never public
    with pytest.raises(ValueError):
        attachment.file.url  # no URL at all, signed or not  # noqa: B018
    with pytest.raises(NotImplementedError):
        attachment.file.path  # and no local path: nothing may rely on one  # noqa: B018

    client = Client()
    client.force_login(citizen)
    with translation.override("vi"):
        address = reverse("dossier_attachment", kwargs={"public_id": attachment.public_id})
    response = client.get(address)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"].startswith("attachment;") and "no-store" in response["Cache-Control"]
    assert Client().get(address).status_code == 302  # a stranger is sent to log in, as before

    attachment.delete()
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


@pytest.mark.django_db
def test_healthz_asks_the_buckets(s3):
    assert Client().get("/healthz").json()["checks"]["storage"] == "ok"
    s3.delete_bucket(Bucket=BUCKET)
    response = Client().get("/healthz")
    assert response.status_code == 503 and response.json()["checks"]["storage"].startswith("down: ")


@pytest.mark.django_db
def test_public_media_get_plain_urls_under_their_prefix(s3):
    from django.core.files.base import ContentFile

    name = storages["default"].save("images/logo.png", ContentFile(b"png"))
    assert storages["default"].url(name) == f"https://{BUCKET}.s3.amazonaws.com/media/{name}"
    assert s3.get_object(Bucket=BUCKET, Key=f"media/{name}")["Body"].read() == b"png"
