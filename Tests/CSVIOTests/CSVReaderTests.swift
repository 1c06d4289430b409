import CLibcsv
import CFileSystem
import Foundation
import Synchronization
import Testing

@testable import CSVIO

/// The folder that holds every temporary file of this test process; removed when it exits.
let temporaryRoot: URL = {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("kam-csvio-tests-\(getpid())")
    try! FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(at: temporaryRoot) }
    return root
}()

/// Writes `bytes` to a fresh temporary file and returns its path.
func temporaryFile(_ bytes: [UInt8], name: String = "input.csv") -> String {
    let dir = temporaryRoot.appendingPathComponent("kam-csvio-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent(name).path
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
}

func temporaryFile(_ text: String, name: String = "input.csv") -> String { temporaryFile(Array(text.utf8), name: name) }

struct Row: Equatable, CustomStringConvertible {
    var line: Int
    var offset: Int
    var fields: [String]
    var raw: String
    var problem: CSVRecordProblem?
    var description: String { "\(line)@\(offset) \(fields) \(problem.map { "\($0)" } ?? "")" }
}

func rows(_ path: String, _ dialect: CSVDialect = CSVDialect(), threads: Int = 1, window: Int = 4 << 20) throws -> (header: [String], rows: [Row]) {
    let reader = try CSVReader(path: path, dialect: dialect, windowBytes: window)
    var out: [Row] = []
    for batch in try reader.readAll(threads: threads) {
        for i in 0..<batch.count {
            let r = batch[i]
            out.append(Row(line: r.line, offset: r.byteOffset, fields: r.problem == nil ? r.fields : [], raw: r.raw, problem: r.problem))
        }
    }
    return (reader.header, out)
}

@Suite struct CSVReaderTests {
    /// A mapped file that became shorter since the reader opened it is an error naming the file,
    /// not a read past its end.
    @Test func aFileThatShrinksWhileMappedIsAnError() throws {
        let text = "id,amount\n" + (0..<2000).map { "\($0),\($0).50\n" }.joined()
        let path = temporaryFile(text)
        let reader = try CSVReader(path: path, dialect: CSVDialect(), windowBytes: 64)
        #expect(truncate(path, 100) == 0)
        #expect {
            try reader.forEachBatch(threads: 2, transform: { $0.count }, consume: { _ in })
        } throws: { error in
            guard case CSVError.readFailed(let file, let reason) = error else { return false }
            return file == path && reason.contains("changed size")
        }
    }

    /// Blocks are cut after the last line feed outside quotes (by the quotes' parity from the
    /// block's start), else after the last line feed.
    @Test func blocksAreCutOutsideQuotedFields() {
        func cut(_ text: String) -> Int? {
            let bytes = Array(text.utf8)
            let found = bytes.withUnsafeBytes { blockCutAndLines($0.baseAddress!, count: bytes.count, quote: UInt8(ascii: "\"")) }
            // The line feeds counted with the cut are those before it.
            if let found { #expect(found.lines == bytes[..<found.cut].filter { $0 == 0x0A }.count, "\(text.debugDescription)") }
            return found?.cut
        }
        #expect(cut("a,b\n\"x\ny\",z\n") == 12)
        #expect(cut("a\n\"x\ny") == 2)
        #expect(cut("a\n\"x\"\"\ny\"\nb") == 10)
        #expect(cut("a\n\"x\"\"\ny") == 2)
        #expect(cut("\"x\ny\nz") == 5)
        #expect(cut("no line feed") == nil)
        #expect(cut("") == nil)
        // Longer than the 16-byte steps, with the cut walking back over several lines.
        #expect(cut(String(repeating: "row,1\n", count: 40) + "\"note\nmore\nand more\nstill") == 240)
        #expect(cut(String(repeating: "a,\"b\"\n", count: 50) + "x\n") == 302)
    }

    /// A file longer than the first read is mapped block by block after its header: the records
    /// are those of one big read, a line longer than a block maps a longer window, copies of
    /// quoted fields land after each block's text, and the observer sees every byte of the file
    /// once, in order (the manifest's sha256 is taken from it).
    @Test func mappedBlocksReadWhatOneReadReadsAndShowEveryByteOnce() throws {
        var text = "id,note,amount\n"
        for i in 0..<3000 {
            switch i % 7 {
            case 0: text += "\(i),\"multi\nline \"\"quoted\"\" note\",\"1,\(i).50\"\n"
            case 3: text += "\(i),\(String(repeating: "長い", count: 200 + i % 50)),\(i)\n"
            case 5: text += "\(i), spaced ,\(i)\r\n"
            case 6 where i % 97 == 6:
                // A note of many lines, longer than the smaller windows: no cut outside quotes
                // fits in such a window, so the record is joined to the next block.
                text += "\(i),\"\((0..<40).map { "line \($0) of a long note" }.joined(separator: "\n"))\",\(i)\n"
            default: text += "\(i),plain,\(i)\n"
            }
        }
        let path = temporaryFile(text)
        let whole = try rows(path, window: 16 << 20)
        for (window, threads) in [(64, 1), (1000, 2), (4096, 3)] {
            let seen = Mutex<[UInt8]>([])
            let reader = try CSVReader(path: path, dialect: CSVDialect(), windowBytes: window, observer: { bytes in seen.withLock { $0 += bytes } })
            var mapped: [Row] = []
            for batch in try reader.readAll(threads: threads) {
                for i in 0..<batch.count {
                    let r = batch[i]
                    mapped.append(Row(line: r.line, offset: r.byteOffset, fields: r.problem == nil ? r.fields : [], raw: r.raw, problem: r.problem))
                }
            }
            #expect(mapped == whole.rows, "window \(window)")
            #expect(seen.withLock { $0 } == Array(text.utf8), "window \(window)")
            #expect(reader.bytesConsumed == text.utf8.count)
        }
        #expect(whole.rows.count == 3000 && whole.rows[0].fields == ["0", "multi\nline \"quoted\" note", "1,0.50"])
        // The same text in GB18030 is decoded as it is read, block by block (not mapped): the
        // same records, offsets counted in the decoded text.
        let gb = temporaryFile(GB18030Encoder.encode(text)!, name: "gb.csv")
        for window in [64, 1000] {
            #expect(try rows(gb, CSVDialect(encoding: .gb18030), threads: 2, window: window).rows == whole.rows, "GB18030, window \(window)")
        }
    }

    @Test func readsHeaderFieldsLinesAndOffsets() throws {
        let path = temporaryFile("id,name,amount\n1,Acme,10.5\n2,\"Bei, Jing\",20\n")
        let (header, r) = try rows(path)
        #expect(header == ["id", "name", "amount"])
        #expect(r.map(\.fields) == [["1", "Acme", "10.5"], ["2", "Bei, Jing", "20"]])
        #expect(r.map(\.line) == [2, 3])
        #expect(r.map(\.offset) == [15, 27])
        #expect(r[1].raw == "2,\"Bei, Jing\",20")
    }

    @Test func fieldsAreLibcsvsWhetherOrNotTheyAreCopied() throws {
        // Fields stay in place unless libcsv changed them; a quoted field whose doubled quotes
        // make its raw text look like a shorter field followed by a delimiter is still copied.
        let path = temporaryFile("a,b,c\n1,\"\"\"\"\",\",z\n\"x\",\"y\"\"\",\"\"\n\"p\nq\",,\"\"\"\"\n")
        let (_, r) = try rows(path)
        #expect(r.map(\.fields) == [["1", "\"\",", "z"], ["x", "y\"", ""], ["p\nq", "", "\""]])
    }

    @Test func trimsSpacesNextToDelimitersAsLibcsvDoes() throws {
        // A field libcsv trimmed is not where the raw text has it: it is copied, so the fields
        // are libcsv's either way.
        let path = temporaryFile("id,name,city\n 1 , Acme Corp ,\tBeijing\t\n2,B,C\n3 ,\"Q \", R\n")
        let (_, r) = try rows(path)
        #expect(r.map(\.fields) == [["1", "Acme Corp", "Beijing"], ["2", "B", "C"], ["3", "Q ", "R"]])
        #expect(r.map(\.raw) == [" 1 , Acme Corp ,\tBeijing\t", "2,B,C", "3 ,\"Q \", R"])
    }

    @Test func aQuotedFieldAfterSpacesIsLibcsvsEvenWhenItsLengthEndsOnADelimiter() throws {
        // `, "a,b"`: libcsv skips the space and reads a,b (3 bytes); the raw text 3 bytes after
        // the space ends on a comma, which must not pass for a field lying there as it is.
        let path = temporaryFile("id,name,n\n1, \"a,b\",2\n2,  \"\n,\" ,3\n")
        let (_, r) = try rows(path)
        #expect(r.map(\.fields) == [["1", "a,b", "2"], ["2", "\n,", "3"]])
        #expect(r.map(\.line) == [2, 3])
    }

    @Test func withATabDelimiterALineOfTabsIsARowOfEmptyFields() throws {
        // A tab separates fields there; only spaces are trimmed, and only a line of nothing
        // but spaces is blank.
        let path = temporaryFile("a\tb\tc\n\t\t\n x \t\ty\n   \n1\t2\t3\n")
        let (_, r) = try rows(path, CSVDialect(delimiter: 0x09))
        #expect(r.map(\.fields) == [["", "", ""], ["x", "", "y"], ["1", "2", "3"]])
        #expect(r.map(\.line) == [2, 3, 5])
    }

    @Test(arguments: [",", ";", "\t", "|"])
    func readsEveryDelimiter(_ delimiter: String) throws {
        let d = delimiter
        let path = temporaryFile("a\(d)b\(d)c\n1\(d)\"x\(d)y\"\(d)3\n")
        let (header, r) = try rows(path, CSVDialect(delimiter: UInt8(ascii: Unicode.Scalar(d)!)))
        #expect(header == ["a", "b", "c"])
        #expect(r.map(\.fields) == [["1", "x\(d)y", "3"]])
    }

    @Test func readsAnotherQuoteCharacter() throws {
        let path = temporaryFile("a,b\n'x,y','it''s'\n")
        let (_, r) = try rows(path, CSVDialect(quote: UInt8(ascii: "'")))
        #expect(r.map(\.fields) == [["x,y", "it's"]])
    }

    @Test func readsCRLFAndLFAlike() throws {
        let lf = try rows(temporaryFile("a,b\n1,\"x\"\n2,y\n"))
        let crlf = try rows(temporaryFile("a,b\r\n1,\"x\"\r\n2,y\r\n"))
        #expect(lf.header == crlf.header)
        #expect(lf.rows.map(\.fields) == crlf.rows.map(\.fields))
        #expect(crlf.rows.map(\.line) == [2, 3])
        #expect(crlf.rows[0].raw == "1,\"x\"")
    }

    @Test func skipsAByteOrderMarkAndKeepsFileOffsets() throws {
        let path = temporaryFile([0xEF, 0xBB, 0xBF] + Array("客户编号,金额\nA1,5\n".utf8))
        let reader = try CSVReader(path: path, dialect: CSVDialect())
        #expect(reader.hadByteOrderMark)
        #expect(reader.header == ["客户编号", "金额"])
        let (_, r) = try rows(path)
        #expect(r[0].offset == 3 + "客户编号,金额\n".utf8.count)
    }

    @Test func readsWithoutHeader() throws {
        let (header, r) = try rows(temporaryFile("1,2\n3,4\n"), CSVDialect(hasHeader: false))
        #expect(header == ["1", "2"])
        #expect(r.map(\.fields) == [["1", "2"], ["3", "4"]])
        #expect(r.map(\.line) == [1, 2])
    }

    @Test func keepsMultiLineQuotedFieldsAndCountsPhysicalLines() throws {
        let path = temporaryFile("id,note\n1,\"first\nsecond\r\nthird\"\n2,plain\n")
        let (_, r) = try rows(path)
        #expect(r.map(\.fields) == [["1", "first\nsecond\r\nthird"], ["2", "plain"]])
        #expect(r.map(\.line) == [2, 5])
        #expect(r[0].raw == "1,\"first\nsecond\r\nthird\"")
    }

    @Test func skipsBlankLinesButKeepsLineNumbers() throws {
        let (_, r) = try rows(temporaryFile("a,b\n\n1,2\n   \n3,4"))
        #expect(r.map(\.line) == [3, 5])
        #expect(r.map(\.fields) == [["1", "2"], ["3", "4"]])
    }

    @Test func flagsRowsWithTooManyOrTooFewFields() throws {
        let (_, r) = try rows(temporaryFile("a,b,c\n1,2\n1,2,3,4\n1,2,3\n"))
        #expect(r.map(\.problem) == [.fieldCount(expected: 3, found: 2), .fieldCount(expected: 3, found: 4), nil])
        #expect(r.map(\.line) == [2, 3, 4])
        #expect(r[0].raw == "1,2")
    }

    @Test func flagsAnUnterminatedQuoteOnItsLineAloneAndReadsOn() throws {
        let (_, r) = try rows(temporaryFile("a,b\n1,2\n3,\"never closed\n4,5\n"))
        #expect(r.map(\.problem) == [nil, .unterminatedQuote, nil])
        #expect(r.map(\.line) == [2, 3, 4])
        #expect(r[1].raw == "3,\"never closed")
        #expect(r[2].fields == ["4", "5"])
        // On the last line, without a line after it: the line itself.
        let (_, last) = try rows(temporaryFile("a,b\n1,2\n3,\"never closed\n"))
        #expect(last.map(\.problem) == [nil, .unterminatedQuote] && last[1].raw == "3,\"never closed")
    }

    /// A stray opening quote must not swallow the well-formed lines after it: when the quoted
    /// field it opens runs across lines into a record of the wrong width, or into a bad quote,
    /// its first line alone is rejected and reading goes on from the next line.
    @Test func aStrayOpeningQuoteRejectsItsOwnLineOnly() throws {
        let text = "a,b,c\n1,\"x,y\n2,p,q\n3,\"1,234.50\",z\n4,\"note\nover two lines\",w\n5,s,t\n"
        let (_, r) = try rows(temporaryFile(text))
        #expect(r.map(\.line) == [2, 3, 4, 5, 7])
        #expect(r.map(\.problem) == [.unterminatedQuote, nil, nil, nil, nil])
        #expect(r[0].raw == "1,\"x,y")
        #expect(r[1].fields == ["2", "p", "q"] && r[2].fields == ["3", "1,234.50", "z"])
        // A well-formed note across lines is still one record.
        #expect(r[3].fields == ["4", "note\nover two lines", "w"])
        // The same whatever the block size (the blocks' cuts count quotes).
        let repeated = temporaryFile("a,b,c\n" + String(repeating: String(text.dropFirst(6)), count: 50))
        for (window, threads) in [(64, 1), (128, 2), (4096, 4)] {
            let (_, small) = try rows(repeated, threads: threads, window: window)
            #expect(small.count == 250 && small.filter { $0.problem != nil }.count == 50, "window \(window)")
            #expect(small.filter { $0.problem != nil }.map(\.raw) == Array(repeating: "1,\"x,y", count: 50))
        }
    }

    @Test func flagsAStrayQuoteAndCarriesOn() throws {
        let (_, r) = try rows(temporaryFile("a,b\n1,ab\"c\n2,\"x\"y\n3,ok\n"))
        #expect(r.map(\.problem) == [.badQuote, .badQuote, nil])
        #expect(r.map(\.line) == [2, 3, 4])
        #expect(r[2].fields == ["3", "ok"])
        #expect(r[0].raw == "1,ab\"c")
    }

    @Test func rejectsAnEmptyFile() throws {
        let empty = temporaryFile("")
        #expect(throws: CSVError.emptyFile(file: empty)) { try CSVReader(path: empty, dialect: CSVDialect()) }
        let bomOnly = temporaryFile([0xEF, 0xBB, 0xBF, 0x0A])
        #expect(throws: CSVError.emptyFile(file: bomOnly)) { try CSVReader(path: bomOnly, dialect: CSVDialect()) }
    }

    @Test func flagsBinaryRecordsAsNotText() throws {
        let bytes: [UInt8] = Array("a,b\n1,2\n".utf8) + [0x00, 0xFF, 0x2C, 0xFE, 0x0A] + Array("3,4\n".utf8)
        let (_, r) = try rows(temporaryFile(bytes))
        #expect(r.map(\.problem) == [nil, .notText, nil])
        #expect(r.map(\.line) == [2, 3, 4])
    }

    @Test func rejectsABinaryHeader() throws {
        let path = temporaryFile([0x89, 0x50, 0x4E, 0x47, 0x00, 0x0A, 0x01])
        #expect(throws: CSVError.badHeader(file: path, line: 1, reason: CSVRecordProblem.notText.message)) {
            try CSVReader(path: path, dialect: CSVDialect())
        }
    }

    @Test func readsRecordsLargerThanTheWindow() throws {
        let long = String(repeating: "x", count: 20_000)
        let (_, r) = try rows(temporaryFile("a,b\n1,\"\(long)\n\(long)\"\n2,y\n"), window: 4096)
        #expect(r.count == 2)
        #expect(r[0].fields[1].count == 40_001)
        #expect(r.map(\.line) == [2, 4])
    }
}

/// The SIGBUS handler the mapped reader installs: a mapped input cut short under a block being
/// read faults, and the handler must say so and end the process with exit 1 (the run folder is
/// written under a temporary name, so the previous outputs stay). Tried in a forked child,
/// whose every step after the fork is a system call or the handler itself.
@Suite struct SigbusTests {
    @Test func aFileCutShortUnderItsMappingEndsTheRunWithExitOne() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kam-sigbus-\(getpid()).csv").path
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        try #require(fd >= 0)
        unlink(path)
        defer { close(fd) }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        try #require(ftruncate(fd, off_t(4 * page)) == 0)
        let mapped = mmap(nil, 4 * page, PROT_READ, MAP_SHARED, fd, 0)
        try #require(mapped != MAP_FAILED && mapped != nil)
        defer { munmap(mapped, 4 * page) }
        var pipeEnds: [Int32] = [0, 0]
        // Close-on-exec, so that processes other tests start meanwhile do not hold the pipe open.
        try #require(pipe(&pipeEnds) == 0)
        for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        let far = UnsafeRawPointer(mapped!).advanced(by: 3 * page)
        let child = fork()
        if child == 0 {
            dup2(pipeEnds[1], 2)
            kam_install_sigbus_handler()
            _ = ftruncate(fd, 0)
            let byte = far.load(as: UInt8.self)
            _exit(byte == 0 ? 0 : 2)
        }
        close(pipeEnds[1])
        try #require(child > 0)
        // Other tests' signals may interrupt the wait and the read: both go on after EINTR.
        var message: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 512)
        while true {
            let n = read(pipeEnds[0], &chunk, chunk.count)
            if n > 0 { message += chunk.prefix(n) } else if n == 0 || errno != EINTR { break }
        }
        close(pipeEnds[0])
        var status: Int32 = 0, waited: pid_t = -1
        repeat { waited = waitpid(child, &status, 0) } while waited < 0 && errno == EINTR
        try #require(waited == child)
        // Exited (not killed by the signal), with status 1, saying what happened.
        #expect(status & 0x7F == 0 && (status >> 8) & 0xFF == 1)
        #expect(String(decoding: message, as: UTF8.self).contains("cut short"))
    }
}
