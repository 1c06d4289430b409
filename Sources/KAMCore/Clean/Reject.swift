import CSVIO

/// Why a row was rejected. The raw values are stable codes written to `rejects.csv` and
/// documented in the README; never rename one.
public enum RejectReason: String, Sendable, Codable, CaseIterable, Comparable {
    // The record itself could not be read (from the CSV reader).
    case fieldCount = "field_count"
    case unterminatedQuote = "unterminated_quote"
    case badQuote = "bad_quote"
    case notText = "not_text"
    case bareCarriageReturn = "bare_carriage_return"
    // Field values.
    case missingAccountId = "missing_account_id"
    case missingDate = "missing_date"
    case badDate = "bad_date"
    case missingAmount = "missing_amount"
    case badAmount = "bad_amount"
    case negativePaidAmount = "negative_paid_amount"
    case unknownCurrency = "unknown_currency"
    case unknownStatus = "unknown_status"
    case unknownType = "unknown_type"
    case badSatisfaction = "bad_satisfaction"
    case badResolution = "bad_resolution"
    case badRate = "bad_rate"
    case badNumber = "bad_number"
    // Duplicates.
    case duplicateConflict = "duplicate_conflict"
    case duplicateAccountConflict = "duplicate_account_conflict"

    public static func < (a: RejectReason, b: RejectReason) -> Bool { a.rawValue < b.rawValue }

    /// What the code means, for the README's table of reject codes.
    public var meaning: String {
        switch self {
        case .fieldCount: return "the row has more or fewer fields than the header"
        case .unterminatedQuote:
            return "a quote opened on this line is never closed, or runs across lines into a record of the wrong width (a stray quote); the line alone is rejected"
        case .badQuote: return "a quote character where RFC 4180 allows none (ab\"c, \"ab\"c)"
        case .notText: return "the row is not valid text in the declared encoding (binary data, NUL bytes)"
        case .bareCarriageReturn: return "a carriage return outside quotes in the middle of a line (old Mac line ends?)"
        case .missingAccountId: return "the account id is empty"
        case .missingDate: return "the date is empty"
        case .badDate: return "the date matches none of the input's date_formats"
        case .missingAmount: return "the amount is empty"
        case .badAmount: return "the amount is not a number kam can read exactly (see Amounts)"
        case .negativePaidAmount: return "a paid line with a negative amount, and the input does not declare negative_paid_is_refund"
        case .unknownCurrency: return "the currency has no rate to the base currency (fx or fx_rates)"
        case .unknownStatus: return "the status is empty or not in the input's status_map"
        case .unknownType: return "the interaction type is empty or not in the input's type_map"
        case .badSatisfaction: return "the satisfaction score is not a number on the declared scale"
        case .badResolution: return "resolution_days is not a number ≥ 0, or resolved_date is unreadable or before the date"
        case .badRate: return "the FX rate is not a positive number, or conflicts with another rate for the same day"
        case .badNumber: return "a numeric field (quantity, cost, margin, line_no) is not a number"
        case .duplicateConflict: return "another row has the same txn_id (and line_no) with different content; all such rows are rejected"
        case .duplicateAccountConflict: return "another row has the same account_id with different content; the first is kept"
        }
    }

    init(_ problem: CSVRecordProblem) {
        switch problem {
        case .fieldCount: self = .fieldCount
        case .unterminatedQuote: self = .unterminatedQuote
        case .badQuote: self = .badQuote
        case .notText: self = .notText
        case .bareCarriageReturn: self = .bareCarriageReturn
        }
    }
}

/// A rejected row: where it was, which field, why, and its original text.
public struct Reject: Sendable, Hashable {
    public var source: InputKind
    public var line: Int
    public var field: String
    public var reason: RejectReason
    public var message: String
    public var raw: String
}
