"""Every Chinese label the reports and the command line show, in one place."""

from __future__ import annotations

from sitecheck.models import FindingKind, Outcome, Severity

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
}
