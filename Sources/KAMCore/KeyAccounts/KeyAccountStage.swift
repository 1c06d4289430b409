/// The key-account list of a run (README "Key accounts"): the selection's decisions and the
/// rules that made them.
public struct KeyAccountResult: Sendable {
    public var decisions: [String: KeyAccountDecision]
    /// The previous run the hysteresis compared with (nil: none recorded).
    public var previousAsOf: Day?

    public var keyAccounts: Int { decisions.values.filter { $0.status?.isKey == true }.count }
}

public enum KeyAccountStage {
    /// Gathers each account's criteria from the stages' results and `previous` (the previous
    /// run's snapshots from the history), then selects.
    static func run(
        segments: [AccountSegment], value: ValueResult, relationship: RelationshipResult, clean: CleanData,
        previous: (asOf: Day, accounts: [String: AccountSnapshot])?, settings: KeyAccountSettings
    ) -> KeyAccountResult {
        let candidates = segments.map { s in
            let clv = value.accounts[s.accountId]?.clv
            let before = previous?.accounts[s.accountId]
            return KeyAccountCandidate(
                accountId: s.accountId, score: settings.rankBy == .clv ? clv ?? 0 : s.activity.revenue12m.double,
                revenue12m: s.activity.revenue12m.double, clv: clv, lifecycle: s.lifecycle.rawValue,
                healthBand: relationship.accounts[s.accountId]?.health?.band.rawValue, strategic: clean.accounts[s.accountId]?.strategic ?? false,
                previousStatus: before?.keyStatus.flatMap(KeyAccountStatus.init(rawValue:)), previousEligible: before?.keyEligible,
                previousHealthBand: before?.healthBand)
        }
        return KeyAccountResult(decisions: KeyAccountSelection.select(candidates, settings: settings), previousAsOf: previous?.asOf)
    }
}
