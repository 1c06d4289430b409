import Foundation

/// The top three reasons for an account's churn risk, in words a KAM manager reads.
enum ChurnDrivers {
    /// Whether a high value of the feature means more risk (+1) or less (−1), in plain terms.
    /// A contribution counts as a reason only when the value leans the risky way too: with
    /// correlated features a model may give "many purchases" a positive weight, which no KAM
    /// manager would call a churn reason.
    static func riskDirection(_ name: String) -> Double {
        switch name {
        case "days_since_last_purchase", "refund_share", "days_since_contact", "complaints_180", "complaints_90",
            "unresolved_complaints_180", "mean_resolution_days_365", "competitor_mentions_180", "competitors_90":
            return 1
        default: return -1
        }
    }

    /// From the supervised model: features whose contribution raises the risk most.
    static func supervised(row: ChurnFeatureRow, names: [String], contributions: [Double], standardised: [Double]) -> String {
        let ranked = names.indices
            .filter { contributions[$0] > 0.05 && standardised[$0] * riskDirection(names[$0]) > 0 }
            .map { (names[$0], contributions[$0]) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        var phrases: [String] = []
        var seen = Set<String>()
        for (name, _) in ranked {
            guard let phrase = phrase(name, row), seen.insert(phrase).inserted else { continue }
            phrases.append(phrase)
            if phrases.count == 3 { break }
        }
        return phrases.isEmpty ? "no strong risk signal" : phrases.joined(separator: "; ")
    }

    /// From the purchase model: recency against the account's usual gap.
    static func modelBased(row: ChurnFeatureRow, horizonDays: Int) -> String {
        var phrases = [recency(row)]
        phrases.append(String(format: "purchase model: P(alive) %.2f", row.pAlive))
        phrases.append(String(format: "%.1f purchases expected in the next %d days", row.expectedPurchases, horizonDays))
        return phrases.joined(separator: "; ")
    }

    static func recency(_ row: ChurnFeatureRow) -> String {
        if let gap = row.usualGapDays {
            return "no purchase for \(row.daysSinceLastPurchase) days (usual gap \(Int(gap.rounded())))"
        }
        return "one purchase only, \(row.daysSinceLastPurchase) days ago"
    }

    static func phrase(_ name: String, _ row: ChurnFeatureRow) -> String? {
        switch name {
        case "days_since_last_purchase": return recency(row)
        case "purchase_days_90", "purchase_days_180", "purchase_days_365":
            return "\(row.purchaseDays90) purchase day\(row.purchaseDays90 == 1 ? "" : "s") in the last 90 days"
        case "revenue_trend_90":
            return row.revenueTrend < 0 ? String(format: "revenue down %.0f %% vs the previous 90 days", min(100, -row.revenueTrend * 200 / (1 - row.revenueTrend))) : nil
        case "mean_spend": return "low spend per purchase day"
        case "tenure_days": return "customer for only \(row.tenureDays) days"
        case "refund_share": return String(format: "refunds %.0f %% of paid amount", row.refundShare * 100)
        case "p_alive": return String(format: "purchase model: P(alive) %.2f", row.pAlive)
        case "expected_purchases": return String(format: "%.1f purchases expected next period", row.expectedPurchases)
        case "days_since_contact": return row.daysSinceContact.map { "no contact for \($0) days" } ?? "no recorded contact"
        case "complaints_180": return "\(row.complaints180) complaint\(row.complaints180 == 1 ? "" : "s") in 180 days"
        case "unresolved_complaints_180":
            return row.unresolvedComplaints > 0 ? "\(row.unresolvedComplaints) unresolved complaint\(row.unresolvedComplaints == 1 ? "" : "s")" : nil
        case "mean_resolution_days_365": return row.meanResolutionDays.map { String(format: "complaints take %.0f days to resolve", $0) }
        case "satisfaction_mean_365", "satisfaction_latest", "satisfaction_change":
            guard let latest = row.satisfactionLatest else { return nil }
            if let change = row.satisfactionChange, change < -0.5 { return String(format: "satisfaction %.0f, down %.0f", latest, -change) }
            return String(format: "satisfaction %.0f", latest)
        case "competitor_mentions_180":
            return row.competitorMentions > 0 ? "\(row.competitorMentions) competitor mention\(row.competitorMentions == 1 ? "" : "s") in 180 days" : nil
        case "meetings_90", "visits_90": return "\(row.meetings90) meeting\(row.meetings90 == 1 ? "" : "s") or visits in the last 90 days"
        case "contacts_90": return "\(row.contacts90) contact\(row.contacts90 == 1 ? "" : "s") in the last 90 days"
        default:
            if name.hasSuffix("s_90") { return "fewer \(name.dropLast(4))s in the last 90 days" }
            return nil
        }
    }
}
