import CFileSystem
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A run folder written atomically.
///
/// Files go to a temporary sibling folder, `.NAME.tmp-RUNID`, under an exclusive lock on
/// `.NAME.lock`. ``commit()`` swaps it with the output in one `renameat2(RENAME_EXCHANGE)`, so
/// at no instant is the output missing, then deletes the previous folder (now at the temporary
/// path). kam only ever replaces what ``OutputOwnership`` allows; a run that starts removes the
/// temporary folders that killed runs of the same output left behind (recognised by name and by
/// their marker file or kam manifest).
// @unchecked because writers share no mutable state: each stage writes files of its own (the
// report stage, the review pack and the workbook side by side, then the caller after the
// graph), every write opens its own file, and `commit()` runs after every writer has finished.
public final class RunFolder: @unchecked Sendable {
    public let destination: String
    public let temporary: String
    private let parent: String
    private let name: String
    private let expected: OutputOwnership.Expected
    private var lockDescriptor: Int32 = -1
    private var committed = false
    private var released = false

    /// A file in a temporary folder that says kam made it, and for which output.
    static let marker = ".kam-temporary"

    /// The steps of ``commit()``; `KAM_TEST_KILL_AT=<step>` makes the process exit at once at
    /// that step, as a kill would (the crash-safety tests use it).
    public enum CommitStep: String, CaseIterable, Sendable {
        case beforeSwap = "before-swap"
        case afterSwap = "after-swap"
        case afterRemovingPrevious = "after-removing-previous"
        /// The run folder is in place; the history's transaction is not committed yet.
        case beforeHistory = "before-history"
        /// Inside the history's transaction, with the run's accounts written and not its KPIs.
        case historyHalfWritten = "history-half-written"
    }

    public enum Failure: Error, CustomStringConvertible {
        case locked(String)
        case io(String)
        public var description: String {
            switch self {
            case .locked(let path):
                return "\(path): another run is writing this folder (its lock is held); retry when it has finished"
            case .io(let message): return message
            }
        }
    }

    /// - Parameter protected: folders the output must neither be nor contain (the pipeline
    ///   file's and the inputs'), checked with the ownership rule under the lock, before any
    ///   work.
    public init(
        destination: String, runId: String, protected: [(folder: String, what: String)] = [],
        expected: OutputOwnership.Expected = .runFolder
    ) throws {
        self.destination = URL(fileURLWithPath: destination).standardizedFileURL.path
        self.expected = expected
        let url = URL(fileURLWithPath: self.destination)
        parent = url.deletingLastPathComponent().path
        name = url.lastPathComponent
        temporary = parent + "/.\(name).tmp-\(runId)"
        try OutputOwnership.check(self.destination, protected: protected, expected: expected)
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw Failure.io("\(parent): cannot create the output's parent folder: \(OutputOwnership.ioReason(error))")
        }
        let lockPath = parent + "/.\(name).lock"
        lockDescriptor = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        if lockDescriptor < 0 { throw Failure.io("\(lockPath): cannot open the lock file: \(String(cString: strerror(errno)))") }
        if flock(lockDescriptor, LOCK_EX | LOCK_NB) != 0 {
            close(lockDescriptor)
            lockDescriptor = -1
            throw Failure.locked(self.destination)
        }
        // Under the lock: what is there now is what the commit will replace.
        try OutputOwnership.check(self.destination, protected: protected, expected: expected)
        removeLeftovers()
        guard mkdir(temporary, 0o755) == 0 else { throw Failure.io("\(temporary): cannot create: \(String(cString: strerror(errno)))") }
        try write(Self.marker, text: self.destination + "\n")
    }

    /// Path of a file inside the temporary folder.
    public func path(_ name: String) -> String { temporary + "/" + name }

    public func write(_ name: String, bytes: [UInt8]) throws {
        try write(name, pieces: { emit in try emit(bytes) })
    }

    public func write(_ name: String, text: String) throws { try write(name, bytes: Array(text.utf8)) }

    /// Writes a file piece by piece: `body` calls `emit` with each piece in order.
    public func write(_ name: String, pieces body: (_ emit: ([UInt8]) throws -> Void) throws -> Void) throws {
        let target = path(name)
        let folder = URL(fileURLWithPath: target).deletingLastPathComponent().path
        if folder != temporary {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw Failure.io("\(folder): cannot create: \(OutputOwnership.ioReason(error))")
            }
        }
        let file = try OutputFile(path: target)
        defer { file.close() }
        try body { try file.write($0) }
        try file.finish()
    }

    /// Swaps the finished folder into place and removes the previous one.
    public func commit() throws {
        Self.killPoint(.beforeSwap)
        unlink(path(Self.marker))
        try OutputOwnership.check(destination, protected: [], expected: expected)
        var info = stat()
        if lstat(destination, &info) == 0 {
            if kam_exchange_paths(temporary, destination) != 0 {
                let code = errno
                guard code == EINVAL || code == ENOSYS else {
                    throw Failure.io("\(destination): cannot swap the new run into place: \(String(cString: strerror(code)))")
                }
                try commitWithoutExchange()
            }
        } else if kam_rename_no_replace(temporary, destination) != 0 {
            throw Failure.io("\(destination): cannot move the new run into place: \(String(cString: strerror(errno)))")
        }
        committed = true
        Self.killPoint(.afterSwap)
        // The previous folder now sits at the temporary path: mark it as a leftover before
        // removing it, so a kill in between leaves something the next run recognises.
        _ = FileManager.default.createFile(atPath: path(Self.marker), contents: Data((destination + "\n").utf8))
        try? FileManager.default.removeItem(atPath: temporary)
        Self.killPoint(.afterRemovingPrevious)
    }

    /// For file systems that cannot exchange two paths: the previous folder is renamed aside
    /// and the new one renamed in, a moment in which the output is missing.
    private func commitWithoutExchange() throws {
        let aside = temporary + "-previous"
        guard rename(destination, aside) == 0 else {
            throw Failure.io("\(destination): cannot move the previous run aside: \(String(cString: strerror(errno)))")
        }
        guard rename(temporary, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            _ = rename(aside, destination)
            throw Failure.io("\(destination): cannot move the new run into place: \(reason)")
        }
        _ = rename(aside, temporary)
    }

    /// Removes `.NAME.tmp-*` folders of earlier, killed runs of this output: only those with
    /// kam's marker file or a kam manifest (we hold the lock, so none is being written).
    private func removeLeftovers() {
        let prefix = ".\(name).tmp-"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return }
        for entry in entries where entry.hasPrefix(prefix) {
            let folder = parent + "/" + entry
            var info = stat()
            guard lstat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { continue }
            let marked = FileManager.default.fileExists(atPath: folder + "/" + Self.marker)
            if marked || OutputOwnership.kamManifest(folder) != nil { try? FileManager.default.removeItem(atPath: folder) }
        }
    }

    static func killPoint(_ step: CommitStep) {
        if ProcessInfo.processInfo.environment["KAM_TEST_KILL_AT"] == step.rawValue { _exit(137) }
    }

    /// Removes the temporary folder if the run did not commit, and releases the output's lock.
    /// The runner calls it as it returns: the stage threads may still hold the folder a moment
    /// longer, and the next run of the same output must not find the lock taken. Idempotent;
    /// call it once the stages are done.
    public func release() {
        guard !released else { return }
        released = true
        if !committed { try? FileManager.default.removeItem(atPath: temporary) }
        if lockDescriptor >= 0 {
            flock(lockDescriptor, LOCK_UN)
            close(lockDescriptor)
            lockDescriptor = -1
        }
    }

    deinit { release() }
}

/// A new file written with POSIX calls, so that a failure names the operating system's
/// reason ("No space left on device").
struct OutputFile {
    let path: String
    private let descriptor: Int32

    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw RunFolder.Failure.io("\(path): cannot create: \(String(cString: strerror(errno)))") }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw RunFolder.Failure.io("\(path): cannot write: \(String(cString: strerror(errno)))")
                }
                offset += n
            }
        }
    }

    /// Flushes to disk, so that a full disk shows here and not after the commit.
    func finish() throws {
        if fsync(descriptor) != 0 && errno != EINVAL {
            throw RunFolder.Failure.io("\(path): cannot write: \(String(cString: strerror(errno)))")
        }
    }

    func close() { _ = Glibc.close(descriptor) }
}
