/// Sums of amounts in one reconciliation bucket: as written per currency, and in the base
/// currency where a rate exists.
public struct ControlTotal: Sendable, Hashable {
    public var rows = 0
    /// Per currency as written; a handful of currencies, so two parallel arrays searched from
    /// the most recent (rows of one currency come in runs).
    private var codes: [String] = []
    private var sums: [Money] = []
    public var base: Money = .zero
    /// Rows whose amount parsed but whose currency has no rate (not in `base`).
    public var unconvertedRows = 0

    public var byCurrency: [String: Money] { Dictionary(uniqueKeysWithValues: zip(codes, sums)) }

    /// The slot used last (rows of one currency come in runs).
    private var lastSlot = 0

    private mutating func slot(_ currency: String) -> Int {
        if lastSlot < codes.count, codes[lastSlot] == currency { return lastSlot }
        if let i = codes.lastIndex(of: currency) {
            lastSlot = i
            return i
        }
        codes.append(currency)
        sums.append(.zero)
        return codes.count - 1
    }

    mutating func add(_ amount: Money, currency: String, base: Money?) {
        rows += 1
        let i = slot(currency)
        sums[i] = sums[i] + amount
        if let base { self.base = self.base + base } else { unconvertedRows += 1 }
    }

    /// Adds a batch's totals at once: `rows` rows summing to `sums` per currency.
    mutating func add(rows: Int, sums: [(String, Money)], base: Money, unconverted: Int) {
        self.rows += rows
        for (c, m) in sums {
            let i = slot(c)
            self.sums[i] = self.sums[i] + m
        }
        self.base = self.base + base
        unconvertedRows += unconverted
    }

    mutating func subtract(_ amount: Money, currency: String, base: Money?) {
        rows -= 1
        let i = slot(currency)
        sums[i] = sums[i] - amount
        if let base { self.base = self.base - base } else { unconvertedRows -= 1 }
    }

    mutating func merge(_ other: ControlTotal) {
        rows += other.rows
        for (c, m) in zip(other.codes, other.sums) {
            let i = slot(c)
            sums[i] = sums[i] + m
        }
        base = base + other.base
        unconvertedRows += other.unconvertedRows
    }

    public static func == (a: ControlTotal, b: ControlTotal) -> Bool {
        a.rows == b.rows && a.base == b.base && a.unconvertedRows == b.unconvertedRows && a.byCurrency == b.byCurrency
    }

    public func hash(into h: inout Hasher) {
        h.combine(rows)
        h.combine(base)
    }
}

/// Where every row of one input went: `rows_read = rows_accepted + rows_rejected +
/// duplicates_merged + excluded_after_as_of + excluded_open`, with amount control totals per
/// bucket.
public struct InputLedger: Sendable {
    public var kind: InputKind
    public var rowsRead = 0
    public var rowsAccepted = 0
    public var rowsRejected = 0
    public var duplicatesMerged = 0
    public var excludedAfterAsOf = 0
    /// Lines whose status is `open` (quotes, deals in the pipeline): never revenue.
    public var excludedOpen = 0
    public var rejectsByReason: [RejectReason: Int] = [:]
    /// Amount totals (transactions only): every row whose amount parsed, and its bucket.
    public var read = ControlTotal()
    public var accepted = ControlTotal()
    public var rejected = ControlTotal()
    public var merged = ControlTotal()
    public var excluded = ControlTotal()
    /// Amounts of the `open` lines that had one.
    public var open = ControlTotal()
    /// Accepted lines by status and their base-currency totals (transactions only).
    public var paidLines = 0
    public var refundLines = 0
    public var cancelledLines = 0
    public var paidBase: Money = .zero
    public var refundedBase: Money = .zero
    public var cancelledBase: Money = .zero
    /// Accepted net revenue (paid − refunded, base currency) by day: the control total the KPI
    /// tables reconcile to for any window.
    public var netRevenueByDay: [Day: Money] = [:]

    /// Accepted net revenue over days in `window`.
    public func netRevenue(in window: ClosedRange<Day>) -> Money {
        netRevenueByDay.reduce(Money.zero) { window.contains($1.key) ? $0 + $1.value : $0 }
    }

    public init(kind: InputKind) { self.kind = kind }

    /// Keeps a rejected row in `log` and counts it, by reason.
    mutating func reject(_ r: Reject, into log: RejectLog) {
        log.append(r)
        rowsRejected += 1
        rejectsByReason[r.reason, default: 0] += 1
    }

    /// The identity every input must satisfy.
    public var balances: Bool { rowsRead == rowsAccepted + rowsRejected + duplicatesMerged + excludedAfterAsOf + excludedOpen }

    /// Whether the amount control totals add up as the rows do: read = accepted + rejected +
    /// merged + excluded + open, in rows, per currency (as the export wrote the amounts) and in the
    /// base currency.
    public var amountsBalance: Bool {
        var parts = accepted
        for bucket in [rejected, merged, excluded, open] { parts.merge(bucket) }
        return parts == read
    }

    /// Net revenue accepted (paid − refunded), base currency.
    public var netRevenueBase: Money { paidBase - refundedBase }

    public var rejectRate: Double { rowsRead == 0 ? 0 : Double(rowsRejected) / Double(rowsRead) }

    /// Reasons by count, largest first (ties by code).
    public var topReasons: [(RejectReason, Int)] {
        rejectsByReason.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
    }
}
