"""政府信息公开工作年度报告 (issue 15, part 3): reading a report page, and judging the last due one."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from sitecheck.audit import AuditResult, rejudge
from sitecheck.config import config_from_mapping
from sitecheck.demo import DemoServer
from sitecheck.extract.annual_report import read_annual_report
from sitecheck.judge.annual import last_due_year

SIX = (
    "一、总体情况\n文字\n二、主动公开政府信息情况\n（一）规章\n三、收到和处理政府信息公开申请情况\n"
    "四、政府信息公开行政复议、行政诉讼情况\n五、存在的主要问题及改进情况\n六、其他需要报告的事项\n"
)


@pytest.mark.parametrize(
    ("title", "year"),
    [
        ("某市发展和改革委员会2025年政府信息公开工作年度报告_政府信息公开年报_某市发展和改革委员会", 2025),
        ("2024年度政府信息公开工作年报", 2024),
        ("XX区人民政府2023年度政府信息公开工作年度报告", 2023),
    ],
)
def test_a_report_page_is_read_with_its_year(title: str, year: int) -> None:
    report = read_annual_report(title, SIX)
    assert report is not None and report.year == year
    assert report.sections == (1, 2, 3, 4, 5, 6) and not report.missing


@pytest.mark.parametrize(
    "title",
    [
        "关于做好2025年度政府信息公开工作年度报告编制工作的通知",
        "某市人民政府2024年政府信息公开工作年度报告的解读",
        "政府信息公开年报_某市发展和改革委员会",  # the column's list page: no year
        "2025年工作总结",
    ],
)
def test_other_pages_are_not_reports(title: str) -> None:
    assert read_annual_report(title, SIX) is None


def test_a_page_that_only_links_to_the_file_shows_no_sections() -> None:
    report = read_annual_report("2025年度政府信息公开工作年度报告", "全文详见附件：2025年度报告.pdf")
    assert report is not None and not report.carries_text


def test_a_missing_section_is_seen() -> None:
    text = SIX.replace("五、存在的主要问题及改进情况\n", "")
    report = read_annual_report("2025年度政府信息公开工作年度报告", text)
    assert report is not None and report.carries_text and report.missing == (5,)


@pytest.mark.parametrize(
    ("as_of", "due", "year"),
    [
        (date(2026, 12, 5), (1, 31), 2025),
        (date(2026, 1, 31), (1, 31), 2024),  # due that day: last year's is not late yet
        (date(2026, 2, 1), (1, 31), 2025),
        (date(2026, 3, 15), (3, 31), 2024),  # 本级政府: 31 March
    ],
)
def test_the_last_due_report(as_of: date, due: tuple[int, int], year: int) -> None:
    assert last_due_year(as_of, due) == year


def test_the_sample_portals_newest_report_is_late_and_incomplete(
    demo_server: DemoServer, demo_audit: tuple[AuditResult, dict[str, Any]]
) -> None:
    """Its reports come out 200 days before the day judged, the newest without section 五."""
    result, doc = demo_audit
    found = [f for f in doc["findings"] if f["kind"] == "annual_report"]
    assert len(found) == 2, [f["detail"] for f in found]
    late, incomplete = sorted(found, key=lambda f: "内容不全" in f["detail"])
    assert "发布逾期" in late["detail"] and late["severity"] == "deduction"
    assert (
        "缺少“五、存在的主要问题及改进情况”" in incomplete["detail"] and incomplete["severity"] == "deduction"
    )
    assert late["url"] == incomplete["url"] and "/ndbg/" in late["url"]
    # Judged again with a deadline after its publication (30 June): the facts are the same, the
    # lateness follows the setting, the missing section does not.
    data_dir = json.loads(result.summary.run.config_json)["data_dir"] if result.summary else ""
    as_of = date.fromisoformat(doc["run"]["as_of"])
    config = config_from_mapping({"data_dir": data_dir, "content": {"annual_report_due": "06-30"}})
    again = rejudge(data_dir, result.run_id, as_of, None, config)
    kinds = [f.detail for f in again.findings if f.kind == "annual_report"]
    assert len(kinds) == 1 and "内容不全" in kinds[0]
