"""The token request's URL is built as ggcr's bearer transport builds it (refreshBasic)."""

from __future__ import annotations

from kanidoc.checks.push import token_url


def test_realm_query_kept_scope_replaced_service_always_sent_keys_sorted() -> None:
    # url.Values from the realm, v["scope"] = bt.scopes, v.Set("service", bt.service), v.Encode()
    assert token_url("https://auth.example/jwt/auth?scope=stale&client=x", "container_registry",
                     ["repository:g/p:push,pull", "repository:g/p:delete"]) == (
        "https://auth.example/jwt/auth?client=x&scope=repository%3Ag%2Fp%3Apush%2Cpull"
        "&scope=repository%3Ag%2Fp%3Adelete&service=container_registry")


def test_an_empty_service_is_still_sent() -> None:
    assert token_url("http://127.0.0.1:5001/token", None, ["repository:a:pull"]) == (
        "http://127.0.0.1:5001/token?scope=repository%3Aa%3Apull&service=")


def test_spaces_encode_as_plus_like_query_escape() -> None:
    assert token_url("https://t.example/token", "my service", ["repository:a b:pull"]).endswith(
        "scope=repository%3Aa+b%3Apull&service=my+service")
