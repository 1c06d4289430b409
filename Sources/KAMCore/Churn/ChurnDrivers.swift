import Foundation

/// One reason an account's churn risk is raised, with the numbers it quotes; printed in English
/// and Chinese (``text(_:)``).
enum ChurnDriver: Sendable, Hashable {
    case noSignOfRisk
    case overdue(days: Int, usualGap: Int)
    case onePurchaseOnly(daysAgo: Int)
    case lowPAlive(Double)
    case fewExpected(expected: Double, usual: Double, horizonDays: Int)
    case fewerPurchaseDays(last90: Int, usual90: Double)
    case revenueDown(percent: Int)
    case newCustomer(days: Int)
    case refunds(percent: Int)
    case noContact(days: Int?)
    case complaints(Int)
    case unresolvedComplaints(Int)
    case slowResolution(days: Int)
    case satisfaction(latest: Int, drop: Int?)
    case competitorMentions(Int)
    case fewContacts(Int)
    case patternOfSimilarAccounts(probability: Double, horizonDays: Int)

    enum Language { case english, chinese }

    func text(_ language: Language) -> String {
        let en = language == .english
        func n(_ count: Int, _ one: String, _ many: String) -> String { "\(count) \(count == 1 ? one : many)" }
        // printf's fixed decimals without Foundation's formatter (one text per account and language).
        func f(_ x: Double, _ places: Int) -> String { CSVFormat.decimal(x, places) }
        switch self {
        case .noSignOfRisk: return en ? "no sign of risk" : "无风险迹象"
        case .overdue(let days, let gap):
            return en ? "no purchase for \(n(days, "day", "days")), against a usual gap of \(n(gap, "day", "days"))" : "已 \(days) 天未采购，平时间隔约 \(gap) 天"
        case .onePurchaseOnly(let days): return en ? "one purchase only, \(n(days, "day", "days")) ago" : "仅采购过一次，距今 \(days) 天"
        case .lowPAlive(let p): return en ? "purchase model: P(still buying) \(f(p, 2))" : "购买模型：仍在采购的概率 \(f(p, 2))"
        case .fewExpected(let e, let usual, let h):
            return en
                ? "\(f(e, 1)) purchase days expected in the next \(h) days, against \(f(usual, 1)) in a usual \(h) days"
                : "预计未来 \(h) 天采购 \(f(e, 1)) 天，平时同期约 \(f(usual, 1)) 天"
        case .fewerPurchaseDays(let last90, let usual):
            return en
                ? "\(n(last90, "purchase day", "purchase days")) in the last 90 days, against \(f(usual, 1)) usually"
                : "近 90 天采购 \(last90) 天，平时约 \(f(usual, 1)) 天"
        case .revenueDown(let pct): return en ? "revenue down \(pct) % on the previous 90 days" : "收入较前 90 天下降 \(pct)%"
        case .newCustomer(let days): return en ? "customer for only \(n(days, "day", "days"))" : "成为客户仅 \(days) 天"
        case .refunds(let pct): return en ? "refunds \(pct) % of the amount paid" : "退款占付款额的 \(pct)%"
        case .noContact(let days):
            guard let days else { return en ? "no recorded contact" : "无联系记录" }
            return en ? "no contact for \(n(days, "day", "days"))" : "已 \(days) 天无联系"
        case .complaints(let c): return en ? "\(n(c, "complaint", "complaints")) in 180 days" : "180 天内投诉 \(c) 次"
        case .unresolvedComplaints(let c): return en ? "\(n(c, "unresolved complaint", "unresolved complaints"))" : "\(c) 个投诉未解决"
        case .slowResolution(let d): return en ? "complaints take \(n(d, "day", "days")) to resolve" : "投诉平均 \(d) 天解决"
        case .satisfaction(let latest, let drop):
            if let drop { return en ? "satisfaction \(latest), down \(drop)" : "满意度 \(latest)，下降 \(drop)" }
            return en ? "satisfaction \(latest)" : "满意度 \(latest)"
        case .competitorMentions(let c): return en ? "\(n(c, "competitor mention", "competitor mentions")) in 180 days" : "180 天内提及竞争对手 \(c) 次"
        case .fewContacts(let c): return en ? "\(n(c, "contact", "contacts")) in the last 90 days" : "近 90 天联系 \(c) 次"
        case .patternOfSimilarAccounts(let p, let h):
            return en
                ? "no single factor stands out: P(no purchase in \(h) days) \(f(p, 2)) from accounts with a similar history"
                : "无单一突出因素：据相似历史的客户，\(h) 天内不采购的概率 \(f(p, 2))"
        }
    }
}

/// The reasons for an account's churn risk, in words a KAM manager reads (README, Models).
///
/// Only factors that raise this account's risk count: worse than its own baseline (its usual
/// gap between purchases, its usual purchase days per 90 days) and, for the supervised model,
/// leaning the risky way against the population too. A low-risk account gets "no sign of risk".
/// P(alive) is never quoted for an account without a repeat purchase: BG/NBD puts it at 1 there
/// by construction, which would contradict a long silence.
enum ChurnDrivers {
    /// Whether a high value of the feature means more risk (+1) or less (−1), in plain terms.
    static func riskDirection(_ name: String) -> Double {
        switch name {
        case "days_since_last_purchase", "refund_share", "days_since_contact", "complaints_180", "complaints_90",
            "open_complaints", "mean_resolution_days_365", "competitor_mentions_180", "competitors_90":
            return 1
        default: return -1
        }
    }

    /// The account's own purchase days per `days`, from its history so far.
    static func usualPurchaseDays(_ row: ChurnFeatureRow, per days: Int) -> Double? {
        row.usualGapDays.flatMap { $0 > 0 ? Double(days) / $0 : nil }
    }

    /// Purchase-side drivers that hold against the account's own baseline.
    static func purchaseDrivers(_ row: ChurnFeatureRow, horizonDays: Int) -> [ChurnDriver] {
        var out: [ChurnDriver] = []
        if let gap = row.usualGapDays {
            if Double(row.daysSinceLastPurchase) > max(1.5 * gap, gap + 7) {
                out.append(.overdue(days: row.daysSinceLastPurchase, usualGap: max(1, Int(gap.rounded()))))
            }
            if row.pAlive < 0.5 { out.append(.lowPAlive(row.pAlive)) }
            if let usual = usualPurchaseDays(row, per: horizonDays), row.expectedPurchases < 0.5 * usual {
                out.append(.fewExpected(expected: row.expectedPurchases, usual: usual, horizonDays: horizonDays))
            }
        } else if row.daysSinceLastPurchase > 30 {
            out.append(.onePurchaseOnly(daysAgo: row.daysSinceLastPurchase))
        }
        return out
    }

    /// From the supervised model: features whose contribution raises the risk most, kept only
    /// when the account's own numbers say the same.
    static func supervised(row: ChurnFeatureRow, names: [String], contributions: [Double], standardised: [Double], horizonDays: Int) -> [ChurnDriver] {
        let ranked = names.indices
            .filter { contributions[$0] > 0.05 && standardised[$0] * riskDirection(names[$0]) > 0 }
            .sorted { contributions[$0] != contributions[$1] ? contributions[$0] > contributions[$1] : names[$0] < names[$1] }
        let ownPurchase = purchaseDrivers(row, horizonDays: horizonDays)
        var out: [ChurnDriver] = []
        for i in ranked {
            for driver in driver(names[i], row, ownPurchase: ownPurchase) where !out.contains(driver) {
                out.append(driver)
            }
            if out.count >= 3 { break }
        }
        return Array(out.prefix(3))
    }

    /// From the purchase model: recency against the usual gap, P(alive) and what it expects.
    static func modelBased(row: ChurnFeatureRow, horizonDays: Int) -> [ChurnDriver] {
        Array(purchaseDrivers(row, horizonDays: horizonDays).prefix(3))
    }

    /// The drivers printed for a risk band: none but "no sign of risk" when it is low, and a
    /// statement of the model's pattern when nothing specific stands out.
    static func final(_ drivers: [ChurnDriver], risk: ChurnRiskBand, probability: Double, horizonDays: Int) -> [ChurnDriver] {
        if risk == .low { return [.noSignOfRisk] }
        return drivers.isEmpty ? [.patternOfSimilarAccounts(probability: probability, horizonDays: horizonDays)] : drivers
    }

    static func driver(_ name: String, _ row: ChurnFeatureRow, ownPurchase: [ChurnDriver]) -> [ChurnDriver] {
        switch name {
        case "days_since_last_purchase":
            return ownPurchase.filter { if case .overdue = $0 { return true }; if case .onePurchaseOnly = $0 { return true }; return false }
        case "p_alive":
            return ownPurchase.filter { if case .lowPAlive = $0 { return true }; return false }
        case "expected_purchases":
            return ownPurchase.filter { if case .fewExpected = $0 { return true }; return false }
        case "purchase_days_90", "purchase_days_180", "purchase_days_365":
            guard let usual = usualPurchaseDays(row, per: 90), Double(row.purchaseDays90) < 0.5 * usual else { return [] }
            return [.fewerPurchaseDays(last90: row.purchaseDays90, usual90: usual)]
        case "revenue_trend_90":
            guard row.revenueTrend < -0.1 else { return [] }
            return [.revenueDown(percent: Int(min(100, -row.revenueTrend * 200 / (1 - row.revenueTrend)).rounded()))]
        case "tenure_days": return row.tenureDays < 180 ? [.newCustomer(days: row.tenureDays)] : []
        case "refund_share": return row.refundShare >= 0.05 ? [.refunds(percent: Int((row.refundShare * 100).rounded()))] : []
        case "days_since_contact": return [.noContact(days: row.daysSinceContact)]
        case "complaints_180": return row.complaints180 > 0 ? [.complaints(row.complaints180)] : []
        case "open_complaints": return row.unresolvedComplaints > 0 ? [.unresolvedComplaints(row.unresolvedComplaints)] : []
        case "mean_resolution_days_365": return row.meanResolutionDays.map { [.slowResolution(days: Int($0.rounded()))] } ?? []
        case "satisfaction_mean_365", "satisfaction_latest", "satisfaction_change":
            guard let latest = row.satisfactionLatest else { return [] }
            let drop = row.satisfactionChange.flatMap { $0 < -0.5 ? Int((-$0).rounded()) : nil }
            return [.satisfaction(latest: Int(latest.rounded()), drop: drop)]
        case "competitor_mentions_180": return row.competitorMentions > 0 ? [.competitorMentions(row.competitorMentions)] : []
        case "contacts_90", "meetings_90", "visits_90": return [.fewContacts(row.contacts90)]
        default: return []
        }
    }
}
