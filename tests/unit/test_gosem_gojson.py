"""kanidoc.gosem.gojson against Go ``encoding/json`` ``Decoder.Decode`` (docker/cli config).

Messages follow golang/go src/encoding/json/scanner.go and stream.go; each expected value
was also checked against Go 1.19's ``json.NewDecoder(r).Decode(&v)`` in a throwaway harness.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kanidoc.gosem.gojson import GoJSONDecodeError, GoJSONError, check_syntax, parse

# The classic: auth="$(echo -n "$USER:$PASS" | base64)" wraps at 76 columns, so the
# generated config.json holds a raw newline inside the "auth" string.
WRAPPED = (
    '{"auths":{"registry.gitlab.com":{"auth":"'
    "Z2l0bGFiLWNpLXRva2VuOmdsY2J0LTY0X1hYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhY\n"
    'WFhYWFhYWFg="}}}\n'
)

# (input, message, Go SyntaxError.Offset or input length for EOF errors, line, column)
CASES: list[tuple[str | bytes, str, int, int, int]] = [
    (WRAPPED, "invalid character '\\n' in string literal", 118, 1, 118),
    ('{"a":1', "unexpected EOF", 6, 1, 7),  # missing closing brace
    ('{\n  "auths": {\n    "r": {"auth": "x"}\n  }\n', "unexpected EOF", 42, 5, 1),
    ('{"a":1,}', "invalid character '}' looking for beginning of object key string", 8, 1, 8),
    ("[1,]", "invalid character ']' looking for beginning of value", 4, 1, 4),
    ("{'auths':{}}", "invalid character '\\'' looking for beginning of object key string", 2, 1, 2),
    ("\ufeff{}", "invalid character 'ï' looking for beginning of value", 1, 1, 1),  # UTF-8 BOM
    ('{"a" 1}', "invalid character '1' after object key", 6, 1, 6),
    ('{"a":1 "b":2}', "invalid character '\"' after object key:value pair", 8, 1, 8),
    ('{"a":1}\n{"a":"b\x01"}', "", 0, 0, 0),  # second value never read: accepted
    ('{"a":[1 2]}', "invalid character '2' after array element", 9, 1, 9),
    ('{"a":"\tb"}', "invalid character '\\t' in string literal", 7, 1, 7),
    ('{"a":"\\x"}', "invalid character 'x' in string escape code", 8, 1, 8),
    ('{"a":"\\u00g0"}', "invalid character 'g' in \\u hexadecimal character escape", 11, 1, 11),
    ('{"a":01}', "invalid character '1' after object key:value pair", 7, 1, 7),
    ('{"a":-x}', "invalid character 'x' in numeric literal", 7, 1, 7),
    ('{"a":1.}', "invalid character '}' after decimal point in numeric literal", 8, 1, 8),
    ('{"a":1e}', "invalid character '}' in exponent of numeric literal", 8, 1, 8),
    ('{"a":tru}', "invalid character '}' in literal true (expecting 'e')", 9, 1, 9),
    ('{"a":nul}', "invalid character '}' in literal null (expecting 'l')", 9, 1, 9),
    ('{"a":fals}', "invalid character '}' in literal false (expecting 'e')", 10, 1, 10),
    ('{"a":NaN}', "invalid character 'N' looking for beginning of value", 6, 1, 6),
    ('{"a":1} // comment', "", 0, 0, 0),
    ('// comment\n{"a":1}', "invalid character '/' looking for beginning of value", 1, 1, 1),
    (
        '{\n  "a": 1,\n  // c\n}',
        "invalid character '/' looking for beginning of object key string",
        15,
        3,
        3,
    ),
    ("\x00", "invalid character '\\x00' looking for beginning of value", 1, 1, 1),
    (b"\x80", "invalid character '\\u0080' looking for beginning of value", 1, 1, 1),
    (b"\xad", "invalid character '\\u00ad' looking for beginning of value", 1, 1, 1),
    ("é", "invalid character 'Ã' looking for beginning of value", 1, 1, 1),
    ("\\", "invalid character '\\\\' looking for beginning of value", 1, 1, 1),
    ("\x7f", "invalid character '\\x7f' looking for beginning of value", 1, 1, 1),
    ("\x0b", "invalid character '\\v' looking for beginning of value", 1, 1, 1),
    ("[" * 10001, "invalid character '[' exceeded max depth", 10001, 1, 10001),
    ('"abc', "unexpected EOF", 4, 1, 5),
    ("tru", "unexpected EOF", 3, 1, 4),
    ("-", "unexpected EOF", 1, 1, 2),
    ("", "", 0, 0, 0),  # io.EOF, ignored by docker/cli
    (" \n\t", "", 0, 0, 0),
    ('{"a":1}}', "", 0, 0, 0),  # Decoder stops after the first value
    ("123abc", "", 0, 0, 0),
    ("01", "", 0, 0, 0),
    ('{"a":"\xff"}', "", 0, 0, 0),
    ('{"a":1,"a":2}', "", 0, 0, 0),
]


@pytest.mark.parametrize(("text", "message", "offset", "line", "column"), CASES)
def test_check_syntax(text: str | bytes, message: str, offset: int, line: int, column: int) -> None:
    got = check_syntax(text)
    if not message:
        assert got is None
    else:
        assert got == GoJSONError(message, offset, line, column)


def test_empty_is_eof_when_not_allowed() -> None:
    assert check_syntax("", allow_empty=False) == GoJSONError("EOF", 0, 1, 1)
    assert check_syntax("  ", allow_empty=False) == GoJSONError("EOF", 2, 1, 3)


def test_parse_values() -> None:
    doc = b'{"auths":{"r":{"auth":"dXM="}},"n":[1,2.5,-0,1e2,true,false,null],"e":{},"l":[]}'
    assert parse(doc) == {
        "auths": {"r": {"auth": "dXM="}},
        "n": [1.0, 2.5, -0.0, 100.0, True, False, None],
        "e": {},
        "l": [],
    }


def test_parse_duplicate_keys_last_wins() -> None:
    assert parse('{"a":1,"a":{"b":2}}') == {"a": {"b": 2.0}}


def test_parse_invalid_utf8_and_surrogates() -> None:
    # Go: one U+FFFD per invalid byte; lone \ud800 escape -> U+FFFD; pairs combine.
    got = parse(
        b'{"a":"\xff\xe2\x82(","b":"\\ud800\\u0041","c":"\\ud83d\\ude00","d":"\xed\xa0\x80"}'
    )
    assert got == {"a": "\ufffd\ufffd\ufffd(", "b": "\ufffdA", "c": "\U0001f600", "d": "\ufffd" * 3}


def test_parse_first_value_only() -> None:
    assert parse('{"a":[{"x":1},"y",{"z":[]}]} trailing') == {"a": [{"x": 1.0}, "y", {"z": []}]}
    assert parse("123abc") == 123.0
    assert parse("") is None


def test_parse_errors() -> None:
    with pytest.raises(GoJSONDecodeError) as ei:
        parse(WRAPPED)
    assert str(ei.value) == "invalid character '\\n' in string literal"
    assert ei.value.error.offset == 118
    with pytest.raises(
        ValueError, match=r"^json: cannot unmarshal number 1e400 into Go value of type float64$"
    ):
        parse('{"d":1e400}')
    assert parse('{"d":1e-400}') == {"d": 0.0}


def test_parse_deep_nesting_is_iterative() -> None:
    depth = 10000
    v = parse("[" * depth + "]" * depth)
    for _ in range(depth - 1):
        assert isinstance(v, list)
        v = v[0]
    assert v == []


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=40), st.binary(max_size=40)))
def test_check_syntax_never_raises(text: str | bytes) -> None:
    err = check_syntax(text)
    if err is not None:
        assert err.line >= 1 and err.column >= 1 and err.offset >= 0


json_tokens = st.lists(
    st.sampled_from(
        [
            "{",
            "}",
            "[",
            "]",
            ":",
            ",",
            '"a"',
            '"\\u00e9"',
            " ",
            "\n",
            "1",
            "-0.5e3",
            "true",
            "null",
            '"',
            "\\",
            "x",
        ]
    ),
    max_size=20,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(json_tokens)
def test_parse_only_raises_value_error(text: str) -> None:
    try:
        parse(text)
    except GoJSONDecodeError as e:
        assert check_syntax(text) == e.error
    except ValueError as e:  # e.g. "-0.5e3" "1" -> -0.5e31...: outside float64 range
        assert check_syntax(text) is None
        assert str(e).startswith("json: cannot unmarshal number ")
