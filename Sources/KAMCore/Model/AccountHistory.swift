/// The days on which the analysis stages look at accounts: the cut-offs of a run (as_of, the
/// churn training cut, a backtest's cutoff and end) and, for each, the starts of the windows
/// the stages sum over (90, 180, 365 and 730 days back). Money is accumulated per interval
/// between consecutive points, so any window between two points is a difference of sums.
public struct CutoffPoints: Sendable, Hashable {
    /// Window lengths, in days, that end at every cut-off.
    public static let windowDays = [90, 180, 365, 730]

    /// Ascending, distinct.
    public let days: [Int32]

    /// - Parameter extra: further days to keep sums at, without windows of their own (the
    ///   review pack's quarter ends).
    public init(cutoffs: [Day], extra: [Day] = []) {
        var all = Set<Int32>(extra.map(\.ordinal))
        for c in cutoffs {
            all.insert(c.ordinal)
            for w in Self.windowDays { all.insert(c.ordinal - Int32(w)) }
        }
        days = all.sorted()
    }

    /// The interval a day falls in: interval `i` holds the days in (days[i − 1], days[i]], the
    /// last one the days after every point.
    @inline(__always)
    func interval(of day: Int32) -> Int {
        var lo = 0, hi = days.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if days[mid] < day { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The interval of every day from `first` through `last` (a table look-up per row of a batch
    /// instead of a binary search), or nil when the days span more than `maxDays`.
    func intervals(from first: Int32, through last: Int32, maxDays: Int = 1 << 13) -> [Int32]? {
        guard first <= last, Int(last) - Int(first) < maxDays else { return nil }
        var i = interval(of: first)
        return (first...last).map { day in
            while i < days.count && days[i] < day { i += 1 }
            return Int32(i)
        }
    }

    /// The index of a point; a query on a day that is not a point is a programming error.
    func index(of day: Day) -> Int {
        let i = interval(of: day.ordinal)
        precondition(i < days.count && days[i] == day.ordinal, "\(day) is not a cut-off point of this run")
        return i
    }
}

/// One account's transactions as the analysis stages need them, in memory that does not grow
/// with the number of rows (ARCHITECTURE.md §3: per-account accumulators):
///
/// - its purchase days (days with at least one paid line) as a bitmap over the days it spans;
/// - per interval between the run's ``CutoffPoints``: paid, refunded (positive), refunds on
///   purchase days, cost, and lines without a cost;
/// - its first purchase day and that day's net, for the repeat-day spend.
///
/// A refund whose day has no paid line (yet) waits in `pending` until a paid line of that day
/// comes; what still waits at the end was refunded on a day that is not a purchase.
/// Everything the stages read is exact for any of the run's cut-offs.
public struct AccountHistory: Sendable, Hashable {
    public let accountId: String
    public let points: CutoffPoints
    /// Five sums per interval: paid, refunded, refunded on purchase days, cost, lines without cost.
    private var sums: [Int64]
    private var bits: [UInt64] = []
    /// Day ordinal of bit 0 of `bits` (a multiple of 64).
    private var bitBase: Int32 = 0
    private var firstDay: Int32 = .max
    private var firstDayPaid: Int64 = 0
    private var firstDayRefunded: Int64 = 0
    private var pending: [PendingRefund] = []
    /// Whether any line (paid, refund or cancelled) was added.
    public private(set) var hasLines = false

    private struct PendingRefund: Sendable, Hashable {
        var day: Int32
        var units: Int64
    }

    private static let fields = 5
    private static let paidField = 0, refundedField = 1, purchaseRefundedField = 2, costField = 3, uncostedField = 4

    public init(accountId: String, points: CutoffPoints) {
        self.accountId = accountId
        self.points = points
        sums = Array(repeating: 0, count: (points.days.count + 1) * Self.fields)
    }

    /// Builds a history from day totals (tests, and shards merged by day).
    public init(accountId: String, days: [DayTotals], cutoffs: [Day]) {
        self.init(accountId: accountId, points: CutoffPoints(cutoffs: cutoffs))
        for d in days { add(d) }
    }

    // MARK: Accumulating

    /// Adds a day's totals (any number of calls per day, in any order).
    public mutating func add(_ d: DayTotals) {
        accumulate(
            day: d.day.ordinal, interval: points.interval(of: d.day.ordinal), paid: d.paid.units, refunded: d.refunded.units,
            cost: d.cost.units, uncosted: Int64(d.paidLines + d.refundLines - d.costedLines), purchase: d.paidLines > 0)
    }

    /// Adds paid and refunded (positive) units of one day, in `interval` of ``points``;
    /// `purchase`: the day had a paid line.
    mutating func accumulate(
        day: Int32, interval: Int, paid: Int64, refunded: Int64, cost: Int64, uncosted: Int64, purchase: Bool
    ) {
        hasLines = true
        let base = interval * Self.fields
        sums.withUnsafeMutableBufferPointer { sums in
            sums[base + Self.paidField] += paid
            sums[base + Self.refundedField] += refunded
            sums[base + Self.costField] += cost
            sums[base + Self.uncostedField] += uncosted
        }
        if purchase {
            if day < firstDay {
                firstDay = day
                firstDayPaid = 0
                firstDayRefunded = 0
            }
            if day == firstDay { firstDayPaid += paid }
            if !isPurchaseDay(day) {
                setPurchaseDay(day)
                // Refunds of this day that came before its first paid line.
                let i = pendingIndex(day)
                if i < pending.count && pending[i].day == day {
                    countPurchaseDayRefund(day: day, units: pending[i].units)
                    pending.remove(at: i)
                }
            }
        }
        if refunded != 0 {
            if isPurchaseDay(day) {
                countPurchaseDayRefund(day: day, units: refunded)
            } else {
                let i = pendingIndex(day)
                if i < pending.count && pending[i].day == day {
                    pending[i].units += refunded
                } else {
                    pending.insert(PendingRefund(day: day, units: refunded), at: i)
                }
            }
        }
    }

    /// Where `day` is or would go in `pending` (ascending by day, one entry per day, so equal
    /// histories are equal whatever the order of their rows).
    private func pendingIndex(_ day: Int32) -> Int {
        var lo = 0, hi = pending.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if pending[mid].day < day { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    private mutating func countPurchaseDayRefund(day: Int32, units: Int64) {
        sums[points.interval(of: day) * Self.fields + Self.purchaseRefundedField] += units
        if day == firstDay { firstDayRefunded += units }
    }

    private func isPurchaseDay(_ day: Int32) -> Bool {
        let offset = Int(day) - Int(bitBase)
        guard offset >= 0, offset >> 6 < bits.count else { return false }
        return bits[offset >> 6] & (1 << UInt64(offset & 63)) != 0
    }

    private mutating func setPurchaseDay(_ day: Int32) {
        let wordDay = day & ~63
        if bits.isEmpty {
            bitBase = wordDay
            bits = [0]
        } else if wordDay < bitBase {
            bits.insert(contentsOf: repeatElement(0, count: Int(bitBase - wordDay) >> 6), at: 0)
            bitBase = wordDay
        } else if Int(wordDay - bitBase) >> 6 >= bits.count {
            bits.append(contentsOf: repeatElement(0, count: (Int(wordDay - bitBase) >> 6) - bits.count + 1))
        }
        let offset = Int(day - bitBase)
        bits[offset >> 6] |= 1 << UInt64(offset & 63)
    }

    // MARK: Reading

    /// Sum of `field` over the days up to and including the point `day`.
    private func cumulative(_ field: Int, through day: Day) -> Int64 {
        let last = points.index(of: day)
        var total: Int64 = 0
        for i in 0...last { total += sums[i * Self.fields + field] }
        return total
    }

    /// Paid minus refunded over the days up to and including the cut-off point `day`.
    public func net(through day: Day) -> Money {
        Money(units: cumulative(Self.paidField, through: day) - cumulative(Self.refundedField, through: day))
    }

    /// Net over (from, through], both cut-off points.
    public func net(after from: Day, through: Day) -> Money { net(through: through) - net(through: from) }

    public func paid(through day: Day) -> Money { Money(units: cumulative(Self.paidField, through: day)) }
    public func refunded(through day: Day) -> Money { Money(units: cumulative(Self.refundedField, through: day)) }

    /// Net of the purchase days up to `day` (refunds on days without a paid line left out).
    public func purchaseDayNet(through day: Day) -> Money {
        Money(units: cumulative(Self.paidField, through: day) - cumulative(Self.purchaseRefundedField, through: day))
    }

    /// Cost up to `day`, nil when a paid or refund line up to then had no cost.
    public func cost(through day: Day) -> Money? {
        cumulative(Self.uncostedField, through: day) == 0 ? Money(units: cumulative(Self.costField, through: day)) : nil
    }

    /// Cost over (from, through], both cut-off points; nil when a line in it had no cost.
    public func cost(after from: Day, through: Day) -> Money? {
        let uncosted = cumulative(Self.uncostedField, through: through) - cumulative(Self.uncostedField, through: from)
        guard uncosted == 0 else { return nil }
        return Money(units: cumulative(Self.costField, through: through) - cumulative(Self.costField, through: from))
    }

    /// The first purchase day on or before `day`.
    public func firstPurchase(onOrBefore day: Day) -> Day? {
        firstDay <= day.ordinal ? Day(ordinal: firstDay) : nil
    }

    /// Net of the first purchase day (its paid lines less its refunds).
    public var firstPurchaseDayNet: Money { Money(units: firstDayPaid - firstDayRefunded) }

    /// Purchase days in (from, through] (any days; they need not be cut-off points).
    public func purchaseDays(after from: Day, through: Day) -> Int {
        var count = 0
        var d = max(Int(from.ordinal) + 1, Int(bitBase))
        let end = min(Int(through.ordinal), Int(bitBase) + bits.count * 64 - 1)
        while d <= end {
            let offset = d - Int(bitBase)
            let bit = offset & 63
            var word = bits[offset >> 6] >> UInt64(bit)
            let span = min(64 - bit, end - d + 1)
            if span < 64 { word &= (1 << UInt64(span)) - 1 }
            count += word.nonzeroBitCount
            d += span
        }
        return count
    }

    /// The last purchase day on or before `day`.
    public func lastPurchase(onOrBefore day: Day) -> Day? {
        var d = min(Int(day.ordinal), Int(bitBase) + bits.count * 64 - 1)
        while d >= Int(bitBase) {
            let offset = d - Int(bitBase)
            let bit = offset & 63
            // Bits 0...bit of this word.
            let word = bits[offset >> 6] & (bit == 63 ? ~0 : (1 << UInt64(bit + 1)) - 1)
            if word != 0 { return Day(ordinal: Int32(Int(bitBase) + (offset & ~63) + 63 - word.leadingZeroBitCount)) }
            d -= bit + 1
        }
        return nil
    }

    /// The purchase days in (from, through], ascending.
    public func purchaseDayList(after from: Day, through: Day) -> [Day] {
        var out: [Day] = []
        var d = max(Int(from.ordinal) + 1, Int(bitBase))
        let end = min(Int(through.ordinal), Int(bitBase) + bits.count * 64 - 1)
        while d <= end {
            let offset = d - Int(bitBase)
            if bits[offset >> 6] & (1 << UInt64(offset & 63)) != 0 { out.append(Day(ordinal: Int32(d))) }
            d += 1
        }
        return out
    }

    /// Whether the account has any purchase day in (from, through].
    public func bought(after from: Day, through: Day) -> Bool { purchaseDays(after: from, through: through) > 0 }
}
