import CXlsxwriter
import CXlsxwriterLevel
import Foundation

/// A typed report table as an Excel sheet, through libxlsxwriter (Debian's libxlsxwriter-dev):
/// numbers stored as numbers with a format (money with two decimals and the currency, ratios as
/// percentages, dates as dates), text always as text (never a formula), a bold frozen header,
/// an autofilter and column widths that fit.
final class XLSXWriter {
    private let workbook: UnsafeMutablePointer<lxw_workbook>
    private let path: String
    private var closed = false
    private let currency: String
    /// The first error libxlsxwriter returned, kept until ``close()`` reports it.
    private var failure: String?

    /// - Parameter created: the workbook's creation time, stored in its properties; the run's
    ///   as_of, so that the same run writes the same workbook.
    init(path: String, currency: String, created: Day) throws {
        var options = lxw_workbook_options()
        // Rows go to temporary files as they are written: memory stays flat in rows.
        options.constant_memory = UInt8(LXW_TRUE.rawValue)
        guard let wb = path.withCString({ workbook_new_opt($0, &options) }) else {
            throw RunFolder.Failure.io("\(path): libxlsxwriter cannot create the workbook")
        }
        workbook = wb
        self.path = path
        self.currency = currency
        var properties = lxw_doc_properties()
        properties.created = time_t(Int(created.ordinal) * 86_400)
        "kam".withCString { author in
            properties.author = UnsafeMutablePointer(mutating: author)
            _ = workbook_set_properties(wb, &properties)
        }
    }

    deinit {
        if !closed { _ = workbook_close(workbook) }
    }

    /// A new format with a number format; `bold` for header cells.
    private func format(_ numberFormat: String?, bold: Bool = false) -> UnsafeMutablePointer<lxw_format> {
        let f = workbook_add_format(workbook)!
        if let numberFormat { numberFormat.withCString { format_set_num_format(f, $0) } }
        if bold {
            format_set_bold(f)
            format_set_bg_color(f, 0xE8EDF3)
        }
        return f
    }

    private lazy var headerFormat = format(nil, bold: true)
    private lazy var moneyFormat = format("#,##0.00 \"\(currency)\"")
    private lazy var percentFormat = format("0.00%")
    private lazy var wholeFormat = format("#,##0")
    private lazy var dateFormat = format("yyyy-mm-dd")
    private var measureFormats: [Int: UnsafeMutablePointer<lxw_format>] = [:]
    /// Excel's day 0: 1899-12-30 (its 1900 leap-year quirk included).
    private static let excelEpoch = Int(Day(year: 1899, month: 12, day: 30)!.ordinal)

    /// The value Excel stores for a cell, its format and the width of its printed text: the
    /// value as the CSV prints it (so the workbook equals the CSV to the printed digit), with the
    /// format that shows it so. Worked out in integers, without printing: money in cents, the
    /// other numbers in the printed decimal's units (``CSVFormat/printedValue(_:_:)``).
    func number(_ cell: ReportCell) -> (value: Double, format: UnsafeMutablePointer<lxw_format>, width: Int)? {
        switch cell {
        case .money(let m):
            // Cents, half to even, as Money prints them; cents / 100 is the double nearest the printed text.
            let cents = FXRate.divideRounded(m.units, by: Money.scale / 100)
            return (Double(cents) / 100, moneyFormat, String(cents).count + 5)
        case .count(let n): return (Double(n), wholeFormat, String(n).count + 3)
        case .date(let d): return (Double(Int(d.ordinal) - Self.excelEpoch), dateFormat, 12)
        case .amount(let x):
            return CSVFormat.printedValue(x, 2).map { ($0.value, moneyFormat, $0.length + 6) }
        case .ratio(let x), .probability(let x):
            return CSVFormat.printedValue(x, 4).map { ($0.value, percentFormat, $0.length + 2) }
        case .measure(let x, let decimals):
            guard let printed = CSVFormat.printedValue(x, decimals) else { return nil }
            if measureFormats[decimals] == nil {
                measureFormats[decimals] = format(decimals == 0 ? "#,##0" : "#,##0." + String(repeating: "0", count: decimals))
            }
            return (printed.value, measureFormats[decimals]!, printed.length + 3)
        case .text, .empty: return nil
        }
    }

    /// Adds a sheet holding the rows of `table`, made one at a time.
    func addSheet(_ name: String, _ table: RowSource) {
        guard let sheet = name.withCString({ workbook_add_worksheet(workbook, $0) }) else {
            failure = failure ?? "cannot add sheet '\(name)'"
            return
        }
        let header = headerFormat
        var widths = table.columns.map { Self.displayWidth($0.name) + 2 }
        for (c, column) in table.columns.enumerated() {
            check(column.name.withCString { worksheet_write_string(sheet, 0, lxw_col_t(c), $0, header) })
        }
        for r in 0..<table.count {
            let excelRow = lxw_row_t(r + 1)
            for (c, cell) in table.row(r).enumerated() {
                let col = lxw_col_t(c)
                if let n = number(cell) {
                    check(worksheet_write_number(sheet, excelRow, col, n.value, n.format))
                    widths[c] = max(widths[c], n.width)
                } else if case .text(let full) = cell, !full.isEmpty {
                    // A string cell, whatever it starts with: text stays text. Excel holds at most
                    // 32,767 characters in a cell: longer text (a garbled export) is cut, marked
                    // with "…", rather than fail the run; the CSV keeps it whole.
                    let s = full.utf8.count > Self.longestText ? String(full.prefix(Self.longestText / 4)) + "…" : full
                    check(s.withCString { worksheet_write_string(sheet, excelRow, col, $0, nil) })
                    widths[c] = max(widths[c], Self.displayWidth(s) + 1)
                }
            }
        }
        for (c, w) in widths.enumerated() {
            check(worksheet_set_column(sheet, lxw_col_t(c), lxw_col_t(c), Double(min(max(w, 6), 60)), nil))
        }
        worksheet_freeze_panes(sheet, 1, 0)
        if !table.columns.isEmpty {
            check(worksheet_autofilter(sheet, 0, 0, lxw_row_t(table.count), lxw_col_t(table.columns.count - 1)))
        }
    }

    /// Writes the file; an error names the path and libxlsxwriter's reason.
    func close() throws {
        closed = true
        let result = workbook_close(workbook)
        if let failure { throw RunFolder.Failure.io("\(path): \(failure)") }
        if result != LXW_NO_ERROR {
            throw RunFolder.Failure.io("\(path): cannot write the workbook: \(String(cString: lxw_strerror(result)))")
        }
    }

    private func check(_ error: lxw_error) {
        if error != LXW_NO_ERROR, failure == nil { failure = String(cString: lxw_strerror(error)) }
    }

    /// The deflate level of the workbook's zip entries (Sources/CXlsxwriterLevel).
    static let deflateLevel = Int(kam_xlsx_deflate_level())

    /// Bytes of UTF-8 a text cell may have before it is cut (within Excel's 32,767 characters).
    static let longestText = 32_000

    /// Characters as Excel's column width counts them: East Asian wide characters take two.
    static func displayWidth(_ s: String) -> Int {
        if s.utf8.allSatisfy({ $0 < 0x80 }) { return s.utf8.count }
        return s.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 && $1.properties.isIdeographic || (0xFF00...0xFFEF).contains($1.value) ? 2 : 1) }
    }
}
