from __future__ import annotations

from kanidoc.dockerfile import parse


def test_args_stages_scratch_copy_from() -> None:
    text = """# syntax=docker/dockerfile:1
# escape=\\
ARG REG=registry.example.com:5050
ARG TAG
FROM ${REG}/base:${TAG:-3.20} AS build
RUN echo hi \\
    && echo continued
FROM scratch
FROM build AS again
COPY --from=build /a /a
COPY --from=0 /a /b
COPY --from=docker.io/library/busybox:1.36 /bin/sh /sh
FROM --platform=linux/amd64 $UNKNOWN
from alpine
"""
    df = parse(text, {"TAG": "3.21"})
    images = [(i.instruction, i.image) for i in df.images]
    assert images == [
        ("FROM", "registry.example.com:5050/base:3.21"),
        ("COPY --from", "docker.io/library/busybox:1.36"),
        ("FROM", None),
        ("FROM", "alpine"),
    ]
    assert df.images[2].unresolved == ("UNKNOWN",)
    assert df.stages == ("build", "again")


def test_build_arg_overrides_default_and_undeclared_is_ignored() -> None:
    df = parse("ARG BASE=alpine\nFROM $BASE\nFROM ${OTHER:-debian}\n", {"BASE": "ubuntu:24.04", "OTHER": "x"})
    # OTHER is not a declared ARG before FROM, so --build-arg OTHER does not apply.
    assert [i.image for i in df.images] == ["ubuntu:24.04", "debian"]


def test_backtick_escape_directive() -> None:
    df = parse("# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022 `\n  AS win\n")
    assert [i.image for i in df.images] == ["mcr.microsoft.com/windows/servercore:ltsc2022"]
