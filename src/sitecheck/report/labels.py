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
    Outcome.REDIRECT_ERROR: "重定向错误（过多、循环或指向内网地址）",
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
    FindingKind.PAGE_NOT_READ_WHOLE: "页面未完整检查",
    FindingKind.TO_VERIFY: "疑似否决项（待核实）",
    FindingKind.PERSONAL_DATA: "个人信息泄露",
    FindingKind.WRONG_WORDING: "错敏信息（错别字、表述错误）",
    FindingKind.ANNUAL_REPORT: "政府信息公开年报问题",
    FindingKind.EXTERNAL_CHANGED: "外链变异",
    FindingKind.EXTERNAL_RISKY: "疑似链接违规网站",
    FindingKind.CERT_EXPIRY: "HTTPS证书即将到期或已过期",
    FindingKind.CERT_INVALID: "HTTPS证书无效",
    FindingKind.HTTPS_REDIRECT: "未跳转到HTTPS",
    FindingKind.MIXED_CONTENT: "HTTPS页面加载http资源（混合内容）",
    FindingKind.HIDDEN_LINK: "暗链（隐藏的站外链接）",
    FindingKind.IDENTIFIER_MISSING: "页面标识缺失",
    FindingKind.IDENTIFIER_MISMATCH: "页面标识不一致",
}

CATEGORY_LABELS: dict[ColumnCategory, str] = {
    ColumnCategory.DYNAMIC: "动态要闻类",
    ColumnCategory.NOTICE: "通知公告/政策文件类",
    ColumnCategory.PERSONNEL: "人事/规划计划类",
    ColumnCategory.ANNUAL_REPORT: "政府信息公开年报",
    ColumnCategory.TOPIC: "专题专栏（豁免）",
    ColumnCategory.OTHER: "其他栏目",
}

STATE_LABELS: dict[str, str] = {
    "new": "新发现",
    "still_open": "未整改",
    "reopened": "再次出现",
    "fixed": "已整改",
    "ignored": "已忽略",
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
    FindingKind.TO_VERIFY: (
        "自动检查的证据不足以作出否决判断：请按“依据”打开页面人工核实；"
        "确有问题的按空白栏目或栏目不更新整改，没有问题的可忽略。"
    ),
    FindingKind.HOME_UNREACHABLE: "立即检查服务器、域名解析与网络；首页一周内打不开比例达5%即单项否决。",
    FindingKind.DEAD_LINK_HOME: "在首页找到该链接（见链接文字），改为正确地址或删除。",
    FindingKind.DEAD_LINK: "在所列父页面找到该链接（见链接文字），改为正确地址或删除。",
    FindingKind.UNAVAILABLE_LINK: "把该导航入口改为栏目的真实地址，或从导航中移除。",
    FindingKind.UNVERIFIED_LINK: "对方网站拦截了自动检查；请人工在浏览器中打开确认。",
    FindingKind.EMPTY_COLUMN: "为栏目补充内容；确无内容的栏目应从导航中撤下或与其他栏目合并。",
    FindingKind.STALE_COLUMN: "按栏目类别的时限发布新信息；已停止更新的栏目应撤下或归入历史专题。",
    FindingKind.UNDATED_COLUMN: "在列表与正文中标注每条信息的发布日期（未注明日期的视为不更新）。",
    FindingKind.STALE_COLUMN_WARNING: "尽快发布新信息，避免超过时限。",
    FindingKind.HOME_NOT_UPDATED: "首页栏目 14 天内须有新增信息（最新信息满 15 天即单项否决），请立即更新。",
    FindingKind.HOME_FEW_UPDATES: "加大首页栏目信息发布量（14 天内不少于 10 条）。",
    FindingKind.PAGE_NOT_READ_WHOLE: (
        "页面过大或结构异常，只检查了一部分：请核对页面是否正常；"
        "确需检查全部内容时调大 fetch.max_body_bytes。"
        "所列附件（扫描件、加密或旧格式文件）无法自动检查，请人工逐一核查其中有无个人信息。"
    ),
    FindingKind.PERSONAL_DATA: (
        "立即对页面（含附件、表格、留言）中的个人信息作脱敏处理（如 身份证号 35**************123、"
        "手机号 138****1234），同步清理搜索引擎快照；单位公开的联系电话确属工作需要的可忽略并写明原因。"
    ),
    FindingKind.WRONG_WORDING: (
        "按建议改正并复核全文；涉及领导姓名、职务的须与组织部门公布的信息逐字核对，确属误报的可忽略。"
    ),
    FindingKind.ANNUAL_REPORT: (
        "按《政府信息公开条例》第四十九条于每年1月31日前（本级政府3月31日前）发布上一年度报告，"
        "内容按国办公开办函〔2021〕30号格式写全六个部分；已在其他平台发布的，在本站年报栏目链接过去。"
    ),
    FindingKind.EXTERNAL_CHANGED: (
        "打开该外链确认其现在指向的网站：已关停、域名出售或转到其他网站的，删除链接或改为对方的新网址；"
        "在网站后台按链接地址搜索，找出所有引用它的页面和模板（友情链接、正文）一并修改，并定期复查外链。"
    ),
    FindingKind.EXTERNAL_RISKY: (
        "立即删除或断开该链接（先下线引用它的页面或模板），核实是链接目标域名被他人注册还是本站内容被篡改："
        "如是篡改，按网络安全事件处置（排查后门、修改后台密码、保留日志），并向主管部门报告。"
    ),
    FindingKind.CERT_EXPIRY: (
        "立即续期或更换证书并部署到所列主机（含负载均衡、CDN 上的证书），部署后用浏览器确认新的到期日；"
        "建议设置自动续期或到期提醒，证书过期后浏览器会以安全警告阻止访问。"
    ),
    FindingKind.CERT_INVALID: (
        "更换为包含该域名、由受信任机构签发的证书，并在服务器上配置完整证书链（含中间证书）；"
        "使用国密证书的，请用支持国密的浏览器人工核实，确属正常的可忽略并写明原因。"
    ),
    FindingKind.HTTPS_REDIRECT: (
        "在服务器上把 http:// 的访问以 301 跳转到对应的 https:// 地址（可同时启用 HSTS）。"
        "国家层面未见强制使用 HTTPS 的规定，此项为安全建议，不计入扣分。"
    ),
    FindingKind.MIXED_CONTENT: (
        "把页面和模板中以 http:// 引用的图片、脚本、样式表、框架改为 https:// 地址或站内相对地址；"
        "对方没有 https 地址的资源，下载到本站后引用。国家层面未见强制使用 HTTPS 的规定，此项为安全建议。"
    ),
    FindingKind.HIDDEN_LINK: (
        "查看网页源代码，按页面片段找到并删除该链接，再在模板和公共脚本中搜索其地址；来历不明的涉赌涉黄暗链"
        "多为入侵植入：排查被篡改文件和后门程序，修补漏洞，更换网站、服务器密码。确属正常设置的可忽略。"
    ),
    FindingKind.IDENTIFIER_MISSING: (
        "在所列模板的页面底部中间补齐缺少的标识（党政机关网站标识、网站标识码、网站备案号并链接"
        "工信部备案管理系统、公安机关备案号、主办单位和联系方式），改模板后重新发布使用该模板的全部页面；"
        "标注“待核实”的请先在浏览器中查看页面底部是否已由脚本或框架显示。"
    ),
    FindingKind.IDENTIFIER_MISMATCH: (
        "把所列页面的网站标识码和网站名称等页面标签改为本网站的值（以党政机关网站标识注册信息为准），"
        "并检查从其他网站复制来的模板；属本网站下设的其他网站（如部门子站）的可忽略并写明原因。"
    ),
}

# --- Chinese labels kept in one place: tabular and CI reports (XLSX, CSV, SARIF, JUnit) ---------

SHEET_SUMMARY = "汇总"
SHEET_ALL = "全部问题"  # every open problem in one sheet, before the sheets per problem type
SHEET_FIXED = "已整改"
SHEET_IGNORED = "已忽略"
SHEET_COLUMNS = "栏目"

# Column headers of the checklist (整改台账), by ChecklistRow field (plus severity and the id).
CHECKLIST_HEADERS: dict[str, str] = {
    "number": "序号",
    "kind": "问题类型",
    "description": "问题描述",
    "column": "所在栏目",
    "url": "页面URL",
    "parent_page": "父页面",
    "link_text": "链接文字",
    "http": "HTTP状态/错误",
    "first_seen": "发现时间",
    "last_checked": "最近复查",
    "advice": "整改建议",
    "office": "责任科室",
    "status": "整改状态",
    "note": "备注",
    "severity": "严重程度",
    "key": "问题编号",
    "owner": "整改责任人",
    "deadline": "整改时限",
    "measures": "整改措施",
    "done": "完成情况/完成时间",
}

# The checklist's cover (HTML header, XLSX 汇总), by Cover field.
COVER_LABELS: dict[str, str] = {
    "organisation": "单位名称",
    "site_name": "网站名称",
    "site_code": "网站标识码",
    "scope": "检查范围",
    "basis": "检查依据",
    "inspector": "检查人/检查工具",
}
COVER_SCOPE = (
    "页面 {pages} 个，链接 {links} 个（不同地址 {urls} 个），栏目 {columns} 个；"
    "检查时间 {started} 至 {finished}"
)
SITE_CODE_MISSING = "未提供"
DEFAULT_INSPECTOR = "sitecheck 自动检查"
DONE_FIXED = "已整改"  # 完成情况 of a problem a later check found fixed

COLUMN_SHEET_HEADERS: dict[str, str] = {
    "number": "序号",
    "name": "栏目名称",
    "parent": "上级栏目",
    "category": "栏目类别",
    "limit_days": "更新时限（天）",
    "items": "信息条数",
    "newest": "最新信息日期",
    "days_since": "距检查日天数",
    "status": "状态",
    "evidence": "依据",
    "office": "责任科室",
    "url": "栏目URL",
}

SUMMARY_LABELS: dict[str, str] = {
    "title": "网站检查整改清单",
    "site": "网站",
    "start_url": "首页地址",
    "run": "检查批次",
    "run_kind": "检查方式",
    "run_started": "开始时间",
    "run_finished": "完成时间",
    "as_of": "检查基准日",
    "generated_at": "生成时间",
    "pages": "抓取页面数",
    "link_occurrences": "链接总数",
    "checked_urls": "检测地址数",
    "open_total": "未整改问题合计",
    "verdict": "单项否决结论",
    "veto_section": "单项否决指标（国办秘函〔2019〕19号）",
    "indicator": "指标",
    "count": "数量",
    "unit": "单位",
    "limit": "否决线",
    "warn_at": "预警线",
    "veto_status": "状态",
    "by_kind_section": "未整改问题（按问题类型）",
    "by_severity_section": "未整改问题（按严重程度）",
    "changes_section": "与上次检查相比",
    "availability_section": "首页可用性",
    "total": "合计",
}

# Same words as the HTML checklist's verdict, so every format tells the office the same thing.
# (Run kinds and veto statuses use RUN_KIND_LABELS and TALLY_STATUS_LABELS below.)
VERDICT_LABELS: dict[bool, str] = {
    True: "若此时抽查：不合格（触及单项否决）",
    False: "若此时抽查：未触及单项否决",
}
# An incomplete run: its verdict covers only what was read.
INCOMPLETE_LABEL = "本次检查不完整，结论只涵盖已读取的部分"

OTHER_REFERRERS_NOTE = "另有 {count} 个页面含此链接"
CI_SUITE_NAME = "政府网站检查：{site}"
CI_FIXED_MESSAGE = "已整改"
CI_IGNORED_MESSAGE = "已忽略：{reason}"

# --- HTML checklist (report/html.py, report/templates/checklist.html.j2) -------------------
# The page's own words. Templates carry no Chinese text, so a wording change happens here only.

RUN_KIND_LABELS: dict[str, str] = {
    "full": "全面检查",
    "recheck": "复查",
}

TALLY_STATUS_LABELS: dict[str, str] = {
    "pass": "正常",
    "warn": "预警",
    "fail": "否决",
}

HTML_TEXT: dict[str, str] = {
    # header
    "title": "网站自查整改清单",
    "site": "网站名称",
    "start_url": "首页地址",
    "run": "检查批次",
    "run_number": "第 {n} 次",
    "as_of": "检查日期",
    "crawl_time": "抓取时间",
    "generated": "生成时间",
    # summary
    "summary": "一、检查结论",
    "verdict_fail": "若此时抽查：不合格（触及单项否决）",
    "verdict_pass": "若此时抽查：未触及单项否决",
    "verdict_fail_detail": "以下指标已达到否决线，须优先整改：",
    "verdict_pass_detail": "各单项否决指标均未达到否决线；请继续整改下列扣分项与预警项。",
    "verdict_warn_detail": "接近否决线的指标：",
    "veto_table": "单项否决指标",
    "indicator": "指标",
    "current": "本次数值",
    "warn_line": "预警线",
    "veto_line": "否决线",
    "verdict_col": "结论",
    "open_total": "待整改问题",
    "items_unit": "项",
    "by_severity": "按严重程度",
    "by_kind": "按问题类型",
    "changes": "与上次检查相比",
    "changes_first": "这是本网站的第一次检查，所有问题均为新发现。",
    "scale": "检查范围",
    "pages": "页面",
    "links": "链接",
    "urls": "不同地址",
    "columns_count": "栏目",
    "count": "数量",
    # charts
    "charts": "二、趋势与首页可用性",
    "trend": "历次检查待整改问题数（按问题类型）",
    "trend_single": "目前只有一次检查记录；之后每次检查会在此增加一根柱子。",
    "trend_empty": "暂无历次检查记录。",
    "trend_total": "合计",
    "availability": "首页可用性（打不开的比例）",
    "availability_text": "首页打不开 {failures} 次 / 共探测 {probes} 次（{days} 天），比例 {ratio}",
    "availability_veto": "否决线 5%",
    "availability_warn": "预警 3%",
    "availability_fail": "已达到否决线",
    "availability_small_sample": "（样本不足：否决线按至少一周、每天不少于 20 次探测计算，目前仅作预警）",
    "availability_pass": "低于否决线",
    # checklist
    "checklist": "三、整改清单",
    "checklist_hint": "请各责任科室按清单逐项整改；完成后再次运行检查，系统会自动标记为“已整改”。",
    "filter_text": "搜索",
    "filter_text_placeholder": "输入栏目、网址、链接文字等关键词",
    "filter_kind": "问题类型",
    "filter_status": "整改状态",
    "filter_all": "全部",
    "filter_reset": "清除筛选",
    "visible_before": "当前显示",
    "visible_after": "条 / 共 {total} 条",
    "no_match": "没有符合筛选条件的问题。",
    "none_in_severity": "本类无问题。",
    "veto_by_tally": (
        "没有单独构成否决的问题，但空白、不更新等栏目问题的累计数量已达否决线"
        "（见“一、检查结论”），请优先整改下面扣分项中的栏目问题。"
    ),
    "group_column": "所在栏目：{name}",
    "group_office": "责任科室：{name}",
    "group_no_column": "未归入栏目的页面",
    "group_no_office": "未指定科室",
    "group_listed": "，本页列出 {n} 条",
    "left_out": (
        "本页每类问题最多列出 {limit} 条：{kinds}。"
        "全部问题见同一文件夹中的 checklist.xlsx（每类问题一个工作表）和 findings.csv。"
    ),
    "left_out_kind": "{label}共 {total} 条（列出 {shown} 条）",
    "sort_hint": "点击表头可排序",
    # table headers
    "col_number": "序号",
    "col_kind": "问题类型",
    "col_description": "问题描述",
    "col_column": "所在栏目",
    "col_url": "页面 URL",
    "col_parent": "父页面 / 链接文字",
    "col_http": "HTTP状态/错误",
    "col_first_seen": "发现时间",
    "col_last_checked": "最近复查",
    "col_advice": "整改建议",
    "col_office": "责任科室",
    "col_status": "整改状态",
    "col_note_fixed": "说明",
    "col_note_ignored": "忽略原因",
    "col_owner": "整改责任人",
    "col_deadline": "整改时限",
    "col_measures": "整改措施",
    "col_done": "完成情况/完成时间",
    "finding_id": "问题编号",
    "finding_id_hint": "选中即可复制（忽略此问题时使用）",
    "cover": "基本信息",
    "link_text": "链接文字",
    "on_page": "所在页面",
    "other_referrers": "另有 {n} 个页面",
    # fixed / ignored
    "fixed": "四、已整改",
    "fixed_none": "本次检查没有新整改完成的问题。",
    "ignored": "五、已忽略",
    "ignored_none": "没有被忽略的问题。",
    # columns
    "columns": "六、栏目清单",
    "columns_summary": "栏目清单（共 {n} 个，点击展开）",
    "col_name": "栏目名称",
    "col_category": "类别",
    "col_items": "信息条数",
    "col_newest": "最新发布",
    "col_days_since": "距今天数",
    "col_limit": "更新时限（天）",
    "col_column_status": "状态",
    "to_verify": "（待核实）",
    "exempt": "豁免",
    # sign-off
    "signoff": "审核意见",
    "signoff_office": "责任科室负责人（签字）",
    "signoff_director": "单位负责人（签字）",
    "signoff_date": "日期",
    "footer": (
        "本清单由 sitecheck 自动生成；"
        "“单项否决”依据《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）。"
    ),
}


# The supervisor's overview (report/overview.py, overview.html.j2): its words, in one place.
OVERVIEW_TEXT: dict[str, str] = {
    "title": "网站检查总览",
    "meta": (
        "检查日 {as_of}；共 {portals} 个网站，已检查 {audited} 个，其中 {failing} 个触及单项否决指标"
        "（国办秘函〔2019〕19号）。生成于 {generated_at}。点击表头排序；各类问题的逐项数目见 "
        "overview.xlsx，整改清单见各网站名称的链接。"
    ),
    "rank": "排名",
    "site": "网站",
    "office": "责任单位",
    "checked": "最近检查",
    "run": "运行",
    "verdict": "结论",
    "lines": "触及 / 接近的否决项",
    "open": "未整改",
    "new": "较上次新发现",
    "fixed": "较上次已整改",
    "kinds": "主要问题（未整改）",
    "trend": "近期趋势",
    "availability": "首页可用性（近 7 天）",
}
