/// One output column: its name, unit and definition. The header of a table and the rows of
/// `columns.csv` come from the same list, so the two cannot drift apart (issue 21, point 6).
public struct ColumnSpec: Sendable, Hashable {
    public var name: String
    public var unit: String
    public var definition: String
    public var isText: Bool

    init(_ name: String, _ unit: String, _ definition: String, text: Bool = false) {
        self.name = name
        self.unit = unit
        self.definition = definition
        self.isText = text
    }
}

/// The columns of `ranked_accounts.csv`, in order. Names that depend on the pipeline carry its
/// setting: `purchase_span_weeks` for `time_unit: week`, `expected_purchases_90d` for
/// `churn.horizon_days: 90`.
enum AccountColumns {
    static func specs(_ config: PipelineConfig) -> [ColumnSpec] {
        let unit = config.timeUnit.rawValue, units = unit + "s"
        let money = config.baseCurrency
        let h = config.churn.horizonDays
        let months = config.clv.horizonMonths
        var specs: [ColumnSpec] = [
            ColumnSpec("rank", "position", "1 = first by `report.rank_by`; ties by the second key, then account_id"),
            ColumnSpec("account_id", "text", "the account's ID as exported", text: true),
            ColumnSpec("account_name", "text", "the account's name as exported", text: true),
            ColumnSpec("industry", "text", "from the accounts file", text: true),
            ColumnSpec("region", "text", "from the accounts file", text: true),
            ColumnSpec("size", "text", "from the accounts file", text: true),
            ColumnSpec("account_manager", "text", "from the accounts file", text: true),
            ColumnSpec("tier", "A/B/C", "value tier: ABC by cumulative share of `segment.abc_basis`", text: true),
            ColumnSpec("lifecycle", "text", "prospect, new, active, dormant, churned or reactivated by the segment day thresholds", text: true),
            ColumnSpec("rfm_r", "score 1–5", "recency quintile (5 = most recent purchase)"),
            ColumnSpec("rfm_f", "score 1–5", "quintile of purchase days in the last 12 months"),
            ColumnSpec("rfm_m", "score 1–5", "quintile of net revenue in the last 12 months"),
            ColumnSpec("rfm_segment", "text", "named RFM segment", text: true),
            ColumnSpec("first_purchase", "date", "first purchase day (a day with at least one paid line) on or before as_of", text: true),
            ColumnSpec("last_purchase", "date", "last purchase day on or before as_of", text: true),
            ColumnSpec("days_since_last_purchase", "days", "as_of minus last_purchase"),
            ColumnSpec("purchase_days_12m", "days", "purchase days in (as_of − 365, as_of]"),
            ColumnSpec("repeat_purchase_days", "days", "x: purchase days after the first, over the whole history"),
            ColumnSpec("purchase_span_\(units)", units, "t_x: last_purchase − first_purchase, in the pipeline's time unit"),
            ColumnSpec("age_\(units)", units, "T: as_of − first_purchase, in the pipeline's time unit"),
            ColumnSpec("mean_repeat_spend", money, "m̄: mean net spend per repeat purchase day (empty without a repeat purchase)"),
            ColumnSpec("revenue_total", money, "net revenue (paid − refunded) over the whole history"),
            ColumnSpec("revenue_12m", money, "net revenue in (as_of − 365, as_of]"),
            ColumnSpec("revenue_prior_12m", money, "net revenue in (as_of − 730, as_of − 365]"),
            ColumnSpec("p_alive", "probability", "P(still buying at as_of) from the chosen purchase model"),
            ColumnSpec("expected_purchases_\(h)d", "purchase days", "purchase days expected in the next \(h) days (`churn.horizon_days`)"),
            ColumnSpec("expected_purchases_clv_horizon", "purchase days", "purchase days expected in the next \(months) months (`clv.horizon_months`), the CLV's horizon"),
            ColumnSpec("expected_spend_per_purchase", money, "expected net spend per future purchase day (manifest `models.spend_policy`)"),
            ColumnSpec("clv", money, "margin × Σ over \(months) months of expected spend × expected purchases in the month, discounted monthly"),
            ColumnSpec("clv_low", money, "10th percentile of the account's posterior-predictive CLV draws (80 % interval, low end)"),
            ColumnSpec("clv_high", money, "90th percentile of the same draws (80 % interval, high end)"),
            ColumnSpec("expected_purchases_\(h)d_low", "purchase days", "10th percentile of purchase days drawn for the next \(h) days"),
            ColumnSpec("expected_purchases_\(h)d_high", "purchase days", "90th percentile of the same draws"),
            ColumnSpec("value_confidence", "low/medium/high", "high: ≥ 10 repeat purchase days over ≥ 365 days and a converged fit; low: ≤ 1 repeat day, < 91 days of history or an unusable fit; else medium", text: true),
            ColumnSpec("clv_margin", "ratio", "the margin rate in clv: the account's own (revenue − cost)/revenue where every line has a cost, else `clv.margin`; empty: clv is a revenue CLV"),
            ColumnSpec("gross_margin_12m", money, "revenue_12m less the cost of its lines; or revenue_12m × `clv.margin`; empty without cost data"),
            ColumnSpec("cost_to_serve_12m", money, "interactions in the last 365 days × `cost_to_serve.per_interaction` + service_costs_12m; empty with neither"),
            ColumnSpec("service_costs_12m", money, "the `costs` input's rows dated in the last 365 days, in the base currency; empty without a costs input"),
            ColumnSpec("profit_12m", money, "gross_margin_12m − cost_to_serve_12m"),
            ColumnSpec("net_clv", money, "clv at margin − (cost_to_serve_12m / 12) × p_alive × Σ discounted months of the CLV horizon"),
            ColumnSpec("churn_probability", "probability", "P(no purchase in the next \(h) days) from the score `churn.use` chose"),
            ColumnSpec("churn_probability_model", "probability", "the same from the purchase model"),
            ColumnSpec("churn_probability_supervised", "probability", "the same from the logistic regression trained on a time split"),
            ColumnSpec("churn_risk", "low/medium/high", "band of churn_probability by `churn.risk_thresholds`", text: true),
            ColumnSpec("churn_drivers", "text", "up to three factors raising this account's risk, in words with numbers; `no sign of risk` for low risk", text: true),
            ColumnSpec("churn_drivers_zh", "text", "churn_drivers in Chinese (中文)", text: true),
            ColumnSpec("last_contact_date", "date", "the latest contact on or before as_of", text: true),
            ColumnSpec("days_since_contact", "days", "as_of minus last_contact_date"),
        ]
        specs += ContactHistory.contactTypes.map { ColumnSpec(AccountReport.contactColumn($0), "interactions", "\($0.rawValue) contacts in the last 90 days") }
        specs += [
            ColumnSpec("meetings_visits_90d", "interactions", "meetings and visits in the last 90 days"),
            ColumnSpec("meetings_visits_plan_90d", "interactions", "what the tier's contact plan asks for in 90 days"),
            ColumnSpec("coverage", "ratio", "meetings_visits_90d / meetings_visits_plan_90d (1 = on plan)"),
            ColumnSpec("csat_latest", "score 0–100", "mean satisfaction of the latest day with any score"),
            ColumnSpec("csat_change", "points", "csat_latest minus the mean of the other scores in the last 365 days"),
            ColumnSpec("open_complaints", "complaints", "complaints on or before as_of without a resolution by as_of"),
            ColumnSpec("oldest_open_complaint_days", "days", "age of the oldest open complaint"),
            ColumnSpec("mean_resolution_days", "days", "mean resolution time of complaints resolved in the last 365 days"),
            ColumnSpec("competitor_mentions_180d", "interactions", "competitor interactions and notes naming a competitor keyword, last 180 days"),
        ]
        specs += RelationshipIndex.allCases.map { ColumnSpec($0.column, "index 0–100", "relationship index \($0.rawValue) (README, Relationship and health)") }
        specs += [
            ColumnSpec("health_score", "score 0–100", "weighted mean of the health components with data"),
            ColumnSpec("health_band", "red/yellow/green", "band of health_score by `relationship.health_bands`", text: true),
            ColumnSpec("health_drivers", "text", "the three components pulling the score down most, in words", text: true),
        ]
        specs += TrendTables.accountColumnSpecs(currency: money)
        specs += [
            ColumnSpec("recommended_action", "text", "the treatment table's action for tier × risk × lifecycle", text: true),
            ColumnSpec("currency", "ISO 4217", "the currency of every money column (`base_currency`)", text: true),
            ColumnSpec("time_unit", "text", "the unit of the *_\(units) columns and of the models' t_x and T", text: true),
        ]
        return specs
    }
}

extension AccountColumns {
    /// `columns.csv`: file, column, unit and definition of every column of every CSV the run
    /// writes, from the specs that write their headers.
    static func catalog(_ config: PipelineConfig) -> ReportTable {
        var table = ReportTable(columns: ["file", "column", "unit", "definition"], text: ["file", "column", "unit", "definition"])
        for (file, specs) in OutputColumns.all(config) {
            for spec in specs { table.append([.text(file), .text(spec.name), .text(spec.unit), .text(spec.definition)]) }
        }
        return table
    }
}
