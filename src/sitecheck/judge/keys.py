"""Finding identity that stays the same from run to run (so a re-check can say 已整改)."""

from __future__ import annotations

import hashlib

from sitecheck.models import FindingKind

# Dead links on the home page and on inner pages are one problem that may move between
# pages; both kinds share the identity of the broken URL.
_FAMILY = {FindingKind.DEAD_LINK_HOME: "dead_link", FindingKind.DEAD_LINK: "dead_link"}


def finding_key(kind: FindingKind, subject: str, context: str = "") -> str:
    family = _FAMILY.get(kind, kind.value)
    digest = hashlib.sha1(f"{family}\x1f{subject}\x1f{context}".encode()).hexdigest()[:16]
    return f"{family}:{digest}"
