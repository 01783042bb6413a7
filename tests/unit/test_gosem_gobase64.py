"""kanidoc.gosem.gobase64 against Go ``encoding/base64`` ``StdEncoding``.

Expected offsets follow golang/go src/encoding/base64/base64.go ``decodeQuantum``; each was
also checked against Go 1.19's ``StdEncoding.DecodeString`` in a throwaway harness.
"""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kanidoc.gosem.gobase64 import (
    GoBase64Error,
    _canonical,
    _decode,
    decoded_len,
    std_decode,
    std_decode_buffer,
    std_encode,
)

GOOD = [
    ("dXNlcjpwYXNz", b"user:pass"),
    ("dXNlcjpwYXM=", b"user:pas"),
    ("dXNlcjpw", b"user:p"),
    ("", b""),
    ("\n", b""),
    ("\r\n\r\n", b""),
    ("dXNl\ncjpwYXNz", b"user:pass"),  # newline ignored anywhere
    ("dXNlcjpwYXNz\n", b"user:pass"),  # `echo user:pass | base64` output with its newline
    ("dX\r\nNlcjpw\nYXM=\n", b"user:pas"),
    ("dXNlcjpwYXM\n=", b"user:pas"),
    ("QQ=\n=", b"A"),
    ("QR==", b"A"),  # non-zero trailing bits: StdEncoding is not Strict
    ("QUJ=", b"AB"),
    ("dXNlcjpwYXNzCg==", b"user:pass\n"),  # `echo user:pass | base64`: newline in the secret
]


@pytest.mark.parametrize(("s", "want"), GOOD)
def test_good(s: str, want: bytes) -> None:
    assert std_decode(s) == want


BAD = [
    ("dXNlcjpwYXM", 8),  # missing padding: reported at the start of the short quantum
    ("dXNlcjpwYX", 8),
    ("Q", 0),
    ("QQ", 0),
    ("QQ\n", 1),  # si - j: newlines inside the quantum shift the offset
    ("dXNl cjpwYXNz", 4),  # space
    ("dXNlcjpwYXNz ", 12),
    (" dXNl", 0),
    ("a-b_", 1),  # URL-safe alphabet is not accepted
    ("dXNlcjpwYXM==", 12),  # too much padding: trailing garbage after the quantum
    ("QQ===", 4),
    ("QQ==QQ==", 4),  # data after padding
    ("QQ==\nQQ==", 5),
    ("QQ=", 3),  # not enough padding
    ("QQ=\n", 4),
    ("QQ=x", 2),  # incorrect padding
    ("=", 0),
    ("Q===", 1),
    ("====", 0),
    ("dXNlcjpwYXNz\t", 12),
    ("dXNlé", 4),
    ("dXNlcjpwé", 8),  # offsets count UTF-8 bytes
    ('"dXNlcjpwYXNz"', 0),
]


@pytest.mark.parametrize(("s", "offset"), BAD)
def test_bad(s: str, offset: int) -> None:
    with pytest.raises(GoBase64Error) as ei:
        std_decode(s)
    assert ei.value.offset == offset
    assert str(ei.value) == f"illegal base64 data at input byte {offset}"


def test_partial_output_on_trailing_garbage() -> None:
    with pytest.raises(GoBase64Error) as ei:
        std_decode("dXNlcjpwYXM==")
    assert ei.value.partial == b"user:pas"


@pytest.mark.parametrize(("s", "offset"), [("QR==", 2), ("QUJ=", 3), ("QUI=\n", None)])
def test_strict(s: str, offset: int | None) -> None:
    if offset is None:
        assert std_decode(s, strict=True) == b"AB"
        return
    with pytest.raises(GoBase64Error) as ei:
        std_decode(s, strict=True)
    assert ei.value.offset == offset


def test_bytes_input() -> None:
    assert std_decode(b"dXNlcjpwYXNz") == b"user:pass"


def test_decode_buffer_has_trailing_nuls() -> None:
    # docker/cli decodeAuth uses string(decoded) of the DecodedLen buffer, hence its Trim("\x00")
    assert decoded_len(len("dXNlcjpwYXM=")) == 9
    assert std_decode_buffer("dXNlcjpwYXM=") == b"user:pas\x00"
    assert std_decode_buffer("dXNlcjpwYXNz\n") == b"user:pass"  # 13 // 4 * 3 == 9
    assert std_decode_buffer("dXNl\ncjpwYXM=\n") == b"user:pas\x00"
    with pytest.raises(GoBase64Error):
        std_decode_buffer("dXNl cjpw")


def test_encode() -> None:
    assert std_encode(b"user:pass") == "dXNlcjpwYXNz"
    assert std_encode(b"") == ""
    assert std_encode(b"\xfb\xff") == "+/8="


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=64))
def test_roundtrip(b: bytes) -> None:
    assert std_decode(std_encode(b)) == b


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
def test_arbitrary_text_only_go_errors(s: str) -> None:
    try:
        out = std_decode(s)
    except GoBase64Error as e:
        assert 0 <= e.offset <= len(s.encode("utf-8", "surrogatepass"))
    else:
        assert len(out) <= decoded_len(len(s.encode("utf-8", "surrogatepass")))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="QUJDdXNlcjpw+/=\n\r -_", max_size=24))
def test_agrees_with_python_when_python_accepts_canonical(s: str) -> None:
    # Whenever the input is canonical padded base64 (after removing newlines), Go and
    # Python's validating decoder agree on the bytes.
    stripped = s.replace("\n", "").replace("\r", "")
    try:
        py = base64.b64decode(stripped, validate=True)
    except ValueError:
        return
    if std_encode(py) == stripped:
        assert std_decode(s) == py


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="QUJDdXNlcjpwBx+/=\n\r -_\t", max_size=40))
def test_c_fast_path_never_disagrees_with_the_go_model(s: str) -> None:
    # std_decode answers from binascii's strict decoder when it accepts the input; the
    # byte-for-byte model of Go's decodeQuantum must then succeed with the same bytes.
    raw = s.encode()
    fast = _canonical(raw)
    slow, err = _decode(raw, False)
    if fast is not None:
        assert err is None and slow == fast


def test_c_fast_path_takes_spare_bits_like_go() -> None:
    # "QR==": the spare bits of the final quantum are not zero; Go (non-strict) drops them.
    assert _canonical(b"QR==") == b"A" == _decode(b"QR==", False)[0]
    assert _canonical(b"QQ") is None  # unpadded: Go errors, the model reports where
    with pytest.raises(GoBase64Error):
        std_decode("QQ")
