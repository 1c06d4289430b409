import CSVIO

/// `rejects.csv`: every rejected row with source, line, field, reason code, message and the raw
/// text exactly as in the file.
enum RejectsReport {
    /// Writes the file through `emit` in pieces of about 1 MiB, so it is never whole in memory.
    static func write<S: Sequence<Reject>>(_ rejects: S, bom: Bool, to emit: ([UInt8]) throws -> Void) throws {
        var w = CSVWriter(columns: OutputColumns.rejects.map(\.name), kinds: OutputColumns.rejects.map { $0.isText ? .text : .number }, byteOrderMark: bom)
        for r in rejects {
            w.append([r.source.rawValue, String(r.line), r.field, r.reason.rawValue, r.message, r.raw])
            if w.bytes.count >= 1 << 20 { try emit(w.takeBytes()) }
        }
        try emit(w.takeBytes())
    }
}
