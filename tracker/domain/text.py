"""Text as stored: no bidirectional controls in titles and names; words listed in a sentence.

Unicode's bidirectional embedding, override and isolate controls (and the invisible direction
marks) change the order in which the characters around them are shown, so a title holding
U+202E RIGHT-TO-LEFT OVERRIDE can display as something it is not, in a page, the digest or an
export ("Trojan Source"). Nobody types them on purpose in a plan: they are removed from titles,
names and labels as they are saved, wherever they come from (a page, the API, an import, the
seed). Text is still shown isolated (`<bdi>`, the `isolate` filter in tracker/formatting.py):
right-to-left script (Arabic, Hebrew names) is kept and shows correctly, and anything stored
before this cannot run over what is around it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import overload

# LRE, RLE, PDF, LRO, RLO; LRI, RLI, FSI, PDI; LRM, RLM; ALM.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
_REMOVE = {ord(ch): None for ch in BIDI_CONTROLS}
# Searched in C: `shown` runs on everything a template prints, megabytes of chart data too.
_ANY = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")


@overload
def strip_bidi(text: str) -> str: ...
@overload
def strip_bidi(text: None) -> None: ...
def strip_bidi(text: str | None) -> str | None:
    """`text` without bidirectional controls; None stays None."""
    if text is None:
        return None
    return text.translate(_REMOVE)


def has_bidi(text: str | None) -> bool:
    return text is not None and _ANY.search(text) is not None


def shown(value: object) -> object:
    """What a template shows of any value: text (escaped or not) without bidirectional
    controls, so that text stored before they were removed on input, or reaching a page any
    other way, cannot reorder what is around it. The app's Jinja `finalize`: every page, and
    the digest's HTML and text."""
    if isinstance(value, str) and has_bidi(value):
        return strip_bidi(value)  # a markupsafe.Markup stays Markup
    return value


def listed(words: Sequence[str], limit: int | None = None) -> str:
    """Words in a sentence: "FIN-08", "FIN-08 and GOV-02", "FIN-08, GOV-02 and PRC-04"; past
    `limit` words, the rest are counted ("FIN-08, GOV-02, PRC-04 and 2 more")."""
    shown = list(words if limit is None else words[:limit])
    if limit is not None and len(words) > limit:
        shown.append(f"{len(words) - limit} more")
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
