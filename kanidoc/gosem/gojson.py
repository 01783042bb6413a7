"""Go ``encoding/json`` syntax errors as docker/cli surfaces them for ``config.json``.

docker/cli ``cli/config/configfile/file.go`` ``LoadFromReader`` (v20.10.12, v23.0.1, v26.1.4,
v28.1.1 all alike) runs ``json.NewDecoder(r).Decode(configFile)`` and ignores ``io.EOF``.
A ``Decoder`` (golang/go ``src/encoding/json/stream.go`` ``readValue``) differs from
``json.Unmarshal``:

* it reads **one** value and never looks past it: ``{"a":1}}`` or ``{} junk`` load fine;
  a top-level scalar ends at the first byte that cannot continue it (``123abc`` is ``123``);
* input that ends inside a value gives ``unexpected EOF`` (``io.ErrUnexpectedEOF``), not
  Unmarshal's ``unexpected end of JSON input``;
* empty or whitespace-only input gives ``io.EOF``, which docker/cli ignores (empty config).

Syntax errors come from the scanner (golang/go ``src/encoding/json/scanner.go``, unchanged in
wording for every Go used by kaniko): ``invalid character <quoteChar(c)> <context>``, where
``quoteChar`` formats the *byte* ``c`` as a Go rune literal (so a UTF-8 BOM's first byte 0xEF
is ``'ï'``).  ``SyntaxError.Offset`` counts bytes read including the offending one.

Not errors in Go: invalid UTF-8 inside strings (each bad byte decodes to U+FFFD), lone UTF-16
surrogate escapes (U+FFFD), duplicate object keys (last wins when decoding into a map or
``interface{}``; note that decoding into a struct's *map* field merges duplicate objects).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from kanidoc.record import record

__all__ = ["GoJSONDecodeError", "GoJSONError", "check_syntax", "parse"]

# scanner.go opcodes
_CONTINUE = 0
_BEGIN_LITERAL = 1
_BEGIN_OBJECT = 2
_OBJECT_KEY = 3
_OBJECT_VALUE = 4
_END_OBJECT = 5
_BEGIN_ARRAY = 6
_ARRAY_VALUE = 7
_END_ARRAY = 8
_SKIP_SPACE = 9
_END = 10
_ERROR = 11

# parseState stack values
_PARSE_OBJECT_KEY = 0
_PARSE_OBJECT_VALUE = 1
_PARSE_ARRAY_VALUE = 2

_MAX_NESTING_DEPTH = 10000
_SPACE = (0x20, 0x09, 0x0D, 0x0A)
_HEX = frozenset(b"0123456789abcdefABCDEF")
_DIGITS = frozenset(b"0123456789")


@record
class GoJSONError:
    """A Go decode failure.  ``message`` is Go's ``err.Error()`` text.

    ``offset`` is Go's ``SyntaxError.Offset`` (bytes read, including the offending byte);
    for ``unexpected EOF``/``EOF`` it is the input length.  ``line``/``column`` (1-based,
    column counted in bytes) locate the offending byte, or the end of input for EOF errors.
    """

    message: str
    offset: int
    line: int
    column: int


class GoJSONDecodeError(ValueError):
    """Raised by :func:`parse`; ``error`` carries the located Go error."""

    def __init__(self, error: GoJSONError) -> None:
        super().__init__(error.message)
        self.error = error

    def __str__(self) -> str:
        return self.error.message


def _go_quote_byte_as_rune(c: int) -> str:
    """``strconv.Quote(string(rune(c)))`` without the surrounding quotes, for c < 256."""
    if c == 0x5C:
        return "\\\\"
    if c == 0x22:
        return '\\"'
    # strconv.IsPrint for r <= 0xFF
    if 0x20 <= c <= 0x7E or (0xA1 <= c <= 0xFF and c != 0xAD):
        return chr(c)
    named = {
        0x07: "\\a",
        0x08: "\\b",
        0x0C: "\\f",
        0x0A: "\\n",
        0x0D: "\\r",
        0x09: "\\t",
        0x0B: "\\v",
    }
    if c in named:
        return named[c]
    if c < 0x20 or c == 0x7F:
        return f"\\x{c:02x}"
    return f"\\u{c:04x}"


def _quote_char(c: int) -> str:
    # scanner.go quoteChar: special cases for ' and ", else strconv.Quote with ' quotes.
    if c == 0x27:
        return "'\\''"
    if c == 0x22:
        return "'\"'"
    return "'" + _go_quote_byte_as_rune(c) + "'"


class _Scanner:
    """scanner.go's state machine; ``step`` is the current state function."""

    def __init__(self) -> None:
        self.step: Callable[[int], int] = self.state_begin_value
        self.end_top = False
        self.parse_state: list[int] = []
        self.err: str | None = None
        self.bytes = 0

    # ---- helpers
    def error(self, c: int, context: str) -> int:
        self.step = self.state_error
        self.err = f"invalid character {_quote_char(c)} {context}"
        return _ERROR

    def push_parse_state(self, c: int, new_state: int, success: int) -> int:
        self.parse_state.append(new_state)
        if len(self.parse_state) <= _MAX_NESTING_DEPTH:
            return success
        return self.error(c, "exceeded max depth")

    def pop_parse_state(self) -> None:
        self.parse_state.pop()
        if not self.parse_state:
            self.step = self.state_end_top
            self.end_top = True
        else:
            self.step = self.state_end_value

    # ---- states
    def state_begin_value_or_empty(self, c: int) -> int:
        if c in _SPACE:
            return _SKIP_SPACE
        if c == 0x5D:  # ]
            return self.state_end_value(c)
        return self.state_begin_value(c)

    def state_begin_value(self, c: int) -> int:
        if c in _SPACE:
            return _SKIP_SPACE
        if c == 0x7B:  # {
            self.step = self.state_begin_string_or_empty
            return self.push_parse_state(c, _PARSE_OBJECT_KEY, _BEGIN_OBJECT)
        if c == 0x5B:  # [
            self.step = self.state_begin_value_or_empty
            return self.push_parse_state(c, _PARSE_ARRAY_VALUE, _BEGIN_ARRAY)
        literal_starts: dict[int, Callable[[int], int]] = {
            0x22: self.state_in_string,
            0x2D: self.state_neg,
            0x30: self.state_0,
            0x74: self.state_t,
            0x66: self.state_f,
            0x6E: self.state_n,
        }
        nxt = literal_starts.get(c)
        if nxt is not None:
            self.step = nxt
            return _BEGIN_LITERAL
        if 0x31 <= c <= 0x39:
            self.step = self.state_1
            return _BEGIN_LITERAL
        return self.error(c, "looking for beginning of value")

    def state_begin_string_or_empty(self, c: int) -> int:
        if c in _SPACE:
            return _SKIP_SPACE
        if c == 0x7D:  # }
            self.parse_state[-1] = _PARSE_OBJECT_VALUE
            return self.state_end_value(c)
        return self.state_begin_string(c)

    def state_begin_string(self, c: int) -> int:
        if c in _SPACE:
            return _SKIP_SPACE
        if c == 0x22:
            self.step = self.state_in_string
            return _BEGIN_LITERAL
        return self.error(c, "looking for beginning of object key string")

    def state_end_value(self, c: int) -> int:
        if not self.parse_state:
            self.step = self.state_end_top
            self.end_top = True
            return self.state_end_top(c)
        if c in _SPACE:
            self.step = self.state_end_value
            return _SKIP_SPACE
        ps = self.parse_state[-1]
        if ps == _PARSE_OBJECT_KEY:
            if c == 0x3A:  # :
                self.parse_state[-1] = _PARSE_OBJECT_VALUE
                self.step = self.state_begin_value
                return _OBJECT_KEY
            return self.error(c, "after object key")
        if ps == _PARSE_OBJECT_VALUE:
            if c == 0x2C:  # ,
                self.parse_state[-1] = _PARSE_OBJECT_KEY
                self.step = self.state_begin_string
                return _OBJECT_VALUE
            if c == 0x7D:
                self.pop_parse_state()
                return _END_OBJECT
            return self.error(c, "after object key:value pair")
        if c == 0x2C:
            self.step = self.state_begin_value
            return _ARRAY_VALUE
        if c == 0x5D:
            self.pop_parse_state()
            return _END_ARRAY
        return self.error(c, "after array element")

    def state_end_top(self, c: int) -> int:
        if c not in _SPACE:
            self.error(c, "after top-level value")  # reported only on a later call
        return _END

    def state_in_string(self, c: int) -> int:
        if c == 0x22:
            self.step = self.state_end_value
            return _CONTINUE
        if c == 0x5C:
            self.step = self.state_in_string_esc
            return _CONTINUE
        if c < 0x20:
            return self.error(c, "in string literal")
        return _CONTINUE

    def state_in_string_esc(self, c: int) -> int:
        if c in b'bfnrt\\/"':
            self.step = self.state_in_string
            return _CONTINUE
        if c == 0x75:  # u
            self.step = self.state_in_string_esc_u
            return _CONTINUE
        return self.error(c, "in string escape code")

    def _hex(self, c: int, nxt: Callable[[int], int]) -> int:
        if c in _HEX:
            self.step = nxt
            return _CONTINUE
        return self.error(c, "in \\u hexadecimal character escape")

    def state_in_string_esc_u(self, c: int) -> int:
        return self._hex(c, self.state_in_string_esc_u1)

    def state_in_string_esc_u1(self, c: int) -> int:
        return self._hex(c, self.state_in_string_esc_u12)

    def state_in_string_esc_u12(self, c: int) -> int:
        return self._hex(c, self.state_in_string_esc_u123)

    def state_in_string_esc_u123(self, c: int) -> int:
        return self._hex(c, self.state_in_string)

    def state_neg(self, c: int) -> int:
        if c == 0x30:
            self.step = self.state_0
            return _CONTINUE
        if 0x31 <= c <= 0x39:
            self.step = self.state_1
            return _CONTINUE
        return self.error(c, "in numeric literal")

    def state_1(self, c: int) -> int:
        if c in _DIGITS:
            self.step = self.state_1
            return _CONTINUE
        return self.state_0(c)

    def state_0(self, c: int) -> int:
        if c == 0x2E:  # .
            self.step = self.state_dot
            return _CONTINUE
        if c in (0x65, 0x45):  # e E
            self.step = self.state_e
            return _CONTINUE
        return self.state_end_value(c)

    def state_dot(self, c: int) -> int:
        if c in _DIGITS:
            self.step = self.state_dot0
            return _CONTINUE
        return self.error(c, "after decimal point in numeric literal")

    def state_dot0(self, c: int) -> int:
        if c in _DIGITS:
            return _CONTINUE
        if c in (0x65, 0x45):
            self.step = self.state_e
            return _CONTINUE
        return self.state_end_value(c)

    def state_e(self, c: int) -> int:
        if c in (0x2B, 0x2D):  # + -
            self.step = self.state_esign
            return _CONTINUE
        return self.state_esign(c)

    def state_esign(self, c: int) -> int:
        if c in _DIGITS:
            self.step = self.state_e0
            return _CONTINUE
        return self.error(c, "in exponent of numeric literal")

    def state_e0(self, c: int) -> int:
        if c in _DIGITS:
            return _CONTINUE
        return self.state_end_value(c)

    def _lit(self, c: int, want: int, nxt: Callable[[int], int], context: str) -> int:
        if c == want:
            self.step = nxt
            return _CONTINUE
        return self.error(c, context)

    def state_t(self, c: int) -> int:
        return self._lit(c, 0x72, self.state_tr, "in literal true (expecting 'r')")

    def state_tr(self, c: int) -> int:
        return self._lit(c, 0x75, self.state_tru, "in literal true (expecting 'u')")

    def state_tru(self, c: int) -> int:
        return self._lit(c, 0x65, self.state_end_value, "in literal true (expecting 'e')")

    def state_f(self, c: int) -> int:
        return self._lit(c, 0x61, self.state_fa, "in literal false (expecting 'a')")

    def state_fa(self, c: int) -> int:
        return self._lit(c, 0x6C, self.state_fal, "in literal false (expecting 'l')")

    def state_fal(self, c: int) -> int:
        return self._lit(c, 0x73, self.state_fals, "in literal false (expecting 's')")

    def state_fals(self, c: int) -> int:
        return self._lit(c, 0x65, self.state_end_value, "in literal false (expecting 'e')")

    def state_n(self, c: int) -> int:
        return self._lit(c, 0x75, self.state_nu, "in literal null (expecting 'u')")

    def state_nu(self, c: int) -> int:
        return self._lit(c, 0x6C, self.state_nul, "in literal null (expecting 'l')")

    def state_nul(self, c: int) -> int:
        return self._lit(c, 0x6C, self.state_end_value, "in literal null (expecting 'l')")

    def state_error(self, c: int) -> int:
        return _ERROR


def _as_bytes(text: str | bytes) -> bytes:
    if isinstance(text, bytes):
        return text
    return text.encode("utf-8", "surrogatepass")


def _locate(data: bytes, message: str, offset: int, pos: int) -> GoJSONError:
    line = data.count(b"\n", 0, pos) + 1
    column = pos - (data.rfind(b"\n", 0, pos) + 1) + 1
    return GoJSONError(message, offset, line, column)


def _read_value(data: bytes) -> tuple[int, GoJSONError | None]:
    """stream.go readValue for one Decode: (length of the first value, error)."""
    scan = _Scanner()
    for i, c in enumerate(data):
        scan.bytes += 1
        op = scan.step(c)
        if op == _END:
            return i, None  # value ended before this byte
        if op in (_END_OBJECT, _END_ARRAY):
            # Decoder invents a space so it never blocks waiting for the next byte.
            if scan.state_end_value(0x20) == _END:
                return i + 1, None
        elif op == _ERROR:
            return 0, _locate(data, scan.err or "", scan.bytes, i)
    if scan.step(0x20) == _END:
        return len(data), None
    if any(c not in _SPACE for c in data):
        return 0, _locate(data, "unexpected EOF", len(data), len(data))
    return 0, _locate(data, "EOF", len(data), len(data))


def check_syntax(text: str | bytes, *, allow_empty: bool = True) -> GoJSONError | None:
    """The error ``json.NewDecoder(r).Decode(&v)`` returns for syntax, or None.

    Empty/whitespace-only input yields Go's ``io.EOF``; docker/cli ignores it, so it is
    reported only with ``allow_empty=False`` (message ``EOF``).  ``str`` input is taken as
    its UTF-8 encoding.  Type mismatches against docker/cli's ``ConfigFile`` struct (e.g. a
    top-level array) are not syntax errors and are not reported here.
    """
    data = _as_bytes(text)
    _, err = _read_value(data)
    if err is not None and err.message == "EOF" and allow_empty:
        return None
    return err


_SURROGATES = re.compile("[\ud800-\udfff]")


def _go_string(raw: bytes) -> str:
    """Decode a scanned string literal as Go's unquote does."""
    # surrogateescape maps each invalid UTF-8 byte to one lone surrogate, matching Go's
    # one-U+FFFD-per-bad-byte (utf8.DecodeRune returns size 1); json.loads keeps escaped
    # lone surrogates, which Go also replaces with U+FFFD.
    value = json.loads(raw.decode("utf-8", "surrogateescape"))
    assert isinstance(value, str)
    return _SURROGATES.sub("\ufffd", value)


def _string_end(data: bytes, i: int) -> int:
    """Index just past the closing quote of the (already validated) literal at ``i``."""
    j = i + 1
    while True:
        c = data[j]
        if c == 0x5C:
            j += 2
        elif c == 0x22:
            return j + 1
        else:
            j += 1


def _build(data: bytes) -> object:
    """Iteratively build the (validated) value, Go ``interface{}`` style."""
    stack: list[tuple[dict[str, object] | list[object], str | None]] = []
    key: str | None = None
    result: object = None
    i = 0
    n = len(data)
    expecting_key = False
    while i < n:
        c = data[i]
        if c in _SPACE or c in (0x2C, 0x3A):
            i += 1
            continue
        value: object
        if c == 0x7B:
            stack.append(({}, key))
            key = None
            expecting_key = True
            i += 1
            continue
        if c == 0x5B:
            stack.append(([], key))
            key = None
            expecting_key = False
            i += 1
            continue
        if c in (0x7D, 0x5D):
            container, key = stack.pop()
            value = container
            i += 1
        elif c == 0x22:
            j = _string_end(data, i)
            s = _go_string(data[i:j])
            i = j
            if expecting_key:
                key = s
                expecting_key = False
                continue
            value = s
        else:
            j = i
            while j < n and data[j] not in b" \t\r\n,:]}":
                j += 1
            lit = data[i:j].decode("ascii")
            i = j
            if lit == "true":
                value = True
            elif lit == "false":
                value = False
            elif lit == "null":
                value = None
            else:
                f = float(lit)
                if f in (float("inf"), float("-inf")):
                    # decode.go convertNumber: ParseFloat range error -> UnmarshalTypeError
                    raise ValueError(
                        f"json: cannot unmarshal number {lit} into Go value of type float64"
                    )
                value = f
        if not stack:
            result = value
            break
        parent = stack[-1][0]
        if isinstance(parent, dict):
            parent[key if key is not None else ""] = value  # duplicate keys: last wins
            key = None
            expecting_key = True
        else:
            parent.append(value)
            expecting_key = False
    return result


def parse(text: str | bytes) -> object:
    """Decode the first JSON value the way ``Decoder.Decode(&v)`` with ``v any`` would.

    Numbers become ``float`` (Go ``float64``), invalid UTF-8 and lone surrogates become
    U+FFFD, duplicate keys keep the last value, bytes after the first value are ignored.
    Empty input returns None (docker/cli ignores ``io.EOF``).  Raises
    :class:`GoJSONDecodeError` with Go's message for syntax errors, and ``ValueError`` with
    Go's ``UnmarshalTypeError`` text for numbers outside float64 range.
    """
    data = _as_bytes(text)
    length, err = _read_value(data)
    if err is not None:
        if err.message == "EOF":
            return None
        raise GoJSONDecodeError(err)
    return _build(data[:length])
