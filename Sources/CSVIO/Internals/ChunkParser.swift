import CLibcsv

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The records one parse found in a buffer, before they are placed in the file.
struct ChunkParts: Sendable {
    var fields: FieldPositions
    var records: RecordTable
    var problems: [Int: CSVRecordProblem]
    var count: Int { records.count }
}

struct ChunkResult: Sendable {
    var parts: ChunkParts
    /// Position just past the last complete record.
    var endPosition: Int
    /// Physical lines consumed up to `endPosition` (blank lines included).
    var linesConsumed: Int
    /// Data ran out inside a record before the end of the file: that record starts at
    /// `endPosition` and must be read again with the data that follows.
    var incomplete: Bool
}

/// Parses the records of a byte range with libcsv (`kam_parse_chunk` in CLibcsv: runs
/// of whole lines per `csv_parse` call, each record placed from where its last field ended, and
/// one physical line per call for any record a run cannot place, so every record gets its
/// first line, byte offset and raw text without a second parser; fields stay where they are in
/// the buffer unless libcsv changed them, see `kam_field_sink`; only records with non-ASCII
/// bytes are checked as UTF-8; blank lines are skipped, as libcsv does).
enum ChunkParser {
    /// - Parameters:
    ///   - buffer: holds the text at `start..<end`; fields libcsv changed go to it from `sideStart`.
    ///   - isEndOfFile: whether `end` is the end of the input.
    ///   - expectedFields: the header's width; records of another width are flagged.
    ///   - maxRecords: stop after this many records (used to read the header alone).
    static func parse(
        buffer: UnsafeMutableRawPointer, start: Int, end: Int, sideStart: Int, isEndOfFile: Bool,
        dialect: CSVDialect, expectedFields: Int?, maxRecords: Int = .max
    ) -> ChunkResult {
        let estimate = max(16, (end - start) / 40)
        let parser = LibcsvParser(dialect: dialect, buffer: buffer, limit: end, sideStart: sideStart, fieldCapacity: estimate * 8)
        let records = MemoryPool.take(estimate * MemoryLayout<kam_record>.stride)
        var chunk = kam_chunk()
        chunk.records = records.pointer.assumingMemoryBound(to: kam_record.self)
        chunk.capacity = records.bytes / MemoryLayout<kam_record>.stride
        parser.parseChunk(
            &chunk, UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self), start: start, end: end,
            endOfFile: isEndOfFile, expected: expectedFields ?? -1, maxRecords: maxRecords)
        if chunk.failed != 0 || parser.sink.pointee.failed != 0 { fatalError("out of memory while reading CSV records") }
        var problems: [Int: CSVRecordProblem] = [:]
        for i in 0..<chunk.problem_count {
            let found = Int(chunk.problem_found[i])
            let problem: CSVRecordProblem
            switch Int32(chunk.problem_codes[i]) {
            case Int32(KAM_FIELD_COUNT): problem = .fieldCount(expected: expectedFields ?? found, found: found)
            case Int32(KAM_UNTERMINATED_QUOTE): problem = .unterminatedQuote
            case Int32(KAM_BAD_QUOTE): problem = .badQuote
            case Int32(KAM_NOT_TEXT): problem = .notText
            default: problem = .bareCarriageReturn
            }
            problems[Int(chunk.problem_records[i])] = problem
        }
        free(chunk.problem_records)
        free(chunk.problem_found)
        free(chunk.problem_codes)
        let parts = ChunkParts(
            fields: parser.takeFields(),
            records: RecordTable(entries: chunk.records, count: chunk.count, capacity: chunk.capacity),
            problems: problems)
        return ChunkResult(parts: parts, endPosition: chunk.end_position, linesConsumed: chunk.lines_consumed, incomplete: chunk.incomplete != 0)
    }
}
