"""Uploaded files in S3-compatible object storage (django-storages' S3
backend), tested against a local S3 server (moto's, started here): an
attachment is stored in the bucket, not the local folder, read back through
the access-checked views, and removed with its record."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from moto.server import ThreadedMotoServer

from councils import services
from councils.models import Case

BUCKET = "samspill-test"
KEYS = {"access_key": "test-key", "secret_key": "test-secret"}


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(s3_server: str, settings: Any, tmp_path: Path) -> Any:
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
    )
    client.create_bucket(Bucket=BUCKET)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_server,
                "region_name": "us-east-1",
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
                **KEYS,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(client: Any) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


@pytest.mark.django_db
def test_an_attachment_lives_in_the_bucket_and_is_read_through_the_views(
    s3: Any, people: Any, as_person: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = Case.objects.get(partnership__slug="hnt", title__startswith="Handlingsplan for")
    data = b"Innhold i vedlegget " * 100
    attachment = services.add_attachment(
        case, SimpleUploadedFile("plan.txt", data), title="Plan", by=people.sara
    )
    assert _keys(s3) == [attachment.file.name]
    stored = io.BytesIO()
    s3.download_fileobj(BUCKET, attachment.file.name, stored)
    assert stored.getvalue() == data
    assert not Path(settings.MEDIA_ROOT).exists()  # nothing in the local folder
    # Private in the bucket: read only through the views that check access.
    acl = s3.get_object_acl(Bucket=BUCKET, Key=attachment.file.name)
    assert not [g for g in acl["Grants"] if "AllUsers" in str(g["Grantee"])]
    download = as_person("lena").get(f"/hnt/intern/rad/vedlegg/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data
    public = as_person(None).get(f"/hnt/helsefellesskap/rad/vedlegg/{attachment.pk}/")
    assert b"".join(public.streaming_content) == data
    with django_capture_on_commit_callbacks(execute=True):
        response = as_person("sara").post(f"/hnt/intern/rad/vedlegg/{attachment.pk}/fjern/")
    assert response.status_code == 302
    assert _keys(s3) == []
