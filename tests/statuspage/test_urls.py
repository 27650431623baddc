"""Statuspage URLs: the feed polled, the key of stored windows, what logs show."""

from __future__ import annotations

import pytest

from probe.addresses import check_http_url
from probe.statuspage.urls import feed_url, page_key, shown


@pytest.mark.parametrize(("page", "feed"), [
    ("https://status.example.com", "https://status.example.com/api/v2/scheduled-maintenances.json"),
    ("https://status.example.com/", "https://status.example.com/api/v2/scheduled-maintenances.json"),
    ("http://127.0.0.1:8080/x/maint.json", "http://127.0.0.1:8080/x/maint.json"),
])
def test_the_feed_polled(page: str, feed: str) -> None:
    assert feed_url(page) == feed


def test_logs_never_show_credentials_or_query() -> None:
    page = "https://user:s3cret-Tok3n@status.example.com/?token=s3cret-Tok3n"
    assert shown(page) == "https://status.example.com/api/v2/scheduled-maintenances.json"
    assert "s3cret" not in page_key(page)


def test_keys_name_host_port_and_path() -> None:
    assert page_key("HTTPS://Status.Example.com/lifesize/") == "status.example.com/lifesize"
    assert page_key("http://127.0.0.1:8080/api/v2/scheduled-maintenances.json") == (
        "127.0.0.1:8080")


@pytest.mark.parametrize("bad", ["status.example.com", "ftp://status.example.com",
                                 "https://", "file:///etc/passwd"])
def test_only_http_urls_with_a_host(bad: str) -> None:
    with pytest.raises(ValueError, match="expected the status page's URL"):
        check_http_url(bad)
