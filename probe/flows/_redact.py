"""Scrubbing a probe's secrets out of the files it leaves as evidence.

A browser writes a typed password in many spellings: as typed (the ``fill`` call in the
trace, ``__playwright_value_`` in DOM snapshots), JSON-escaped (trace events),
percent-encoded in a form body (UTF-8 or, for a page without a charset, Latin-1, ``+``
for space) or by ``encodeURIComponent``, HTML-escaped in a page. Each spelling of each
secret is replaced by ``***`` in every byte of every file; the trace zip is rewritten
member by member, names included.
"""

from __future__ import annotations

import html
import io
import json
import zipfile
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote, quote_plus

from probe.credentials import MASK

__all__ = ["Redactor", "spellings"]

_ENCODINGS = ("utf-8", "latin-1")
_URI_COMPONENT_SAFE = "!~*'()"
"""What ``encodeURIComponent`` leaves as it is, beyond letters, digits and ``-_.``."""


def _percent_forms(secret: str, encoding: str) -> set[str]:
    if not _encodes(secret, encoding):
        return set()
    plus = quote_plus(secret, safe="*", encoding=encoding)
    return {
        quote(secret, safe="", encoding=encoding),
        quote(secret, encoding=encoding),
        quote(secret, safe=_URI_COMPONENT_SAFE, encoding=encoding),
        quote_plus(secret, encoding=encoding),
        plus.replace("~", "%7E"),  # HTML forms encode ~ and keep *
    }


def spellings(secret: str) -> set[str]:
    """Every way ``secret`` is known to be written into a page, a request or a trace."""
    forms = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1],
             html.escape(secret), html.escape(secret, quote=False)}
    for encoding in _ENCODINGS:
        forms |= _percent_forms(secret, encoding)
    return {form for form in forms if form}


class Redactor:
    """Replaces every spelling of some secrets by ``***``, longest spelling first."""

    def __init__(self, secrets: Iterable[str]) -> None:
        texts = {form for secret in secrets if secret for form in spellings(secret)}
        self._texts = sorted(texts, key=len, reverse=True)
        self._bytes = sorted({form.encode(encoding) for form in texts
                              for encoding in _ENCODINGS if _encodes(form, encoding)},
                             key=len, reverse=True)

    def text(self, text: str) -> str:
        for form in self._texts:
            text = text.replace(form, MASK)
        return text

    def data(self, data: bytes) -> bytes:
        for form in self._bytes:
            data = data.replace(form, MASK.encode())
        return data

    def zip(self, source: Path) -> bytes:
        """The zip at ``source`` rewritten with every member (and member name) redacted."""
        out = io.BytesIO()
        with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w") as new:
            for info in old.infolist():
                copy = zipfile.ZipInfo(self.text(info.filename), date_time=info.date_time)
                copy.compress_type = zipfile.ZIP_DEFLATED
                copy.external_attr = info.external_attr
                new.writestr(copy, self.data(old.read(info)))
        return out.getvalue()


def _encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True
