import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A run folder written atomically: files go to a temporary sibling folder that is renamed
/// into place at the end, under an exclusive lock, so a failed or concurrent run never leaves
/// a half-written folder and the previous run's folder stays as it was until the rename.
public final class RunFolder {
    public let destination: String
    public let temporary: String
    private var lockDescriptor: Int32 = -1
    private var committed = false

    public enum Failure: Error, CustomStringConvertible {
        case locked(String)
        case io(String)
        public var description: String {
            switch self {
            case .locked(let path): return "\(path): another kam run is writing this folder (lock held)"
            case .io(let message): return message
            }
        }
    }

    public init(destination: String, runId: String) throws {
        self.destination = URL(fileURLWithPath: destination).standardizedFileURL.path
        let parent = URL(fileURLWithPath: self.destination).deletingLastPathComponent().path
        let name = URL(fileURLWithPath: self.destination).lastPathComponent
        temporary = parent + "/.\(name).tmp-\(runId)"
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw Failure.io("\(parent): cannot create the output's parent folder: \(error.localizedDescription)")
        }
        let lockPath = parent + "/.\(name).lock"
        lockDescriptor = open(lockPath, O_CREAT | O_RDWR, 0o644)
        if lockDescriptor < 0 { throw Failure.io("\(lockPath): cannot open lock file: \(String(cString: strerror(errno)))") }
        if flock(lockDescriptor, LOCK_EX | LOCK_NB) != 0 {
            close(lockDescriptor)
            lockDescriptor = -1
            throw Failure.locked(self.destination)
        }
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        } catch {
            throw Failure.io("\(temporary): cannot create: \(error.localizedDescription)")
        }
    }

    /// Path of a file inside the temporary folder.
    public func path(_ name: String) -> String { temporary + "/" + name }

    public func write(_ name: String, bytes: [UInt8]) throws {
        let target = path(name)
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: target).deletingLastPathComponent().path, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: target, contents: Data(bytes)) else {
            throw Failure.io("\(target): cannot write")
        }
    }

    /// Writes a file piece by piece: `body` calls `emit` with each piece in order.
    public func write(_ name: String, pieces body: (_ emit: ([UInt8]) throws -> Void) throws -> Void) throws {
        let target = path(name)
        guard FileManager.default.createFile(atPath: target, contents: nil), let handle = FileHandle(forWritingAtPath: target) else {
            throw Failure.io("\(target): cannot write")
        }
        defer { try? handle.close() }
        do {
            try body { try handle.write(contentsOf: $0) }
        } catch let error as Failure {
            throw error
        } catch {
            throw Failure.io("\(target): \(error)")
        }
    }

    public func write(_ name: String, text: String) throws { try write(name, bytes: Array(text.utf8)) }

    /// Moves the finished folder into place: the old folder is set aside, the new one renamed
    /// in, the old one removed.
    public func commit() throws {
        let aside = temporary + ".previous"
        let fm = FileManager.default
        if fm.fileExists(atPath: destination) {
            guard rename(destination, aside) == 0 else { throw Failure.io("\(destination): cannot move the previous run aside: \(String(cString: strerror(errno)))") }
        }
        guard rename(temporary, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            if fm.fileExists(atPath: aside) { _ = rename(aside, destination) }
            throw Failure.io("\(destination): cannot move the new run into place: \(reason)")
        }
        try? fm.removeItem(atPath: aside)
        committed = true
    }

    deinit {
        if !committed { try? FileManager.default.removeItem(atPath: temporary) }
        if lockDescriptor >= 0 {
            flock(lockDescriptor, LOCK_UN)
            close(lockDescriptor)
        }
    }
}
