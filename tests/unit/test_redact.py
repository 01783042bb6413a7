from __future__ import annotations

import base64
import urllib.parse

from kanidoc.model import Finding, Severity, Status
from kanidoc.redact import MASK, MIN_SECRET_LEN, Redactor, is_secret_variable


def test_forms_are_masked() -> None:
    secret = "s3cr3t/with+chars=="
    r = Redactor([secret])
    for form in (secret, base64.b64encode(secret.encode()).decode(), urllib.parse.quote(secret, safe="")):
        assert r.redact(f"x {form} y") == f"x {MASK} y"


def test_user_password_pair_masks_password_alone() -> None:
    r = Redactor(["user:hunter2hunter2"])
    assert "hunter2hunter2" not in r.redact("password=hunter2hunter2")
    assert "user" in r.redact("user name is user")


def test_userinfo_and_auth_headers_masked_even_if_unknown() -> None:
    r = Redactor()
    assert r.redact("http://bob:pw@proxy:3128") == f"http://{MASK}@proxy:3128"
    assert r.redact("Authorization: Bearer abc.def.ghi") == f"Authorization: {MASK}"
    assert "QWxhZGRpbjpvcGVu" not in r.redact("proxy-authorization: Basic QWxhZGRpbjpvcGVu")


def test_environment() -> None:
    r = Redactor()
    r.add_from_environment({"CI_JOB_TOKEN": "tok-123456", "MY_API_KEY": "k-987654", "HTTPS_PROXY": "http://u:p4ss%21@h:1", "HOME": "/root/long"})
    text = r.redact("tok-123456 k-987654 p4ss! p4ss%21 /root/long")
    assert text == f"{MASK} {MASK} {MASK} {MASK} /root/long"


def test_short_values_not_masked() -> None:
    r = Redactor(["x" * (MIN_SECRET_LEN - 1)])
    assert r.redact("xxx") == "xxx"


def test_secret_variable_names() -> None:
    assert is_secret_variable("CI_REGISTRY_PASSWORD") and is_secret_variable("DEPLOY_TOKEN")
    assert not is_secret_variable("CI_REGISTRY_USER") and not is_secret_variable("GOOGLE_APPLICATION_CREDENTIALS")


def test_redact_obj_keeps_enums_and_structure() -> None:
    r = Redactor(["topsecret"])
    f = Finding("KD-AUTH-001", Severity.ERROR, "has topsecret", {"topsecret": ["topsecret"]})
    out = r.redact_obj({"s": Status.FAIL, "f": f})
    assert out["s"] is Status.FAIL
    assert out["f"].severity is Severity.ERROR
    assert out["f"].message == f"has {MASK}" and out["f"].evidence == {MASK: [MASK]}


def test_proxy_passwords_with_url_delimiters_are_masked() -> None:
    # review finding: a password with "/" escaped both the regex and the registration
    r = Redactor()
    r.add_from_environment({"HTTPS_PROXY": "http://user:Pa/ssW0rdX@proxy.corp:3128", "http_proxy": "user2:Se#cr?et99@p:1"})
    out = r.redact("lint: 'http://user:Pa/ssW0rdX@proxy.corp:3128' is not a URL; Pa/ssW0rdX; Se#cr?et99")
    assert "Pa/ssW0rdX" not in out and "Se#cr?et99" not in out


def test_proxy_lint_message_does_not_print_the_password(kanidoc) -> None:  # type: ignore[no-untyped-def]
    run = kanidoc("check", "--only", "reachability", "--format", "json", "--connect-timeout", "0.5",
                  "--destination", "127.0.0.1:1/a/b:1",
                  env={"HTTPS_PROXY": "http://user:Pa/ssW0rdX@proxy.corp:3128", "NO_PROXY": "*"})
    assert "Pa/ssW0rdX" not in run.out + run.err
    assert "ssW0rdX" not in run.out + run.err
