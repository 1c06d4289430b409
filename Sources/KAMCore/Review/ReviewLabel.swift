/// Every fixed text of the review pack, in English and Chinese.
enum ReviewLabel: CaseIterable {
    case pageTitle, asOf, contents
    case headline, kpi, value, quarterEnd, change, noQuarterEnd
    case concentration, concentrationText, paretoTitle, accountsShareAxis, revenueShareAxis, eightyMarker, hhi, effectiveAccounts
    case tiers, tierTitle, tierAxis, accountsAxis, revenueAxis, migrationTitle, migrationFrom, migrationTo, noMigration
    case portfolio, scatterTitle, churnAxis, clvAxis, protect, grow, rescue, maintain, quadrantRule
    case health, healthTitle, bandAxis, atRisk, atRiskRule, noneAtRisk
    case keyAccounts, keyAccountsRule, noKeyAccounts
    case number, account, manager, tier, revenue12m, clv, churn, healthBand, status, reason, drivers, action
    case statusNew, statusKept, statusDemoted
    case accountPage, quarterlyRevenue, netRevenueAxis, quarterAxis, clvInterval, churnDrivers, indices
    case satisfactionAxis, complaintsAxis, satisfactionTitle, complaintsTitle, complaints, csat, recommendedAction, noInteractions, notScored
    case indexAcceptance, indexParticipation, indexInformation, indexGuidance, indexProjectSupport, indexCompetitiveLeaning, indexAxis
    case footer

    var english: String { texts.english }
    var chinese: String { texts.chinese }

    /// A switch, not a table: the compiler checks that every label has both texts.
    private var texts: (english: String, chinese: String) {
        switch self {
        case .pageTitle: return ("Key-account review", "大客户季度回顾")
        case .asOf: return ("As of", "数据截至")
        case .contents: return ("Contents", "目录")
        case .headline: return ("Headline KPIs", "核心指标")
        case .kpi: return ("KPI", "指标")
        case .value: return ("Value", "本期")
        case .quarterEnd: return ("Previous quarter end", "上季度末")
        case .change: return ("Change", "变化")
        case .noQuarterEnd: return ("No run at the previous quarter end is recorded yet: the change appears from the next quarter.", "历史中尚无上季度末的运行记录：下个季度起显示变化。")
        case .concentration: return ("Revenue concentration", "收入集中度")
        case .concentrationText: return ("Cumulative share of the last 12 months' revenue against the share of accounts, largest first.", "按客户收入从高到低累计的近12个月收入占比。")
        case .paretoTitle: return ("Revenue concentration (Pareto curve)", "收入集中度（帕累托曲线）")
        case .accountsShareAxis: return ("Share of accounts with revenue (%)", "有收入客户占比（%）")
        case .revenueShareAxis: return ("Cumulative share of revenue (%)", "累计收入占比（%）")
        case .eightyMarker: return ("80 % of revenue from", "80% 收入来自")
        case .hhi: return ("HHI (0–10,000)", "赫芬达尔指数（0–10,000）")
        case .effectiveAccounts: return ("Effective number of accounts", "等效客户数")
        case .tiers: return ("Value tiers", "价值分层")
        case .tierTitle: return ("Accounts and revenue by value tier", "各价值层级的客户数与收入")
        case .tierAxis: return ("Value tier (ABC on revenue)", "价值层级（ABC）")
        case .accountsAxis: return ("Accounts", "客户数")
        case .revenueAxis: return ("Revenue, last 12 months", "近12个月收入")
        case .migrationTitle: return ("Tier migration since the previous quarter end", "自上季度末以来的层级迁移")
        case .migrationFrom: return ("Tier at the previous quarter end", "上季度末层级")
        case .migrationTo: return ("Tier now", "当前层级")
        case .noMigration: return ("No run at the previous quarter end is recorded yet: the migration appears from the next quarter.", "历史中尚无上季度末的运行记录：下个季度起显示迁移。")
        case .portfolio: return ("Value against risk", "价值与风险")
        case .scatterTitle: return ("CLV against churn probability, every account", "每个客户的CLV与流失概率")
        case .churnAxis: return ("Churn probability in the churn horizon (%)", "流失概率（%）")
        case .clvAxis: return ("CLV (log scale)", "客户终身价值（对数刻度）")
        case .protect: return ("Protect", "保护")
        case .grow: return ("Grow", "培育")
        case .rescue: return ("Rescue", "挽救")
        case .maintain: return ("Maintain", "维持")
        case .quadrantRule: return ("Quadrants: CLV above or below the top-20 % threshold; churn probability above or below the medium-risk threshold. Key accounts carry their number in the key-account list.", "象限划分：CLV 是否位于前20%；流失概率是否达到中风险阈值。大客户以其在大客户名单中的序号标注。")
        case .health: return ("Health and accounts at risk", "客户健康度与风险客户")
        case .healthTitle: return ("Accounts by health band", "各健康等级的客户数")
        case .bandAxis: return ("Health band", "健康等级")
        case .atRisk: return ("Accounts at risk, by revenue at stake", "风险客户（按涉及收入排序）")
        case .atRiskRule: return ("High churn risk or a red health band; the 20 with the most revenue in the last 12 months.", "高流失风险或健康等级为红色；列出近12个月收入最高的20个。")
        case .noneAtRisk: return ("No account has a high churn risk or a red health band.", "没有高流失风险或红色健康等级的客户。")
        case .keyAccounts: return ("Key accounts", "大客户名单")
        case .keyAccountsRule: return ("Chosen by the key_accounts rules of the pipeline; status against the previous recorded run.", "按流程配置中的大客户规则选出；状态与上一次运行相比。")
        case .noKeyAccounts: return ("No key accounts were selected.", "未选出大客户。")
        case .number: return ("#", "序号")
        case .account: return ("Account", "客户")
        case .manager: return ("Account manager", "客户经理")
        case .tier: return ("Tier", "层级")
        case .revenue12m: return ("Revenue, 12 months", "近12个月收入")
        case .clv: return ("CLV", "客户终身价值")
        case .churn: return ("Churn probability", "流失概率")
        case .healthBand: return ("Health", "健康度")
        case .status: return ("Status", "状态")
        case .reason: return ("Why", "原因")
        case .drivers: return ("Churn drivers", "流失驱动因素")
        case .action: return ("Recommended action", "建议行动")
        case .statusNew: return ("new", "新进")
        case .statusKept: return ("kept", "保留")
        case .statusDemoted: return ("demoted", "移出")
        case .accountPage: return ("Account review", "客户回顾")
        case .netRevenueAxis: return ("Net revenue", "净收入")
        case .quarterlyRevenue: return ("Net revenue by quarter", "各季度净收入")
        case .quarterAxis: return ("Quarter", "季度")
        case .clvInterval: return ("CLV with its 80 % interval", "客户终身价值及80%区间")
        case .churnDrivers: return ("Churn probability and its drivers", "流失概率及驱动因素")
        case .indices: return ("Relationship indices (0–100)", "关系指数（0–100）")
        case .satisfactionAxis: return ("Mean satisfaction (0–100)", "平均满意度（0–100）")
        case .complaintsAxis: return ("Complaints", "投诉数")
        case .satisfactionTitle: return ("Satisfaction by quarter", "各季度满意度")
        case .complaintsTitle: return ("Complaints by quarter", "各季度投诉")
        case .complaints: return ("Complaints", "投诉")
        case .csat: return ("Satisfaction", "满意度")
        case .recommendedAction: return ("Recommended action", "建议行动")
        case .noInteractions: return ("No interactions input: relationship figures are not computed.", "没有互动记录输入：未计算关系指标。")
        case .notScored: return ("not scored", "未评分")
        case .indexAcceptance: return ("Acceptance", "接受认可度")
        case .indexParticipation: return ("Participation", "活动参与度")
        case .indexInformation: return ("Information", "信息传递度")
        case .indexGuidance: return ("Guidance", "日常指导度")
        case .indexProjectSupport: return ("Project support", "项目支持度")
        case .indexCompetitiveLeaning: return ("Competitive leaning", "竞争偏向度")
        case .indexAxis: return ("Index (0–100)", "指数（0–100）")
        case .footer: return ("Written by kam from the run's own tables; every figure is in the run folder's CSV files and finance.xlsx.", "由 kam 根据本次运行的数据表生成；所有数字均可在运行目录的 CSV 文件与 finance.xlsx 中找到。")
        }
    }
}
