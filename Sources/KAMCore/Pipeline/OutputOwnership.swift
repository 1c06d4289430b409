import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Why kam will not write to an output path: exit 2, before any work. Every case names the
/// path and what is there, so the user can tell a typo from a real conflict.
public enum OutputRefusal: Error, Sendable, Equatable {
    /// `output: ""` or `--out ""`.
    case emptyPath(setting: String)
    /// `.`, `..`, `~`, `/` or the home folder: never a run folder.
    case reservedPath(setting: String, written: String, path: String)
    case symlink(path: String, target: String)
    /// A regular file, a device, a socket…
    case notAFolder(path: String, kind: String)
    /// A folder with files kam did not write (`entries`: a few of them, `total`: how many).
    case foreignFolder(path: String, entries: [String], total: Int, reason: String)
    /// The output is, or holds, the pipeline file's folder or an input's folder.
    case holdsInputs(path: String, holds: String, what: String)
}

extension OutputRefusal: CustomStringConvertible {
    public var description: String {
        let advice = "choose a new or empty folder, or one an earlier kam run wrote"
        switch self {
        case .emptyPath(let setting):
            return "\(setting) is empty: refusing to write there (it would mean the current or the pipeline's folder); \(advice)"
        case .reservedPath(let setting, let written, let path):
            return "\(setting) '\(written)' is \(path): refusing to write a run folder there; \(advice)"
        case .symlink(let path, let target):
            return "\(path) is a symbolic link to \(target): refusing to replace it; point the output at a real folder"
        case .notAFolder(let path, let kind):
            return "\(path) is \(kind), not a run folder: refusing to replace it; \(advice)"
        case .foreignFolder(let path, let entries, let total, let reason):
            let shown = entries.joined(separator: ", ") + (total > entries.count ? ", … (\(total) entries)" : "")
            return "\(path) holds files kam did not write (\(shown)); \(reason): refusing to replace it; \(advice)"
        case .holdsInputs(let path, let holds, let what):
            return "\(path) is or contains \(what) (\(holds)): refusing to replace it; \(advice)"
        }
    }
}

/// The rule for output paths (ARCHITECTURE.md §9): kam writes into or replaces only a path
/// that does not exist, an empty folder, or a folder kam itself wrote — one whose
/// `manifest.json` names kam and lists every entry in the folder among its outputs.
public enum OutputOwnership {
    /// What a folder kam wrote must say in its `manifest.json`.
    public enum Expected: Sendable {
        /// A run folder (status ok) or a backtest folder.
        case runFolder
        /// A `<output>.failed/` diagnostics folder.
        case failedFolder
        /// A `kam generate` folder: only these files, `ground_truth.json` among them.
        case generatedData([String])
    }

    /// Refuses the output path as written when it can only be a mistake: empty, `.`, `..`,
    /// `~`, `/`, or the home folder. `setting` names where it came from (`output:`, `--out`).
    public static func checkWritten(_ written: String, resolved: String, setting: String) throws {
        if written.trimmingCharacters(in: .whitespaces).isEmpty { throw OutputRefusal.emptyPath(setting: setting) }
        let last = written.split(separator: "/").last.map(String.init) ?? "/"
        let home = FileManager.default.homeDirectoryForCurrentUser.standardizedFileURL.path
        if ["/", ".", "..", "~"].contains(last) || resolved == "/" || resolved == home {
            let what = resolved == "/" ? "the root folder" : resolved == home ? "your home folder" : "a reserved path"
            throw OutputRefusal.reservedPath(setting: setting, written: written, path: "\(what) (\(resolved))")
        }
    }

    /// Refuses `path` unless kam may write there (see the type's rule). `protected` are
    /// folders the output must neither be nor contain (the pipeline file's, each input's),
    /// with what each is.
    public static func check(_ path: String, protected: [(folder: String, what: String)], expected: Expected = .runFolder) throws {
        let real = realPath(path)
        for p in protected {
            let folder = realPath(p.folder)
            if folder == real || folder.hasPrefix(real == "/" ? "/" : real + "/") {
                throw OutputRefusal.holdsInputs(path: path, holds: folder, what: p.what)
            }
        }
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw RunFolder.Failure.io("\(path): cannot inspect the output: \(String(cString: strerror(errno)))")
        }
        switch info.st_mode & S_IFMT {
        case S_IFLNK:
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "an unreadable target"
            throw OutputRefusal.symlink(path: path, target: target)
        case S_IFDIR: break
        case S_IFREG: throw OutputRefusal.notAFolder(path: path, kind: "a regular file (\(info.st_size) bytes)")
        default: throw OutputRefusal.notAFolder(path: path, kind: "a special file (device, socket or pipe)")
        }
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        } catch {
            throw RunFolder.Failure.io("\(path): cannot list the output folder: \(ioReason(error))")
        }
        if entries.isEmpty { return }
        if let problem = kamWrote(path, entries: entries, expected: expected) {
            let foreign = problem.foreign.isEmpty ? entries : problem.foreign
            throw OutputRefusal.foreignFolder(path: path, entries: Array(foreign.prefix(3)), total: foreign.count, reason: problem.reason)
        }
    }

    /// nil when `folder` is one kam wrote; else why not and which entries are not kam's.
    static func kamWrote(_ folder: String, entries: [String], expected: Expected) -> (reason: String, foreign: [String])? {
        if case .generatedData(let files) = expected {
            let foreign = entries.filter { !files.contains($0) }
            if !foreign.isEmpty { return ("files kam generate does not write", foreign) }
            return entries.contains("ground_truth.json") ? nil : ("it has no ground_truth.json (not a folder kam generate wrote)", [])
        }
        guard entries.contains("manifest.json") else { return ("it has no manifest.json", []) }
        guard let object = kamManifest(folder) else { return ("its manifest.json was not written by kam", []) }
        let status = object["status"] as? String ?? "ok"
        switch expected {
        case .failedFolder where status != "failed": return ("it is a run folder, not a failed run's diagnostics", [])
        case .runFolder where status == "failed": return ("it holds a failed run's diagnostics", [])
        default: break
        }
        let outputs = Set((object["outputs"] as? [String] ?? []).map { String($0.split(separator: "/").first ?? "") })
        let foreign = entries.filter { !outputs.contains($0) && $0 != "manifest.json" }
        return foreign.isEmpty ? nil : ("files beyond those its manifest lists", foreign)
    }

    /// The folder's `manifest.json` when it is one kam wrote (its `tool` is kam).
    static func kamManifest(_ folder: String) -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: folder + "/manifest.json"),
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
            object["tool"] as? String == "kam"
        else { return nil }
        return object
    }

    /// The path with symbolic links resolved as far as it exists (the rest appended as is).
    static func realPath(_ path: String) -> String {
        var existing = URL(fileURLWithPath: path).standardizedFileURL
        var rest: [String] = []
        while existing.path != "/" && !FileManager.default.fileExists(atPath: existing.path) {
            rest.insert(existing.lastPathComponent, at: 0)
            existing.deleteLastPathComponent()
        }
        var resolved = existing.resolvingSymlinksInPath().path
        for part in rest { resolved += (resolved.hasSuffix("/") ? "" : "/") + part }
        return resolved
    }

    /// The operating system's reason inside a Foundation error, when it carries one.
    static func ioReason(_ error: any Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription
    }
}
