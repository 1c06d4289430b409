import CSVIO

/// `rejects.csv`: every rejected row with source, line, field, reason code, message and the raw
/// text exactly as in the file.
enum RejectsReport {
    static func bytes(_ rejects: [Reject], bom: Bool) -> [UInt8] {
        var w = CSVWriter(columns: ["source", "line", "field", "reason_code", "message", "raw"], kinds: [.text, .number, .text, .text, .text, .text], byteOrderMark: bom)
        for r in rejects { w.append([r.source.rawValue, String(r.line), r.field, r.reason.rawValue, r.message, r.raw]) }
        return w.bytes
    }
}
