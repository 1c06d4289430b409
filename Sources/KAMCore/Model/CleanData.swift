/// What the clean stage hands to the analysis stages.
public struct CleanData: Sendable {
    public let histories: [AccountHistory]
    /// The same histories by account ID, for the stages that look accounts up.
    public let historiesById: [String: AccountHistory]
    /// Each account's interactions, folded (accounts without any have none).
    public var contacts: [String: ContactHistory]
    /// The accounts input, or empty when there is none.
    public var accounts: [String: AccountRecord]
    /// Each account's service costs from the `costs` input (empty without one).
    public var serviceCosts: [String: ServiceCosts] = [:]
    public var hasAccountsInput: Bool
    public var hasInteractionsInput: Bool
    public var hasCostsInput = false
    public var ledgers: [InputKind: InputLedger]
    /// Every rejected row of every input, by source then line (read back from disk).
    public var rejects: RejectLedger
    public var files: [InputKind: InputFileInfo]
    /// Accounts with transactions but no row in the accounts input (sorted).
    public var unknownAccounts: [String]
    public var conflictingAccountIds: [String]
    public var fx: FXTable
    /// Transaction rows whose amount each FX rate converted (read rows, whatever their bucket).
    public var rowsConverted: [FXRateKey: Int] = [:]
    public var ingestSeconds: [InputKind: Double]
}

/// Facts about one input file for the manifest.
public struct InputFileInfo: Sendable {
    public var path: String
    public var bytes: Int
    public var sha256: String
    public var encoding: String
    public var delimiter: String
    public var header: [String]
    public var hadByteOrderMark: Bool
    /// Title lines skipped above the header (`skip_rows`).
    public var titleLinesSkipped = 0
}
