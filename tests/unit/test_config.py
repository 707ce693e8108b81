"""Settings: defaults, then POLICYKG_* environment, then explicit values."""

from pathlib import Path

import pytest

from policykg.config import ConfigError, Settings, load_settings
from policykg.namespaces import DEFAULT_BASE_IRI


def test_defaults():
    settings = load_settings(environ={})
    assert settings.store == Path("var/store")
    assert settings.base_iri == DEFAULT_BASE_IRI
    assert settings.port == 5000 and settings.host == "127.0.0.1"
    assert settings.update_token is None
    assert settings.service_allowlist == ()
    assert settings.query_timeout == 30.0


def test_environment_overrides_defaults_and_mapping_overrides_environment():
    env = {"POLICYKG_STORE": "/srv/kg", "POLICYKG_PORT": "8080", "POLICYKG_SERVICE_ALLOWLIST": "https://a/, https://b/"}
    settings = load_settings({"port": 9000}, environ=env)
    assert settings.store == Path("/srv/kg")
    assert settings.port == 9000
    assert settings.service_allowlist == ("https://a/", "https://b/")


def test_none_in_mapping_does_not_mask_environment():
    settings = load_settings({"store": None}, environ={"POLICYKG_STORE": "elsewhere"})
    assert settings.store == Path("elsewhere")


@pytest.mark.parametrize(
    "env, message",
    [
        ({"POLICYKG_PORT": "eighty"}, "POLICYKG_PORT"),
        ({"POLICYKG_BASE_IRI": "https://example.org/no-slash"}, "POLICYKG_BASE_IRI"),
        ({"POLICYKG_QUERY_TIMEOUT": "-1"}, "POLICYKG_QUERY_TIMEOUT"),
    ],
)
def test_bad_values_name_the_setting(env, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(environ=env)


def test_unknown_setting_is_an_error():
    with pytest.raises(ConfigError, match="unknown setting 'colour'"):
        load_settings({"colour": "blue"}, environ={})


def test_replace_keeps_other_values():
    settings = load_settings({"port": 7000}, environ={})
    changed = settings.replace(host="0.0.0.0")
    assert isinstance(changed, Settings)
    assert (changed.host, changed.port) == ("0.0.0.0", 7000)
