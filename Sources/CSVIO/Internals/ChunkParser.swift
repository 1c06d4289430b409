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

/// Parses the records of a byte range with libcsv.
///
/// The range is fed to libcsv one physical line at a time, and after each line the parser's
/// state tells whether a record ended there. That gives every record its starting line, byte
/// offset and raw text without a second parser. One pass over each line before libcsv sees it
/// finds its end and whether it holds a NUL or a non-ASCII byte (only records with non-ASCII
/// bytes are checked as UTF-8). Fields stay where they are in the buffer unless libcsv changed
/// them (see `kam_field_sink`). Blank lines are skipped, as libcsv does.
enum ChunkParser {
    static let nulFlag: UInt8 = 2
    static let highFlag: UInt8 = 4

    /// - Parameters:
    ///   - buffer: holds the text at `start..<end`; fields libcsv changed go to it from `sideStart`.
    ///   - isEndOfFile: whether `end` is the end of the input.
    ///   - expectedFields: the header's width; records of another width are flagged.
    ///   - maxRecords: stop after this many records (used to read the header alone).
    static func parse(
        buffer: UnsafeMutableRawPointer, start: Int, end: Int, sideStart: Int, isEndOfFile: Bool,
        dialect: CSVDialect, expectedFields: Int?, maxRecords: Int = .max
    ) -> ChunkResult {
        let base = UnsafeRawPointer(buffer)
        let estimate = max(16, (end - start) / 40)
        let parser = LibcsvParser(dialect: dialect, buffer: buffer, limit: end, sideStart: sideStart, fieldCapacity: estimate * 8)
        let sink = parser.sink
        let records = RecordTable(capacity: estimate)
        var problems: [Int: CSVRecordProblem] = [:]

        var position = start
        var line = 0
        var recordStart = start
        var recordLine = 0
        var recordFirstField = 0
        var recordSide = sideStart
        var recordFlags: UInt8 = 0
        var inRecord = false
        var incomplete = false

        @inline(__always) func rawEnd(_ pieceEnd: Int) -> Int {
            var e = pieceEnd
            if e > recordStart, base.load(fromByteOffset: e - 1, as: UInt8.self) == 0x0A { e -= 1 }
            if e > recordStart, base.load(fromByteOffset: e - 1, as: UInt8.self) == 0x0D { e -= 1 }
            return e
        }

        @inline(__always) func rollback() {
            sink.pointee.count = recordFirstField
            sink.pointee.side = recordSide
        }

        func emit(rawEndPosition: Int, problem: CSVRecordProblem?) {
            let index = records.count
            var problem = problem
            if problem != nil {
                // Fields already dropped below.
            } else if recordFlags & nulFlag != 0 {
                problem = .notText
            } else if recordFlags & highFlag != 0,
                !isValidUTF8(base + recordStart, count: rawEndPosition - recordStart)
            {
                problem = .notText
            } else if let expectedFields, sink.pointee.count - recordFirstField != expectedFields {
                problem = .fieldCount(expected: expectedFields, found: sink.pointee.count - recordFirstField)
            }
            if let problem {
                problems[index] = problem
                rollback()
            }
            records.append(RecordEntry(
                fieldEnd: Int32(truncatingIfNeeded: sink.pointee.count),
                rawStart: Int32(truncatingIfNeeded: recordStart), rawEnd: Int32(truncatingIfNeeded: rawEndPosition),
                line: Int32(truncatingIfNeeded: recordLine)))
        }

        while true {
            if !inRecord && records.count >= maxRecords { break }
            if position >= end {
                if inRecord {
                    if isEndOfFile {
                        sink.pointee.rows_ended = 0
                        emit(rawEndPosition: rawEnd(end), problem: parser.finish() ? nil : .unterminatedQuote)
                        position = end
                    } else {
                        rollback()
                        position = recordStart
                        line = recordLine
                        incomplete = true
                    }
                }
                break
            }
            let (pieceEnd, hasNewline, flags) = scanLine(base, from: position, end: end)
            if !hasNewline && !isEndOfFile {
                // The rest is the start of a record that continues after `end`.
                if inRecord {
                    rollback()
                    position = recordStart
                    line = recordLine
                }
                incomplete = true
                break
            }
            if !inRecord {
                recordStart = position
                recordLine = line
                recordFirstField = sink.pointee.count
                recordSide = sink.pointee.side
                recordFlags = 0
                sink.pointee.cursor = position
            }
            recordFlags |= flags
            sink.pointee.rows_ended = 0
            let ok = parser.parse(base + position, count: pieceEnd - position)
            position = pieceEnd
            if hasNewline { line += 1 }
            if !ok {
                parser.reset()
                emit(rawEndPosition: rawEnd(pieceEnd), problem: .badQuote)
                inRecord = false
                continue
            }
            if !hasNewline {
                // End of file without a final newline.
                if parser.finish() {
                    if sink.pointee.rows_ended > 0 {
                        emit(rawEndPosition: rawEnd(pieceEnd), problem: nil)
                    }
                } else {
                    emit(rawEndPosition: rawEnd(pieceEnd), problem: .unterminatedQuote)
                }
                inRecord = false
                break
            }
            if parser.isBetweenRows {
                if sink.pointee.rows_ended > 1 {
                    emit(rawEndPosition: rawEnd(pieceEnd), problem: .bareCarriageReturn)
                } else if sink.pointee.rows_ended > 0 {
                    emit(rawEndPosition: rawEnd(pieceEnd), problem: nil)
                }
                inRecord = false
            } else {
                inRecord = true
            }
        }
        if sink.pointee.failed != 0 { fatalError("out of memory while reading CSV fields") }
        let parts = ChunkParts(
            fields: parser.takeFields(), records: records, problems: problems)
        return ChunkResult(parts: parts, endPosition: position, linesConsumed: line, incomplete: incomplete)
    }

    /// Finds the end of the physical line that starts at `from` (just past its LF, or `end`)
    /// and whether it holds a NUL or a non-ASCII byte (`kam_scan_line`).
    @inline(__always)
    static func scanLine(_ base: UnsafeRawPointer, from: Int, end: Int) -> (end: Int, newline: Bool, flags: UInt8) {
        var flags: Int32 = 0
        var newline: Int32 = 0
        let length = kam_scan_line(base.assumingMemoryBound(to: UInt8.self) + from, end - from, &flags, &newline)
        return (from + length, newline != 0, UInt8(truncatingIfNeeded: flags))
    }

    /// Valid UTF-8 (the bytes are known to hold no NUL).
    static func isValidUTF8(_ bytes: UnsafeRawPointer, count: Int) -> Bool {
        kam_utf8_valid(bytes.assumingMemoryBound(to: UInt8.self), count) != 0
    }
}
