import CSVIO

/// A ``CSVWriter`` whose column kinds come from a set of text column names.
struct CSVWriterProxy {
    private var writer: CSVWriter

    init(columns: [String], text: Set<String>, bom: Bool) {
        writer = CSVWriter(columns: columns, kinds: columns.map { text.contains($0) ? .text : .number }, byteOrderMark: bom)
    }

    mutating func append(_ row: [String]) { writer.append(row) }
    var bytes: [UInt8] { writer.bytes }
}
