import CSVIO
import Foundation

/// A pipeline file: which exports to read, how to read them, and the stage settings.
///
/// Loaded from YAML by ``PipelineConfig/load(path:)``; every key is checked, so a typo is an
/// error naming the file, line and key. Relative paths are resolved against the file's folder.
public struct PipelineConfig: Sendable {
    public var file: String
    public var name: String
    /// The day the run describes; `nil` in the file means "today" (UTC).
    public var asOf: Day
    public var baseCurrency: String
    public var timeUnit: TimeUnit
    public var output: String
    /// `output:` as the file wrote it (before it was resolved against the file's folder).
    public var outputAsWritten: String
    public var inputs: Inputs
    /// Inline FX rates: units of base currency per unit of the currency.
    public var fx: [String: Decimal]
    public var clv: CLVSettings
    public var churn: ChurnSettings
    public var segment: SegmentSettings
    public var report: ReportSettings
    public var relationship: RelationshipSettings = RelationshipSettings()
    /// `history:` as resolved against the pipeline file's folder; nil: `history.sqlite` beside
    /// the run folder.
    public var history: String? = nil
    public var keyAccounts = KeyAccountSettings()
    public var costToServe = CostToServeSettings()

    /// Where a run writing to `destination` records itself.
    public func historyPath(destination: String) -> String {
        history ?? URL(fileURLWithPath: destination).deletingLastPathComponent().appendingPathComponent("history.sqlite").path
    }

    /// The folders a run must never replace: the pipeline file's and each input's.
    public var protectedFolders: [(folder: String, what: String)] {
        let folderOf = { (path: String) in URL(fileURLWithPath: path).deletingLastPathComponent().path }
        return [(folderOf(file), "the pipeline file's folder")]
            + inputs.all.map { (folderOf($0.config.path), "the folder of input '\($0.name.rawValue)'") }
    }

    /// Where a run writes: `override` (`--out`, relative to the current folder) or `output:`;
    /// refused at once when it can only be a mistake (``OutputOwnership/checkWritten``).
    public func outputPath(override: String?) throws -> String {
        let resolved = override.map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? output
        try OutputOwnership.checkWritten(override ?? outputAsWritten, resolved: resolved, setting: override == nil ? "\(file): output:" : "--out")
        return resolved
    }

    public struct Inputs: Sendable {
        public var transactions: InputConfig
        public var interactions: InputConfig?
        public var accounts: InputConfig?
        public var fxRates: InputConfig?
        /// Per-account service costs by date (README, Input fields, "costs").
        public var costs: InputConfig?

        /// In the order their names sort, for stable output.
        public var all: [(name: InputKind, config: InputConfig)] {
            var list: [(InputKind, InputConfig)] = []
            if let accounts { list.append((.accounts, accounts)) }
            if let costs { list.append((.costs, costs)) }
            if let fxRates { list.append((.fxRates, fxRates)) }
            if let interactions { list.append((.interactions, interactions)) }
            list.append((.transactions, transactions))
            return list
        }
    }
}

/// The five kinds of export kam reads (README "Input fields").
public enum InputKind: String, Sendable, CaseIterable, Codable, Comparable {
    case transactions, interactions, accounts, costs
    case fxRates = "fx_rates"

    public static func < (a: InputKind, b: InputKind) -> Bool { a.rawValue < b.rawValue }

    /// Canonical fields this input maps, required ones first.
    public var requiredFields: [String] {
        switch self {
        case .transactions: return ["account_id", "date", "amount"]
        case .interactions: return ["account_id", "date", "type"]
        case .accounts: return ["account_id"]
        case .costs: return ["account_id", "date", "amount"]
        case .fxRates: return ["currency", "rate"]
        }
    }

    public var optionalFields: [String] {
        switch self {
        case .transactions:
            return ["txn_id", "line_no", "currency", "status", "quantity", "product_line", "cost", "margin"]
        case .interactions:
            return ["interaction_id", "satisfaction", "resolved_date", "resolution_days", "owner", "notes"]
        case .accounts:
            return ["name", "parent_account_id", "industry", "region", "size", "account_manager", "created_date", "strategic"]
        case .costs: return ["currency", "category"]
        case .fxRates: return ["valid_from"]
        }
    }
}

/// How one export is read and normalised.
public struct InputConfig: Sendable {
    public var kind: InputKind
    /// Absolute path.
    public var path: String
    public var dialect: CSVDialect
    /// Canonical field → header in the file.
    public var columns: [String: String]
    /// Date patterns tried in order (`yyyy-MM-dd`, `dd/MM/yyyy`, `yyyy年M月d日`, …).
    public var dateFormats: [String]
    /// Accept Excel serial day numbers (e.g. `45356`) as dates.
    public var excelSerialDates: Bool
    /// Amounts are written `1.234,56`.
    public var decimalComma: Bool
    /// A negative amount on a paid line is a refund (else it is rejected).
    public var negativePaidIsRefund: Bool
    /// Currency of amounts when no currency column is mapped (default: the base currency).
    public var currency: String?
    /// Export status label (lower-cased) → status. Defaults cover common English and Chinese labels.
    public var statusMap: [String: TransactionStatus]
    /// Export interaction label (lower-cased) → canonical type.
    public var typeMap: [String: InteractionType]
    public var satisfactionScale: SatisfactionScale
    public var dedupe: DedupePolicy
    public var maxRejectRate: Double
    /// A run fails when this input's accepted rows fall below this share of the previous
    /// run's (0 turns the check off).
    public var minRowsRatio: Double = 0.5
    /// Transactions only: gross margin rate by product line (`margins:`), as the factor cost /
    /// amount = 1 − rate, exact to eight decimals; `default` covers lines not listed. Used for
    /// lines without a `cost` or `margin` column.
    public var productLineCostFactors: [String: FXRate] = [:]

    /// Whether transaction lines can carry a cost: a `cost` or `margin` column, or a margin table.
    public var hasLineCosts: Bool { columns["cost"] != nil || columns["margin"] != nil || !productLineCostFactors.isEmpty }
}

public enum TimeUnit: String, Sendable, Codable {
    case day, week, month
    /// Length in days (a month is 365.25 / 12 days).
    public var days: Double {
        switch self {
        case .day: return 1
        case .week: return 7
        case .month: return 365.25 / 12
        }
    }
}

public enum TransactionStatus: String, Sendable, Codable, Hashable {
    case paid, refund, cancelled
    /// A quote or a deal still in the pipeline: excluded from revenue and counted
    /// (`excluded_open`); the clean stage never hands such a line on.
    case open
}

/// Interaction types (README "Defaults and formats").
public enum InteractionType: String, Sendable, Codable, Hashable, CaseIterable {
    case call, email, meeting, visit, event, training, support, project, complaint, survey, competitor

    /// Its position in `allCases`, without building that array (it is asked once per
    /// interaction row).
    public var ordinal: Int {
        switch self {
        case .call: 0
        case .email: 1
        case .meeting: 2
        case .visit: 3
        case .event: 4
        case .training: 5
        case .support: 6
        case .project: 7
        case .complaint: 8
        case .survey: 9
        case .competitor: 10
        }
    }
}

/// The scale satisfaction scores are given in; all are mapped linearly onto 0–100.
public enum SatisfactionScale: String, Sendable, Codable {
    case oneToFive = "1-5"
    case oneToTen = "1-10"
    case zeroToTen = "0-10"
    case zeroToHundred = "0-100"

    public var range: ClosedRange<Double> {
        switch self {
        case .oneToFive: return 1...5
        case .oneToTen: return 1...10
        case .zeroToTen: return 0...10
        case .zeroToHundred: return 0...100
        }
    }
}

public enum DedupePolicy: String, Sendable, Codable {
    /// By `txn_id` (with `line_no` when mapped): same content merged, different content rejected.
    case txnId = "txn_id"
    /// Identical records merged.
    case exact
    case none
}

public struct CLVSettings: Sendable {
    public enum Model: String, Sendable, Codable { case bgnbd, paretoNBD = "pareto_nbd", auto }
    /// `auto` unless the pipeline names a model (ARCHITECTURE.md §5 gives `auto`'s rule).
    public var model: Model = .auto
    /// Whether `clv.model` was set in the pipeline file, so the manifest can say "configured"
    /// or "default" truthfully.
    public var modelConfigured = false
    public var horizonMonths: Int = 12
    public var monthlyDiscountRate: Double = 0.01
    /// A margin rate for accounts without cost data of their own; nil when the pipeline sets
    /// none (then `clv` is a revenue CLV and the profit columns stay empty).
    public var margin: Double?
    /// Posterior-predictive draws per account for the 80 % intervals (0: no intervals).
    public var intervalDraws: Int = 100
}

/// What serving an account costs (`cost_to_serve:`): an amount in the base currency per
/// interaction of each type.
public struct CostToServeSettings: Sendable {
    public var perInteraction: [InteractionType: Money] = [:]
    public var isConfigured: Bool { !perInteraction.isEmpty }
}

public struct ChurnSettings: Sendable {
    public enum Use: String, Sendable, Codable { case auto, model, supervised }
    public var horizonDays: Int = 90
    public var use: Use = .auto
    /// `churn_risk` is medium from this probability (inclusive) …
    public var mediumFrom: Double = 0.3
    /// … and high from this one (inclusive).
    public var highFrom: Double = 0.6
    /// L2 penalty of the logistic regression (on standardised features).
    public var l2: Double = 1.0
}

public struct SegmentSettings: Sendable {
    public enum Basis: String, Sendable, Codable { case revenue12m = "revenue_12m", clv }
    public var abcBasis: Basis = .revenue12m
    public var tierAUpTo: Double = 0.80
    public var tierBUpTo: Double = 0.95
    public var newDays: Int = 90
    public var dormantDays: Int = 180
    public var churnedDays: Int = 365
    public var rfmRules: [RFMRule] = RFMRule.defaults
}

public struct ReportSettings: Sendable {
    public enum RankBy: String, Sendable, Codable {
        case clv
        case netCLV = "net_clv"
        case revenue12m = "revenue_12m"
        case churnRisk = "churn_risk"
    }
    public var rankBy: RankBy = .clv
    public var excelBOM: Bool = false
    public var actions: [ActionRule] = ActionRule.defaults
}
