"""页面未完整检查: a page the crawl read only in part, said rather than hidden.

A page larger than ``fetch.max_body_bytes`` is cut at the cap, and a page whose structure would
stall the crawl (tens of thousands of nested elements) is analysed only in part: the links
past the cut were never checked. That is a fact about this audit's coverage, shown as a
warning with how much was read, so nobody takes "no dead links" for more than it is.
"""

from __future__ import annotations

from collections.abc import Iterator

from sitecheck.judge import JudgeContext
from sitecheck.judge.keys import finding_key
from sitecheck.models import Finding, FindingKind, Severity
from sitecheck.store import RunFacts


def pages_not_read_whole(facts: RunFacts, context: JudgeContext) -> Iterator[Finding]:
    for url, truncated, bytes_read, limited in facts.limited_pages():
        parts: list[str] = []
        if truncated:
            size = f"前 {bytes_read:,} 字节" if bytes_read else "前一部分"
            parts.append(f"页面超过大小上限，只读取了{size}，其后的链接和内容未检查")
        if limited:
            parts.append(limited)
        yield Finding(
            key=finding_key(FindingKind.PAGE_NOT_READ_WHOLE, url),
            kind=FindingKind.PAGE_NOT_READ_WHOLE,
            severity=Severity.WARNING,
            url=url,
            detail="；".join(parts),
        )
