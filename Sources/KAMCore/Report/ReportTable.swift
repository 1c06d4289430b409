import CSVIO

/// One value of a report table, typed: what it is decides how every renderer shows it (CSV
/// today; HTML and Excel read the same table without computing anything again).
public enum ReportCell: Sendable, Hashable {
    case text(String)
    /// An exact amount of money (two decimals when shown, rounded half to even).
    case money(Money)
    /// A model's amount of money (CLV, expected spend): a `Double`, two decimals when shown.
    case amount(Double)
    /// A share or rate, four decimals (`revenue_share`, `grr`).
    case ratio(Double)
    /// A probability in 0…1, four decimals.
    case probability(Double)
    /// Any other measure with its decimals: weeks, days, scores, an index.
    case measure(Double, decimals: Int)
    case count(Int)
    case date(Day)
    /// No value (not computed, or undefined such as a ratio over zero): an empty cell.
    case empty

    /// Optional values: `nil` is an empty cell.
    static func ratio(_ x: Double?) -> ReportCell { x.map { .ratio($0) } ?? .empty }
    static func probability(_ x: Double?) -> ReportCell { x.map { .probability($0) } ?? .empty }
    static func amount(_ x: Double?) -> ReportCell { x.map { .amount($0) } ?? .empty }
    static func measure(_ x: Double?, _ decimals: Int) -> ReportCell { x.map { .measure($0, decimals: decimals) } ?? .empty }
    static func date(_ d: Day?) -> ReportCell { d.map { .date($0) } ?? .empty }
    static func count(_ n: Int?) -> ReportCell { n.map { .count($0) } ?? .empty }
    static func money(_ m: Money?) -> ReportCell { m.map { .money($0) } ?? .empty }

    /// The cell as the finance conventions print it (README "Finance conventions"): fixed
    /// decimals with `.`, no grouping, ISO dates, never `nan` (an undefined number is empty).
    var printed: String {
        switch self {
        case .text(let s): return s
        case .money(let m): return m.formatted
        case .amount(let x): return CSVFormat.decimal(x, 2)
        case .ratio(let x), .probability(let x): return CSVFormat.decimal(x, 4)
        case .measure(let x, let decimals): return CSVFormat.decimal(x, decimals)
        case .count(let n): return String(n)
        case .date(let d): return d.iso
        case .empty: return ""
        }
    }
}

extension ReportCell {
    /// The cell's number, for the run history (nil for text, dates and empty cells).
    public var number: Double? {
        switch self {
        case .money(let m): return m.double
        case .amount(let x), .ratio(let x), .probability(let x), .measure(let x, _): return x.isFinite ? x : nil
        case .count(let n): return Double(n)
        case .text, .date, .empty: return nil
        }
    }

    /// `x` printed as this cell prints (a count as a count, a money amount with 2 decimals);
    /// empty for nil and for text and date cells.
    func like(_ x: Double?) -> ReportCell {
        guard let x, x.isFinite else { return .empty }
        switch self {
        case .money, .amount: return .amount(x)
        case .ratio: return .ratio(x)
        case .probability: return .probability(x)
        case .measure(_, let decimals): return .measure(x, decimals: decimals)
        case .count: return x == x.rounded() ? .count(Int(x)) : .measure(x, decimals: 2)
        case .text, .date, .empty: return .empty
        }
    }
}

/// A report table as values: named columns, each text or numeric, and typed cells. Report
/// builds these; renderers (``csv(bom:)``) turn them into files.
public struct ReportTable: Sendable {
    public struct Column: Sendable, Hashable {
        public var name: String
        /// Text columns get the formula guard; numeric ones are never altered.
        public var isText: Bool
    }

    public var columns: [Column]
    public var rows: [[ReportCell]] = []

    /// - Parameter text: the names of the text columns; the others hold numbers.
    init(columns: [String], text: Set<String>) {
        self.columns = columns.map { Column(name: $0, isText: text.contains($0)) }
    }

    /// A table whose header comes from column specs (see ``ColumnSpec``).
    init(specs: [ColumnSpec]) {
        self.columns = specs.map { Column(name: $0.name, isText: $0.isText) }
    }

    mutating func append(_ row: [ReportCell]) {
        precondition(row.count == columns.count, "a report row has one cell per column")
        rows.append(row)
    }

    /// The table as CSV by the finance conventions; text cells starting with `=`, `+`, `-`,
    /// `@`, tab or CR are neutralised by ``CSVWriter``.
    func csv(bom: Bool, threads: Int = 1) -> [UInt8] {
        var bytes: [UInt8] = []
        writeCSV(bom: bom, threads: threads) { bytes += $0 }
        return bytes
    }

    /// The same, handed to `emit` piece by piece in order (``RowSource/writeCSV(bom:threads:to:)``).
    func writeCSV(bom: Bool, threads: Int, to emit: ([UInt8]) throws -> Void) rethrows {
        try source.writeCSV(bom: bom, threads: threads, to: emit)
    }

    /// The held rows as a source.
    var source: RowSource {
        let rows = self.rows
        return RowSource(columns: columns, count: rows.count) { rows[$0] }
    }
}

/// A table whose rows are made when they are read, a slice at a time, rather than held: the
/// account table has some ninety cells per account, and held whole it was the largest thing in
/// a run's memory (220 MB at 100,000 accounts) until the last file was written.
struct RowSource: Sendable {
    var columns: [ReportTable.Column]
    var count: Int
    /// Row `i`'s cells, one per column.
    var row: @Sendable (Int) -> [ReportCell]

    /// The named columns that the table has, in the order given.
    func selecting(_ names: [String]) -> RowSource {
        let index = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($0.element.name, $0.offset) })
        let kept = names.compactMap { index[$0] }
        let row = self.row
        return RowSource(columns: kept.map { columns[$0] }, count: count) { i in
            let cells = row(i)
            return kept.map { cells[$0] }
        }
    }

    /// The table as CSV, handed to `emit` piece by piece in order: long tables are printed in
    /// slices of rows on `threads` threads, a few slices at a time, so that memory holds a few
    /// slices, not the file, and the bytes never depend on the thread count.
    func writeCSV(bom: Bool, threads: Int, to emit: ([UInt8]) throws -> Void) rethrows {
        let names = columns.map(\.name), kinds: [CSVColumnKind] = columns.map { $0.isText ? .text : .number }
        var header = CSVWriter(columns: names, kinds: kinds, byteOrderMark: bom)
        try emit(header.takeBytes())
        let count = self.count, row = self.row, sliceRows = 2000
        let slices = (count + sliceRows - 1) / sliceRows
        var next = 0
        while next < slices {
            let batch = min(slices - next, max(1, threads * 2)), first = next
            let parts = parallelMap(batch, threads: threads) { k -> [UInt8] in
                var slice = CSVWriter(columns: names, kinds: kinds)
                _ = slice.takeBytes()  // its header: the file has one already
                let start = (first + k) * sliceRows
                for i in start..<min(count, start + sliceRows) { slice.append(row(i).map(\.printed)) }
                return slice.takeBytes()
            }
            for part in parts { try emit(part) }
            next += batch
        }
    }
}
