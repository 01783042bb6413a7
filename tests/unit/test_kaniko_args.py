from __future__ import annotations

import pytest

from kanidoc.kaniko_args import ArgsError, parse


def test_both_flag_forms_and_repeats() -> None:
    args = parse(
        ["/kaniko/executor", "--context", "/src", "--dockerfile=/src/Dockerfile", "-d", "reg/a:1",
         "--destination=reg/a:2", "-dreg/a:3", "--build-arg", "A=1", "--build-arg=B",
         "--registry-certificate", "reg=/c.pem", "--registry-certificate=other:5000=/d.pem",
         "--insecure-registry", "reg:5000", "--skip-tls-verify-registry=x", "--no-push", "--force",
         "--skip-push-permission-check", "--cache-repo", "reg/cache", "--registry-mirror", "mirror.gcr.io"],
        {},
    )
    assert args.get("context") == "/src"
    assert args.get("dockerfile") == "/src/Dockerfile"
    assert args.all("destination") == ("reg/a:1", "reg/a:2", "reg/a:3")
    assert args.build_args == {"A": "1", "B": None}
    assert args.pairs("registry-certificate") == (("reg", "/c.pem"), ("other:5000", "/d.pem"))
    assert args.all("insecure-registry") == ("reg:5000",)
    assert args.all("skip-tls-verify-registry") == ("x",)
    assert args.flag("no-push") and args.flag("force") and args.flag("skip-push-permission-check")
    assert not args.flag("insecure")
    assert args.get("cache-repo") == "reg/cache"
    assert args.all("registry-mirror") == ("mirror.gcr.io",)


def test_bool_takes_value_only_with_equals() -> None:
    args = parse(["--no-push=false", "--insecure", "reg/a"], {})
    assert args.flag("no-push") is False
    assert args.flag("insecure") is True
    assert args.positional == ("reg/a",)  # pflag never gives a bool the next word


def test_bad_bool_value_is_pflag_error() -> None:
    with pytest.raises(ArgsError, match='invalid argument "yes" for "--no-push" flag'):
        parse(["--no-push=yes"], {})


def test_missing_value() -> None:
    with pytest.raises(ArgsError, match="flag needs an argument: --destination"):
        parse(["--destination"], {})


def test_unknown_flags_kept_not_fatal() -> None:
    args = parse(["--destination", "r/a", "--frobnicate", "--x=1"], {})
    assert args.unknown == ("--frobnicate", "--x")
    assert args.all("destination") == ("r/a",)


def test_single_pasted_string_is_shell_split_and_expanded() -> None:
    line = '/kaniko/executor --context "${CI_PROJECT_DIR}" \\\n --destination "${CI_REGISTRY_IMAGE}:${CI_COMMIT_TAG}" --build-arg http_proxy=$http_proxy'
    args = parse([line], {"CI_PROJECT_DIR": "/builds/g/p", "CI_REGISTRY_IMAGE": "reg.example.com/g/p", "CI_COMMIT_TAG": "v1"})
    assert args.get("context") == "/builds/g/p"
    assert args.all("destination") == ("reg.example.com/g/p:v1",)
    assert args.unexpanded == ("http_proxy",)
    assert args.build_args == {"http_proxy": "$http_proxy"}


def test_unbalanced_quotes() -> None:
    with pytest.raises(ArgsError, match="cannot split"):
        parse(['/kaniko/executor --destination "reg/a'], {})


def test_empty() -> None:
    assert parse([], {}).present is False
