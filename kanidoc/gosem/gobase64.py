"""Go ``encoding/base64`` ``StdEncoding`` decoding, byte for byte and error for error.

docker/cli ``cli/config/configfile/file.go`` ``decodeAuth`` (v20.10 through v28) decodes the
``auth`` field of every ``auths`` entry with ``base64.StdEncoding.Decode``; a failure aborts
loading the whole config file with ``illegal base64 data at input byte N``.

Mirrors golang/go ``src/encoding/base64/base64.go`` (``Decode``, ``decodeQuantum``,
``CorruptInputError``; the older variant with ``decode64``/``decode32`` fast paths has the
same error logic).  Checked against Go 1.19's ``DecodeString`` with a differential harness.  ``Decode``'s 8- and 4-byte fast paths only handle blocks made entirely of
alphabet characters, which ``decodeQuantum`` decodes identically, so only ``decodeQuantum``
is modelled.  ``StdEncoding`` has padding ``=`` and is **not** strict: non-zero bits left in
the final quantum are dropped silently.  ``\\r`` and ``\\n`` are skipped anywhere.
"""

from __future__ import annotations

import base64
import binascii

__all__ = [
    "GoBase64Error",
    "decoded_len",
    "std_decode",
    "std_decode_buffer",
    "std_encode",
]

_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_INVALID = 0xFF
_DECODE_MAP: tuple[int, ...] = tuple(
    _ALPHABET.index(b) if b in _ALPHABET else _INVALID for b in range(256)
)
_PAD = 0x3D  # '='
_NEWLINES = (0x0A, 0x0D)


class GoBase64Error(ValueError):
    """Go's ``CorruptInputError``: ``str(e)`` is ``illegal base64 data at input byte N``.

    ``offset`` is N, a byte offset into the UTF-8 encoding of the input.  ``partial`` holds
    the bytes Go had already written to ``dst`` when it stopped (``Decode`` returns them as
    ``n`` alongside the error).
    """

    def __init__(self, offset: int, partial: bytes = b"") -> None:
        super().__init__(f"illegal base64 data at input byte {offset}")
        self.offset = offset
        self.partial = partial

    def __str__(self) -> str:
        return f"illegal base64 data at input byte {self.offset}"


def _as_bytes(s: str | bytes) -> bytes:
    if isinstance(s, bytes):
        return s
    # Go converts the string to []byte; offsets count UTF-8 bytes.
    return s.encode("utf-8", "surrogatepass")


def decoded_len(n: int) -> int:
    """``StdEncoding.DecodedLen(n)`` (padded encodings): ``n / 4 * 3``."""
    return n // 4 * 3


def _decode(src: bytes, strict: bool) -> tuple[bytes, GoBase64Error | None]:
    out = bytearray()
    si = 0
    end = len(src)
    while si < end:
        # ---- one decodeQuantum call
        dbuf = [0, 0, 0, 0]
        dlen = 4
        trailing: int | None = None
        j = 0
        while j < 4:
            if si == end:
                if j == 0:
                    return bytes(out), None
                # j == 1, or any j with padding configured: Go reports si - j, which is not
                # the quantum's start if newlines were skipped inside it.
                return bytes(out), GoBase64Error(si - j, bytes(out))
            c = src[si]
            si += 1
            v = _DECODE_MAP[c]
            if v != _INVALID:
                dbuf[j] = v
                j += 1
                continue
            if c in _NEWLINES:
                continue  # Go: j--, then the loop's j++
            if c != _PAD:
                return bytes(out), GoBase64Error(si - 1, bytes(out))
            # padding reached
            if j in (0, 1):
                return bytes(out), GoBase64Error(si - 1, bytes(out))
            if j == 2:
                # "==" expected; the first '=' is consumed
                while si < end and src[si] in _NEWLINES:
                    si += 1
                if si == end:
                    return bytes(out), GoBase64Error(end, bytes(out))
                if src[si] != _PAD:
                    return bytes(out), GoBase64Error(si - 1, bytes(out))
                si += 1
            while si < end and src[si] in _NEWLINES:
                si += 1
            if si < end:
                trailing = si  # trailing garbage; the quantum is still written
            dlen = j
            break
        val = dbuf[0] << 18 | dbuf[1] << 12 | dbuf[2] << 6 | dbuf[3]
        b0, b1, b2 = (val >> 16) & 0xFF, (val >> 8) & 0xFF, val & 0xFF
        if dlen == 4:
            out += bytes((b0, b1, b2))
        elif dlen == 3:
            if strict and b2 != 0:
                return bytes(out), GoBase64Error(si - 1, bytes(out))
            out += bytes((b0, b1))
        else:  # dlen == 2
            if strict and (b1 != 0 or b2 != 0):
                return bytes(out), GoBase64Error(si - 2, bytes(out))
            out.append(b0)
        if trailing is not None:
            return bytes(out), GoBase64Error(trailing, bytes(out))
    return bytes(out), None


def _canonical(raw: bytes) -> bytes | None:
    """The C decoder, for input that is plain padded base64 once ``\\r``/``\\n`` are gone
    (every PEM body in a CA bundle): there Go's non-strict ``Decode`` and binascii agree
    byte for byte (both drop the final quantum's spare bits), and the Python model above
    would cost ~1 ms per certificate. Anything else (stray characters, padding that is
    short, inner or extra: binascii's own strict mode accepts ``QUJD=``, Go does not) goes
    to the model, which knows Go's errors and partial output. A test holds the two to
    agreement."""
    body = raw.translate(None, b"\r\n")
    core = body.rstrip(b"=")
    # whole quanta, at most "==", and nothing but the alphabet before it
    if len(body) % 4 or len(body) - len(core) > 2 or core.translate(None, _ALPHABET):
        return None
    return binascii.a2b_base64(body)


def std_decode(s: str | bytes, *, strict: bool = False) -> bytes:
    """``base64.StdEncoding.DecodeString(s)`` (``strict=True``: ``StdEncoding.Strict()``).

    Raises :class:`GoBase64Error` exactly when Go returns a ``CorruptInputError``.
    """
    raw = _as_bytes(s)
    if not strict:
        fast = _canonical(raw)
        if fast is not None:
            return fast
    decoded, err = _decode(raw, strict)
    if err is not None:
        raise err
    return decoded


def std_decode_buffer(s: str | bytes) -> bytes:
    """The whole ``DecodedLen(len(s))`` buffer, as docker/cli ``decodeAuth`` sees it.

    decodeAuth calls ``Decode(decoded, authByte)`` and then uses ``string(decoded)``, not
    ``decoded[:n]``: padding and every ``\\r``/``\\n`` leave trailing NUL bytes, which is why
    it trims ``\\x00`` from the password.  Raises :class:`GoBase64Error` like
    :func:`std_decode`.
    """
    raw = _as_bytes(s)
    decoded, err = _decode(raw, False)
    if err is not None:
        raise err
    size = decoded_len(len(raw))
    return decoded + b"\x00" * (size - len(decoded))


def std_encode(b: bytes) -> str:
    """``base64.StdEncoding.EncodeToString(b)`` (identical to RFC 4648 with padding)."""
    return base64.b64encode(b).decode("ascii")
