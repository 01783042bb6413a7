from __future__ import annotations

import json

import pytest

from kanidoc.gosem import dockerconfig as dc
from tests.conftest import b64


@pytest.mark.parametrize(
    ("key", "v28", "v26"),
    [
        ("registry.example.com", "registry.example.com", "registry.example.com"),
        ("registry.example.com:5050", "registry.example.com:5050", "registry.example.com:5050"),
        ("https://registry.example.com/v2/", "registry.example.com", "registry.example.com"),
        ("http://registry.example.com:5000", "registry.example.com:5000", "registry.example.com:5000"),
        ("registry.example.com/group/project", "registry.example.com", "registry.example.com"),
        ("https://index.docker.io/v1/", "index.docker.io", "index.docker.io"),
        # <= v26 strips only lower-case schemes; v28 url-parses any scheme://
        ("HTTPS://Registry.example.com", "Registry.example.com", "HTTPS:"),
        ("oci://reg.example.com/x", "reg.example.com", "oci:"),
        ("https://[::1]:5000/v2/", "[::1]:5000", "[::1]:5000"),
        ("https://user:pw@reg.example.com", "reg.example.com", "user:pw@reg.example.com"),
        ("https://reg:bad/", "https:", "reg:bad"),
    ],
)
def test_convert_to_hostname(key: str, v28: str, v26: str) -> None:
    assert dc.convert_to_hostname(key, docker_cli_major=28) == v28
    assert dc.convert_to_hostname(key, docker_cli_major=26) == v26


def cfg(auths: dict[str, object], **extra: object) -> dc.DockerConfig:
    return dc.load(json.dumps({"auths": auths, **extra}), "/kaniko/.docker/config.json")


def test_decode_and_resolve_exact_then_hostname() -> None:
    c = cfg({"https://reg.example.com/v2/": {"auth": b64("u:p")}})
    res = dc.resolve(c, "reg.example.com")
    assert res.kind == "basic" and res.lookup is not None
    assert res.lookup.matched_key == "https://reg.example.com/v2/" and not res.lookup.exact
    assert dc.resolve(c, "reg.example.com:443").kind == "anonymous"


def test_auth_overrides_username_password_and_nul_trim() -> None:
    c = cfg({"r": {"auth": b64("a:b\x00\x00"), "username": "x", "password": "y"}})
    assert (c.auths["r"].username, c.auths["r"].password) == ("a", "b")


@pytest.mark.parametrize(
    ("auth", "error"),
    [
        ("dXNlcjpwYXNz ", "illegal base64 data at input byte 12"),
        ("dXNlcjpwYXM", "illegal base64 data at input byte 8"),
        (b64("nocolon"), "Invalid auth configuration file"),
        (b64(":password"), "Invalid auth configuration file"),
    ],
)
def test_bad_auth_fails_whole_file(auth: str, error: str) -> None:
    c = cfg({"good": {"auth": b64("u:p")}, "bad": {"auth": auth}})
    assert c.load_error == error


def test_newlines_inside_base64_are_ignored_like_go() -> None:
    c = dc.load('{"auths":{"r":{"auth":"dXNl\\ncjpw\\r\\nYXNz"}}}', "x")
    assert c.load_error is None and c.auths["r"].password == "pass"


def test_field_names_match_case_insensitively_like_encoding_json() -> None:
    c = dc.load('{"Auths":{"r":{"Auth":"' + b64("u:p") + '"}},"CredsStore":"desktop"}', "x")
    assert c.auths["r"].username == "u" and c.creds_store == "desktop"


def test_type_errors() -> None:
    assert "cannot unmarshal array into Go struct field ConfigFile.auths" in (dc.load('{"auths":[]}', "x").load_error or "")
    assert "cannot unmarshal number" in (dc.load('{"auths":{"r":{"auth":5}}}', "x").load_error or "")
    assert dc.load("[]", "x").load_error == "json: cannot unmarshal array into Go value of type configfile.ConfigFile"
    assert dc.load("null", "x").load_error is None


def test_helpers_win_over_file() -> None:
    c = cfg({"r": {"auth": b64("u:p")}}, credHelpers={"r": "ecr-login"}, credsStore="desktop")
    assert dc.get_auth_config(c, "r").store == "helper:ecr-login"
    assert dc.get_auth_config(c, "other").store == "helper:desktop"


def test_docker_hub_key() -> None:
    c = cfg({"docker.io": {"auth": b64("u:p")}})
    assert dc.resolve(c, "index.docker.io", "library/alpine").kind == "anonymous"
    misses = dc.near_misses(c, dc.DOCKER_HUB_AUTH_KEY)
    assert misses and "https://index.docker.io/v1/" in misses[0].reason
    ok = cfg({"https://index.docker.io/v1/": {"auth": b64("u:p")}})
    assert dc.resolve(ok, "index.docker.io").kind == "basic"


def test_repository_key() -> None:
    # Pulls try "host/repo" first: an exact hit. The registry-level lookup (push) still
    # matches, because ConvertToHostname cuts every key at its first "/".
    c = cfg({"reg.example.com/group/app": {"auth": b64("u:p")}})
    pull = dc.resolve(c, "reg.example.com", "group/app")
    assert pull.kind == "basic" and pull.lookup is not None and pull.lookup.exact
    push = dc.resolve(c, "reg.example.com")
    assert push.kind == "basic" and push.lookup is not None and not push.lookup.exact


def test_empty_password_is_anonymous() -> None:
    c = cfg({"r": {"auth": b64("user:")}})
    assert c.load_error is None
    assert dc.resolve(c, "r").kind == "anonymous"


def test_tokens() -> None:
    c = cfg({"a": {"identitytoken": "tok"}, "b": {"registrytoken": "tok"}})
    assert dc.resolve(c, "a").kind == "identitytoken"
    assert dc.resolve(c, "b").kind == "registrytoken"


def test_near_miss_port_and_case() -> None:
    c = cfg({"Reg.example.com:5050": {"auth": b64("u:p")}, "reg.example.com": {"auth": b64("u:p")}})
    reasons = [m.reason for m in dc.near_misses(c, "reg.example.com:5050")]
    assert any("case-sensitive" in r for r in reasons)
    assert any("port must match" in r for r in reasons)


def test_unexpanded() -> None:
    assert dc.unexpanded_variables("$CI_REGISTRY_PASSWORD", "x${A}y", "plain$") == ["$CI_REGISTRY_PASSWORD"]  # ${A} mid-value: maybe a real password
    assert dc.unexpanded_variables("x${A}y", known={"A"}) == ["$A"]
    # the text after `$` may be a secret: only a known prefix is shown
    assert dc.unexpanded_variables("$CI_REGISTRY_PASSWORDhunter2") == ["$CI_REGISTRY_PASSWORD"]


def test_empty_user_accepted_before_docker_cli_23() -> None:
    text = json.dumps({"auths": {"r": {"auth": b64(":pw")}}})
    assert dc.load(text, "x", docker_cli_major=20).load_error is None
    assert dc.load(text, "x", docker_cli_major=28).load_error == "Invalid auth configuration file"


def test_trailing_data_after_first_value_is_ignored_like_json_decoder() -> None:
    # docker/cli uses json.NewDecoder(r).Decode: data after the first value is never read
    c = dc.load('{"auths":{"r":{"auth":"' + b64("u:p") + '"}}}}garbage', "x")
    assert c.load_error is None and dc.resolve(c, "r").kind == "basic"


def test_email_only_entry_stops_the_lookup() -> None:
    # ggcr keychain.go: the first AuthConfig that is not the zero value ends the search
    c = cfg({"r": {"email": "a@example.com"}})
    res = dc.resolve(c, "r")
    assert res.kind == "anonymous" and res.stopped
    assert not dc.resolve(cfg({}), "r").stopped


def test_dollar_inside_a_real_password_is_not_a_variable() -> None:
    assert dc.unexpanded_variables("Tr0ub4dor$Horse9") == []
    assert dc.unexpanded_variables("$MY_SECRET") == ["$…"]
    assert dc.unexpanded_variables("${CI_REGISTRY_PASSWORD}") == ["$CI_REGISTRY_PASSWORD"]
