"""The jobs' and endpoints' object store reads moto's S3 backend directly: it must find what
the S3 API finds (ListObjectsV2 and GetObject through a client) for every kind of key."""

from __future__ import annotations

import pytest

from localcloud import LocalCloud
from localcloud.job_staging import Boto3ObjectStore, JobSetupError
from localcloud.s3_objects import BackendObjectStore

ACCOUNT = "123456789012"
KEYS = {
    "code/train.py": b"print('train')",
    "code/lib/helpers.py": b"x = 1",
    "code/lib/": b"",  # a console-made "folder"
    "code/with space and é.py": b"accented",
    "code/\U0001f600.py": b"beyond the BMP sorts after every BMP key, as in UTF-8",
    "code/\uffff.py": b"the last BMP code point",
    "codebase/not-under-code-slash.py": b"shares the prefix letters",
    "data/train.csv": b"a,b\n1,2\n",
}


def _stores(cloud: LocalCloud) -> tuple[Boto3ObjectStore, BackendObjectStore]:
    s3 = cloud.client("s3")
    return Boto3ObjectStore(s3), BackendObjectStore(ACCOUNT, "us-east-1", s3)


@pytest.mark.parametrize("prefix", ["", "code/", "code", "code/lib/", "data/train.csv", "none/"])
def test_listing_and_reading_agree_with_the_api(localcloud: LocalCloud, prefix: str) -> None:
    s3 = localcloud.client("s3")
    s3.create_bucket(Bucket="staging-agrees")
    for key, body in KEYS.items():
        s3.put_object(Bucket="staging-agrees", Key=key, Body=body)
    api, backend = _stores(localcloud)
    listed = api.list_keys("staging-agrees", prefix)
    assert backend.list_keys("staging-agrees", prefix) == listed
    for key in listed:
        assert backend.get("staging-agrees", key) == api.get("staging-agrees", key)


def test_a_versioned_bucket_reads_the_latest_and_skips_deleted_keys(
    localcloud: LocalCloud,
) -> None:
    s3 = localcloud.client("s3")
    s3.create_bucket(Bucket="staging-versions")
    s3.put_bucket_versioning(
        Bucket="staging-versions", VersioningConfiguration={"Status": "Enabled"}
    )
    s3.put_object(Bucket="staging-versions", Key="in/a.csv", Body=b"first")
    s3.put_object(Bucket="staging-versions", Key="in/a.csv", Body=b"second")
    s3.put_object(Bucket="staging-versions", Key="in/b.csv", Body=b"deleted")
    s3.delete_object(Bucket="staging-versions", Key="in/b.csv")  # a delete marker on top
    api, backend = _stores(localcloud)
    assert backend.list_keys("staging-versions", "in/") == api.list_keys("staging-versions", "in/")
    assert backend.list_keys("staging-versions", "in/") == ["in/a.csv"]
    assert backend.get("staging-versions", "in/a.csv") == b"second"


def test_a_missing_bucket_or_key_is_a_download_failure_naming_it(localcloud: LocalCloud) -> None:
    localcloud.client("s3").create_bucket(Bucket="staging-missing")
    _, backend = _stores(localcloud)
    with pytest.raises(JobSetupError, match=r"s3://no-such-staging-bucket .*NoSuchBucket"):
        backend.list_keys("no-such-staging-bucket", "")
    with pytest.raises(JobSetupError, match=r"s3://staging-missing/absent.csv \(NoSuchKey\)"):
        backend.get("staging-missing", "absent.csv")


def test_writes_are_api_calls(localcloud: LocalCloud) -> None:
    s3 = localcloud.client("s3")
    s3.create_bucket(Bucket="staging-writes")
    sent: list[str] = []
    s3.meta.events.register("before-call.s3.PutObject", lambda **_: sent.append("PutObject"))
    _, backend = _stores(localcloud)
    backend.put("staging-writes", "out/model.tar.gz", b"model")
    assert sent == ["PutObject"]
    assert s3.get_object(Bucket="staging-writes", Key="out/model.tar.gz")["Body"].read() == b"model"
