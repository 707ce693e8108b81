"""Where a remote store is and how we authenticate to it, from the settings."""

from __future__ import annotations

import base64

import pytest

from policykg.config import ConfigError, load_settings
from policykg.remote.protocol import Endpoints
from policykg.remote.store import RemoteStore
from policykg.store import EmbeddedStore, open_store


def settings(**values):
    return load_settings({"store": "var/store", **values}, environ={})


def test_one_base_url_gives_the_three_endpoints_and_each_can_be_set_apart() -> None:
    found = Endpoints.of(settings(store_url="http://db.example:7878/"))
    assert (found.query, found.update, found.graph_store) == (
        "http://db.example:7878/query", "http://db.example:7878/update", "http://db.example:7878/store",
    )
    apart = Endpoints.of(settings(store_query_url="https://db.example/sparql", store_update_url="https://db.example/sparql",
                                  store_graph_store_url="https://db.example/sparql-graph-crud"))
    assert (apart.query, apart.graph_store) == ("https://db.example/sparql", "https://db.example/sparql-graph-crud")


def test_basic_or_bearer_credentials_are_sent() -> None:
    basic = Endpoints.of(settings(store_url="http://db.example", store_user="policykg", store_password="s3cret:x"))
    assert basic.headers() == {"Authorization": "Basic " + base64.b64encode(b"policykg:s3cret:x").decode()}
    bearer = Endpoints.of(settings(store_url="http://db.example", store_token="abc"))
    assert bearer.headers() == {"Authorization": "Bearer abc"}
    assert Endpoints.of(settings(store_url="http://db.example")).headers() == {}


def test_the_store_is_remote_only_when_a_url_is_set() -> None:
    assert isinstance(open_store(settings()), EmbeddedStore)
    assert isinstance(open_store(settings(store_url="http://db.example")), RemoteStore)


@pytest.mark.parametrize("name", ["store_url", "store_query_url", "store_update_url", "store_graph_store_url"])
def test_a_store_url_must_be_http(name: str) -> None:
    with pytest.raises(ConfigError, match=f"POLICYKG_{name.upper()}.*http"):
        settings(**{name: "file:///etc/passwd"})


def test_publication_work_on_a_remote_store_has_its_own_time_limit() -> None:
    """Requests are answered within query_timeout; the stored answers, the rules, reports and
    dumps made by the command line take longer on a large set (batch_timeout)."""
    remote = settings(store_url="http://db.example", query_timeout=5, batch_timeout=900)
    assert open_store(remote).timeout == 5
    assert open_store(remote, batch=True).timeout == 900
    with pytest.raises(ConfigError, match="POLICYKG_BATCH_TIMEOUT"):
        load_settings({"store": "var/store"}, environ={"POLICYKG_BATCH_TIMEOUT": "0"})
