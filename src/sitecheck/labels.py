"""Every Chinese label the reports and the command line show, in one place."""

from __future__ import annotations

from sitecheck.models import ColumnCategory, FindingKind, Outcome, Severity

OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.OK: "正常",
    Outcome.NOT_FOUND: "页面不存在（404）",
    Outcome.CLIENT_ERROR: "请求被拒绝（4xx）",
    Outcome.SERVER_ERROR: "服务器错误（5xx）",
    Outcome.TIMEOUT: "访问超时",
    Outcome.CONNECTION_ERROR: "无法连接（拒绝或中断）",
    Outcome.DNS_ERROR: "域名无法解析",
    Outcome.TLS_ERROR: "证书或加密连接错误",
    Outcome.REDIRECT_ERROR: "重定向过多或循环",
    Outcome.SOFT_404: "页面显示“不存在”或错误页（软404）",
    Outcome.BLOCKED: "被安全防护拦截，无法核实",
    Outcome.RATE_LIMITED: "访问过于频繁被限流，无法核实",
    Outcome.ROBOTS_DISALLOWED: "robots.txt 不允许访问，未核实",
    Outcome.INVALID_URL: "链接地址无效",
    Outcome.NOT_CHECKABLE: "无需检测",
    Outcome.EXCLUDED: "已按配置排除",
}

KIND_LABELS: dict[FindingKind, str] = {
    FindingKind.HOME_UNREACHABLE: "首页无法访问",
    FindingKind.DEAD_LINK_HOME: "首页不可用链接",
    FindingKind.DEAD_LINK: "其他页面不可用链接",
    FindingKind.UNAVAILABLE_LINK: "栏目入口无效（#或建设中）",
    FindingKind.UNVERIFIED_LINK: "无法核实的链接",
    FindingKind.EMPTY_COLUMN: "空白栏目",
    FindingKind.STALE_COLUMN: "栏目不更新",
    FindingKind.UNDATED_COLUMN: "栏目信息无发布日期",
    FindingKind.STALE_COLUMN_WARNING: "栏目即将超期（预警）",
    FindingKind.HOME_NOT_UPDATED: "首页不更新",
    FindingKind.HOME_FEW_UPDATES: "首页更新量不足",
}

CATEGORY_LABELS: dict[ColumnCategory, str] = {
    ColumnCategory.DYNAMIC: "动态要闻类",
    ColumnCategory.NOTICE: "通知公告/政策文件类",
    ColumnCategory.PERSONNEL: "人事/规划计划类",
    ColumnCategory.ANNUAL_REPORT: "政府信息公开年报",
    ColumnCategory.TOPIC: "专题专栏（豁免）",
    ColumnCategory.OTHER: "其他栏目",
}

COLUMN_STATUS_LABELS: dict[str, str] = {
    "ok": "正常",
    "empty": "空白栏目",
    "stale": "超期未更新",
    "undated": "无发布日期",
    "warning": "即将超期",
    "exempt": "豁免",
}

SEVERITY_LABELS: dict[Severity, str] = {
    Severity.VETO: "单项否决风险",
    Severity.DEDUCTION: "扣分项",
    Severity.WARNING: "预警/待核实",
}

ADVICE: dict[FindingKind, str] = {
    FindingKind.HOME_UNREACHABLE: "立即检查服务器、域名解析与网络；首页一周内打不开比例达5%即单项否决。",
    FindingKind.DEAD_LINK_HOME: "在首页找到该链接（见链接文字），改为正确地址或删除。",
    FindingKind.DEAD_LINK: "在所列父页面找到该链接（见链接文字），改为正确地址或删除。",
    FindingKind.UNAVAILABLE_LINK: "为该栏目入口补充内容并设置真实链接，或从导航中移除。",
    FindingKind.UNVERIFIED_LINK: "对方网站拦截了自动检查；请人工在浏览器中打开确认。",
    FindingKind.EMPTY_COLUMN: "为栏目补充内容；确无内容的栏目应从导航中撤下或与其他栏目合并。",
    FindingKind.STALE_COLUMN: "按栏目类别的时限发布新信息；已停止更新的栏目应撤下或归入历史专题。",
    FindingKind.UNDATED_COLUMN: "在列表与正文中标注每条信息的发布日期（未注明日期的视为不更新）。",
    FindingKind.STALE_COLUMN_WARNING: "尽快发布新信息，避免超过时限。",
    FindingKind.HOME_NOT_UPDATED: "首页栏目两周内须有新增信息，请立即更新首页。",
    FindingKind.HOME_FEW_UPDATES: "加大首页栏目信息发布量（两周内不少于10条）。",
}
