"""Page identifiers the sample portal gets wrong on purpose (issue 16 §3).

Every ordinary template of the portal carries the full footer (党政机关网站标识, 网站标识码, ICP
备案号 linked to the record system, 公安机关备案号 linked, 主办/承办单位 and an address) and its
own ``SiteName``. Two plants break that:

- one column's articles use a variant footer (another template) that leaves out the 标识码:
  the template is reported, with its page count, as lacking 网站标识码 (预警: the rule naming
  the home page is not broken, the home page's template is whole);
- two articles of another column carry the ``SiteName`` meta of another city, as a template
  copied from another site does: reported as disagreeing with the site's name.

``expect`` is what a correct audit reports about a plant (text_plants.Expected); nothing else of
the identifier kinds may be reported on the portal.
"""

from __future__ import annotations

from typing import NamedTuple

from sitecheck.demo.text_plants import Expected
from sitecheck.models import FindingKind, Severity

__all__ = ["COPIED_SITE_NAME", "IDENTIFIER_PLANTS", "LITE_FOOTER", "IdentifierPlant"]

COPIED_SITE_NAME = "齐齐哈尔市发展和改革委员会"
LITE_FOOTER = "lite"  # the variant footer without 网站标识码


class IdentifierPlant(NamedTuple):
    id: str
    column: str  # whose articles carry it
    nths: tuple[int, ...]  # which of them, newest first; () for every article of the column
    footer: str = ""  # LITE_FOOTER: the variant footer
    site_name: str = ""  # the SiteName meta, when not the portal's
    expect: tuple[Expected, ...] = ()


IDENTIFIER_PLANTS: tuple[IdentifierPlant, ...] = (
    IdentifierPlant(
        "footer-without-id-code",
        "qxdt",
        (),
        footer=LITE_FOOTER,
        expect=(Expected(FindingKind.IDENTIFIER_MISSING, Severity.WARNING, "网站标识码"),),
    ),
    IdentifierPlant(
        "copied-site-name",
        "tpxw",
        (1, 2),
        site_name=COPIED_SITE_NAME,
        expect=(Expected(FindingKind.IDENTIFIER_MISMATCH, Severity.WARNING, COPIED_SITE_NAME),),
    ),
)
