#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What one chunk parse produced and where it stopped.
/// A chunk's records before they are placed in the file (line numbers relative to its start).
struct ChunkParts: Sendable {
    var text: [UInt8]
    var fields: FieldStorage
    var recordFieldEnds: [Int32]
    var rawStarts: [Int32]
    var rawEnds: [Int32]
    var lines: [Int32]
    var problems: [Int: CSVRecordProblem]
    var count: Int { lines.count }
}

struct ChunkResult: Sendable {
    var parts: ChunkParts
    /// Position (in the window) just past the last complete record; the next chunk starts here.
    var endPosition: Int
    /// Physical lines consumed, counted from the chunk's start (blank lines included).
    var linesConsumed: Int
    /// Data ran out inside a record before the end of the file: it starts at `endPosition`.
    var incomplete: Bool
}

/// Parses records from a byte range of a window with libcsv.
///
/// The range is fed to libcsv one physical line at a time (lines are found with `memchr`), and
/// after each line the parser's state tells whether a record ended there. That gives every
/// record its starting line, byte offset and raw text without a second parser. Blank lines are
/// skipped, as libcsv does.
enum ChunkParser {
    /// - Parameters:
    ///   - start: position of a record start (or of what is assumed to be one).
    ///   - stopAt: records starting at or after this position belong to the next chunk.
    ///   - end: end of the valid data in the window.
    ///   - isEndOfFile: whether `end` is the end of the input.
    ///   - expectedFields: the header's width; records of another width are flagged.
    ///   - maxRecords: stop after this many records (used to read the header alone).
    static func parse(
        window: UnsafeRawBufferPointer, start: Int, stopAt: Int, end: Int, isEndOfFile: Bool,
        dialect: CSVDialect, expectedFields: Int?, maxRecords: Int = .max
    ) -> ChunkResult {
        let base = window.baseAddress!
        let parser = LibcsvParser(dialect: dialect, capacity: max(64, (min(stopAt, end) - start) + 64))
        let sink = parser.sink
        var recordFieldEnds: [Int32] = []
        var rawStarts: [Int32] = []
        var rawEnds: [Int32] = []
        var lines: [Int32] = []
        var problems: [Int: CSVRecordProblem] = [:]

        var position = start
        var line = 0
        var recordStart = start
        var recordLine = 0
        var recordFirstField = 0
        var inRecord = false
        var incomplete = false

        @inline(__always) func rawEnd(_ pieceEnd: Int) -> Int {
            var e = pieceEnd
            if e > recordStart, base.load(fromByteOffset: e - 1, as: UInt8.self) == 0x0A { e -= 1 }
            if e > recordStart, base.load(fromByteOffset: e - 1, as: UInt8.self) == 0x0D { e -= 1 }
            return e
        }

        func emit(rawEndPosition: Int, problem: CSVRecordProblem?) {
            let index = lines.count
            var problem = problem
            if problem != nil {
                sink.pointee.rollback(toField: recordFirstField)
            } else if !isText(base + recordStart, count: rawEndPosition - recordStart) {
                problem = .notText
            } else if let expectedFields, sink.pointee.fieldCount - recordFirstField != expectedFields {
                problem = .fieldCount(expected: expectedFields, found: sink.pointee.fieldCount - recordFirstField)
            }
            if let problem { problems[index] = problem }
            recordFieldEnds.append(Int32(sink.pointee.fieldCount))
            rawStarts.append(Int32(recordStart - start))
            rawEnds.append(Int32(rawEndPosition - start))
            lines.append(Int32(recordLine))
        }

        while true {
            if !inRecord && (position >= stopAt || lines.count >= maxRecords) { break }
            if position >= end {
                if inRecord {
                    if isEndOfFile {
                        sink.pointee.rowsEnded = 0
                        if parser.finish() {
                            emit(rawEndPosition: rawEnd(end), problem: nil)
                        } else {
                            emit(rawEndPosition: rawEnd(end), problem: .unterminatedQuote)
                        }
                        position = end
                    } else {
                        sink.pointee.rollback(toField: recordFirstField)
                        position = recordStart
                        line = recordLine
                        incomplete = true
                    }
                }
                break
            }
            let newline = memchr(base + position, 0x0A, end - position)
            let hasNewline = newline != nil
            let pieceEnd = hasNewline ? (UnsafeRawPointer(newline!) - base) + 1 : end
            if !hasNewline && !isEndOfFile {
                // The rest of the window is the start of a record that continues in the next one.
                if inRecord {
                    sink.pointee.rollback(toField: recordFirstField)
                    position = recordStart
                    line = recordLine
                }
                incomplete = true
                break
            }
            if !inRecord {
                recordStart = position
                recordLine = line
                recordFirstField = sink.pointee.fieldCount
            }
            sink.pointee.rowsEnded = 0
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
                    if sink.pointee.rowsEnded > 0 { emit(rawEndPosition: rawEnd(pieceEnd), problem: nil) }
                } else {
                    emit(rawEndPosition: rawEnd(pieceEnd), problem: .unterminatedQuote)
                }
                inRecord = false
                break
            }
            if parser.isBetweenRows {
                if sink.pointee.rowsEnded > 1 {
                    emit(rawEndPosition: rawEnd(pieceEnd), problem: .bareCarriageReturn)
                } else if sink.pointee.rowsEnded > 0 {
                    emit(rawEndPosition: rawEnd(pieceEnd), problem: nil)
                }
                inRecord = false
            } else {
                inRecord = true
            }
        }

        let textEnd = lines.isEmpty ? start : start + Int(rawEnds[rawEnds.count - 1])
        let parts = ChunkParts(
            text: Array(UnsafeRawBufferPointer(rebasing: window[start..<max(start, textEnd)])),
            fields: sink.pointee.takeStorage(), recordFieldEnds: recordFieldEnds, rawStarts: rawStarts, rawEnds: rawEnds,
            lines: lines, problems: problems)
        return ChunkResult(parts: parts, endPosition: position, linesConsumed: line, incomplete: incomplete)
    }

    /// Valid UTF-8 without NUL bytes. ASCII runs are checked eight bytes at a time.
    static func isText(_ bytes: UnsafeRawPointer, count: Int) -> Bool {
        var i = 0
        var high: UInt64 = 0
        while i + 8 <= count {
            let word = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            high |= word & 0x8080_8080_8080_8080
            // Any zero byte: (w - 0x01..) & ~w & 0x80.. is non-zero.
            if (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080 != 0 { return false }
            i += 8
        }
        while i < count {
            let b = bytes.load(fromByteOffset: i, as: UInt8.self)
            if b == 0 { return false }
            high |= UInt64(b & 0x80)
            i += 1
        }
        if high == 0 { return true }
        let buffer = UnsafeBufferPointer(start: bytes.assumingMemoryBound(to: UInt8.self), count: count)
        return String(validating: buffer, as: UTF8.self) != nil
    }
}
