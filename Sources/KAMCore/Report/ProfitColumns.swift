import Foundation

/// One account's profit figures (README, Models, "Profit"). Each is nil where its data are
/// missing: no cost, margin or margin rate for the gross margin; neither `cost_to_serve:` rates
/// with an interactions input nor a `costs` input for the cost to serve.
public struct AccountProfit: Sendable, Hashable {
    /// Net revenue in the last 12 months less its cost.
    public var grossMargin12m: Money?
    /// Service costs of the last 12 months from the `costs` input.
    public var serviceCosts12m: Money?
    /// Interactions of the last 12 months at the configured cost per type, plus the service
    /// costs of the same months.
    public var costToServe12m: Money?
    public var profit12m: Money? { grossMargin12m.flatMap { g in costToServe12m.map { g - $0 } } }
    /// CLV at margin less the expected cost to serve over the CLV horizon.
    public var netCLV: Double?

    public static let none = AccountProfit()
}

/// How a run turns an account's history and interactions into ``AccountProfit``; what does not
/// depend on the account (the margin factor, the service annuity) is worked out once.
struct ProfitRules: Sendable {
    let asOf: Day
    let yearAgo: Day
    /// Transaction lines carry costs (a cost or margin column, or the product-line table).
    let lineCosts: Bool
    /// `clv.margin` as an exact factor.
    let marginFactor: FXRate?
    /// Cost per interaction type, when configured and there are interactions to count.
    let ratesPerInteraction: [InteractionType: Money]?
    /// Whether the run reads a `costs` input.
    let serviceCosts: Bool
    /// Σ_{m=1..H} (1+d)^−m: a month of service at the CLV's discount.
    let annuity: Double

    init(_ config: PipelineConfig) {
        asOf = config.asOf
        yearAgo = config.asOf - 365
        lineCosts = config.inputs.transactions.hasLineCosts
        marginFactor = config.clv.margin.map { FXRate(nanoUnits: Int64(($0 * Double(FXRate.scale)).rounded())) }
        ratesPerInteraction = config.costToServe.isConfigured && config.inputs.interactions != nil ? config.costToServe.perInteraction : nil
        serviceCosts = config.inputs.costs != nil
        annuity = (0..<config.clv.horizonMonths).reduce(0.0) { sum, m in sum + pow(1 + config.clv.monthlyDiscountRate, -Double(m + 1)) }
    }

    /// The account's profit figures as of as_of.
    ///
    /// Gross margin: revenue_12m − the cost of its lines when every line of the last 12 months
    /// has one (a `cost` or `margin` column, or the product-line margin table); else
    /// revenue_12m × `clv.margin` when that is set. Cost to serve: Σ over interaction types of the
    /// interactions in (as_of − 365, as_of] × `cost_to_serve.per_interaction`, plus the `costs`
    /// input's rows dated in the same window. The run's combined bound
    /// (``CleanStage/checkCombinedBound(_:interactionRows:config:)``) keeps every sum exact. net_clv =
    /// clv − (cost_to_serve_12m / 12) × P(alive) × Σ_{m=1..H} (1+d)^−m: the account is served at
    /// its trailing rate for the CLV horizon while it is alive; only when the CLV is at a margin.
    func profit(
        history: AccountHistory?, contacts: ContactHistory?, costs: ServiceCosts?, value: AccountValue?, revenue12m: Money
    ) -> AccountProfit {
        var profit = AccountProfit()
        if lineCosts, let cost = history?.cost(after: yearAgo, through: asOf) {
            profit.grossMargin12m = revenue12m - cost
        } else if let marginFactor {
            // Rounded to the cent, half to even, so that sums of the printed figures foot.
            profit.grossMargin12m = revenue12m.converted(at: marginFactor).map { Money(units: FXRate.divideRounded($0.units, by: 100) * 100) }
        }
        if let ratesPerInteraction {
            var total = Money.zero
            for (type, cost) in ratesPerInteraction {
                let count = contacts?.count(type, after: yearAgo, through: asOf) ?? 0
                total = total + Money(units: cost.units * Int64(count))
            }
            profit.costToServe12m = total
        }
        if serviceCosts {
            let service = costs?.total(after: yearAgo, through: asOf) ?? .zero
            profit.serviceCosts12m = service
            profit.costToServe12m = (profit.costToServe12m ?? .zero) + service
        }
        if let v = value, v.margin != nil, let cts = profit.costToServe12m {
            profit.netCLV = v.clv - cts.double / 12 * v.pAlive * annuity
        }
        return profit
    }
}

enum ProfitColumns {
    /// Where margins come from, for the manifest.
    static func marginPolicy(_ config: PipelineConfig) -> String {
        let columns = config.inputs.transactions.columns
        var sources: [String] = []
        // The same sources as InputConfig.hasLineCosts, named.
        if columns["cost"] != nil { sources.append("the cost column") }
        if columns["margin"] != nil { sources.append("the margin column") }
        if !config.inputs.transactions.productLineCostFactors.isEmpty { sources.append("the product-line margin table (inputs.transactions.margins)") }
        let own = sources.isEmpty ? nil : "each account's own margin from " + sources.joined(separator: ", ") + " where every line has a cost"
        switch (own, config.clv.margin) {
        case (let own?, let m?): return own + String(format: ", else the configured margin %.4f", m)
        case (let own?, nil): return own + "; accounts with uncosted lines have no margin: revenue CLV, profit columns empty"
        case (nil, let m?): return String(format: "the configured margin %.4f (clv.margin) for every account", m)
        case (nil, nil): return "no cost or margin data: clv is a revenue CLV (margin 1) and gross_margin_12m, profit_12m and net_clv are empty"
        }
    }

    /// Where the cost to serve comes from, for the manifest.
    static func costToServePolicy(_ config: PipelineConfig) -> String {
        var sources: [String] = []
        if config.costToServe.isConfigured && config.inputs.interactions != nil {
            sources.append("interactions in the last 365 days × cost_to_serve.per_interaction")
        }
        if config.inputs.costs != nil { sources.append("the costs input's rows dated in the last 365 days (service_costs_12m)") }
        let unused = config.costToServe.isConfigured && config.inputs.interactions == nil
            ? " (cost_to_serve.per_interaction is set, but there is no interactions input to count)" : ""
        if sources.isEmpty {
            return "no cost to serve: neither cost_to_serve.per_interaction with an interactions input nor a costs input; "
                + "cost_to_serve_12m, profit_12m and net_clv are empty" + unused
        }
        return "cost_to_serve_12m = " + sources.joined(separator: " + ") + unused
    }
}
