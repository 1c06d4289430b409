/// The recorded runs a run compares itself with (README "Trends"): the previous run of the
/// same pipeline, and the run at the previous quarter end.
public struct TrendBaseline: Sendable {
    public struct Run: Sendable {
        public var asOf: Day
        public var accounts: [String: AccountSnapshot]
        public var kpis: [KPISnapshot]
    }

    public var previous: Run?
    public var quarterEnd: Run?
    /// The quarter end asked for (the run found may be an earlier one when none was recorded on it).
    public var quarterEndDay: Day

    public static let none = TrendBaseline(previous: nil, quarterEnd: nil, quarterEndDay: Day(ordinal: 0))

    /// The last day of the quarter before the one `asOf` falls in (for a quarter end itself,
    /// the quarter end three months before).
    public static func previousQuarterEnd(before asOf: Day) -> Day {
        let (year, month, _) = asOf.components
        let quarterStartMonth = (month - 1) / 3 * 3 + 1
        return Day(year: year, month: quarterStartMonth, day: 1)! - 1
    }

    /// Reads the baseline of a run of `pipeline` as of `asOf` from `history`.
    static func read(_ history: RunHistory, pipeline: String, asOf: Day) throws -> TrendBaseline {
        func load(_ run: RecordedRun?) throws -> Run? {
            try run.map { Run(asOf: $0.asOf, accounts: try history.accounts(run: $0), kpis: try history.kpis(run: $0)) }
        }
        let quarterEndDay = previousQuarterEnd(before: asOf)
        return TrendBaseline(
            previous: try load(history.previousRun(pipeline: pipeline, before: asOf)),
            quarterEnd: try load(history.run(pipeline: pipeline, onOrBefore: quarterEndDay)), quarterEndDay: quarterEndDay)
    }
}
