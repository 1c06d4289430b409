import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Reads an .xlsx back for the tests: each sheet's cells as text or number, with each
/// number's format code. Written from the Office Open XML layout, independently of kam's writer;
/// the zip entries are read with Python's standard `zipfile` (python3 is on every machine kam
/// is built on).
struct XLSXReader {
    enum Value: Equatable {
        case text(String)
        case number(Double, format: String)
    }

    /// Sheet name → rows (1-based row index → column index → value).
    var sheets: [String: [Int: [Int: Value]]] = [:]
    var sheetOrder: [String] = []

    init(path: String) throws {
        let names = Set(String(decoding: try Self.unzip(path, entry: nil), as: UTF8.self).split(separator: "\n").map(String.init))
        func read(_ name: String) throws -> Data {
            let data = try Self.unzip(path, entry: name)
            guard Elements(data).wellFormed else { throw CocoaError(.fileReadCorruptFile) }
            return data
        }
        let shared = names.contains("xl/sharedStrings.xml") ? Elements(try read("xl/sharedStrings.xml")).texts(of: "si") : []
        let styles = Elements(try read("xl/styles.xml"))
        var codes: [Int: String] = [0: "General", 3: "#,##0", 10: "0.00%", 14: "mm-dd-yy"]
        for f in styles.all("numFmt") { codes[Int(f["numFmtId"]!)!] = f["formatCode"]! }
        let cellFormats = styles.all("xf", inside: "cellXfs").map { codes[Int($0["numFmtId"] ?? "0")!] ?? "?" }
        let rels = Dictionary(uniqueKeysWithValues: Elements(try read("xl/_rels/workbook.xml.rels")).all("Relationship").map { ($0["Id"]!, $0["Target"]!) })
        for sheet in Elements(try read("xl/workbook.xml")).all("sheet") {
            let name = sheet["name"]!, target = rels[sheet["r:id"]!]!
            sheetOrder.append(name)
            var rows: [Int: [Int: Value]] = [:]
            for cell in Elements(try read("xl/" + target)).cells() {
                let (col, row) = Self.position(cell.ref)
                let value: Value
                switch cell.type {
                case "s": value = .text(shared[Int(cell.value)!])
                case "inlineStr", "str": value = .text(cell.value)
                default: value = .number(Double(cell.value)!, format: cellFormats[cell.style])
                }
                rows[row, default: [:]][col] = value
            }
            sheets[name] = rows
        }
    }

    /// An entry's bytes, or with no entry the names of all entries, one per line.
    static func unzip(_ path: String, entry: String?) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let script = entry == nil
            ? "import sys, zipfile; print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))"
            : "import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))"
        process.arguments = ["python3", "-c", script, path] + (entry.map { [$0] } ?? [])
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileReadCorruptFile) }
        return data
    }

    /// "AB12" → (27, 12): 0-based column, 1-based row.
    static func position(_ ref: String) -> (Int, Int) {
        var col = 0, digits = ""
        for c in ref {
            if c.isLetter { col = col * 26 + Int(c.asciiValue! - 64) } else { digits.append(c) }
        }
        return (col - 1, Int(digits)!)
    }
}

/// A small XML walk: elements with their attributes, and the text of cells and strings.
private final class Elements: NSObject, XMLParserDelegate {
    struct Cell {
        var ref: String
        var type: String
        var style: Int
        var value: String
    }

    private var elements: [(name: String, attributes: [String: String], parents: [String])] = []
    private var stack: [String] = []
    private var cellList: [Cell] = []
    private var current: Cell?
    private var textRuns: [String] = []
    private var collecting: String?
    private var textOf: [String: [String]] = [:]
    private var buffer = ""
    private(set) var wellFormed = false

    init(_ data: Data) {
        super.init()
        let parser = XMLParser(data: data)
        parser.delegate = self
        wellFormed = parser.parse()
    }

    func all(_ name: String, inside parent: String? = nil) -> [[String: String]] {
        elements.filter { $0.name == name && (parent == nil || $0.parents.contains(parent!)) }.map(\.attributes)
    }

    func cells() -> [Cell] { cellList }

    /// The concatenated text of each `name` element (a shared string's runs).
    func texts(of name: String) -> [String] { textOf[name] ?? [] }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        elements.append((name, attributes, stack))
        stack.append(name)
        if name == "c" { current = Cell(ref: attributes["r"]!, type: attributes["t"] ?? "n", style: Int(attributes["s"] ?? "0")!, value: "") }
        if name == "si" { collecting = "" }
        buffer = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { buffer += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        stack.removeLast()
        if name == "t" || name == "v" {
            if current != nil { current!.value += buffer }
            if collecting != nil { collecting! += buffer }
        }
        if name == "c", let c = current { cellList.append(c); current = nil }
        if name == "si", let text = collecting { textOf["si", default: []].append(text); collecting = nil }
        buffer = ""
    }
}
