import Foundation

/// Progress lines on stderr, one per stage: rows, MB/s and time. Silent with `--quiet`.
public struct Progress: Sendable {
    public let quiet: Bool

    public init(quiet: Bool) { self.quiet = quiet }

    public func stage(_ name: String, rows: Int, bytes: Int? = nil, seconds: Double) {
        guard !quiet else { return }
        var line = "kam: \(name): \(rows) rows"
        if let bytes, bytes > 0 {
            let mb = Double(bytes) / 1_000_000
            line += String(format: ", %.1f MB at %.1f MB/s", mb, seconds > 0 ? mb / seconds : 0)
        }
        line += String(format: ", %.2f s\n", seconds)
        FileHandle.standardError.write(Data(line.utf8))
    }

    public func note(_ text: String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data("kam: \(text)\n".utf8))
    }
}
