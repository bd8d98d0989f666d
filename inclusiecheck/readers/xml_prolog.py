"""The prolog scan shared by the XML readers (OSM XML, ifcXML).

A DOCTYPE is where external entities and entity-expansion bombs live; the XML readers reject
one before any parser sees the file. Each reader decodes the first bytes itself and words its
own errors; :func:`scan_prolog` only says what the prolog holds.
"""

from __future__ import annotations

from typing import Literal

Prolog = Literal["root", "doctype", "doctype_entities", "no_root", "truncated"]


def scan_prolog(text: str) -> Prolog:
    """Skip the XML declaration, processing instructions and comments at the start of ``text``.

    Returns
    -------
    str
        ``"root"``: the next markup is an element (the root); ``"doctype"``: a DOCTYPE;
        ``"doctype_entities"``: a DOCTYPE that declares entities or loads an external subset
        (``<!ENTITY``, ``SYSTEM``, ``PUBLIC``); ``"no_root"``: no further ``<`` in ``text``;
        ``"truncated"``: ``text`` ends inside (or right after) the declarations.
    """
    position = 0
    while True:
        start = text.find("<", position)
        if start < 0:
            return "no_root"
        if text.startswith("<?", start):
            end = text.find("?>", start)
            position = end + 2 if end >= 0 else len(text)
        elif text.startswith("<!--", start):
            end = text.find("-->", start)
            position = end + 3 if end >= 0 else len(text)
        elif text[start:start + 9].upper() == "<!DOCTYPE":
            body = text[start:].upper()
            if "<!ENTITY" in body or " SYSTEM" in body or " PUBLIC" in body:
                return "doctype_entities"
            return "doctype"
        else:
            return "root"
        if position >= len(text):
            return "truncated"


__all__ = ["Prolog", "scan_prolog"]
