import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs `body` for `0..<count` on Dispatch's pool and returns the results in index order.
public func parallelMap<T: Sendable>(_ count: Int, threads: Int, _ body: @Sendable (Int) throws -> T) rethrows -> [T] {
    if count <= 1 || threads <= 1 { return try (0..<count).map(body) }
    let slots = ResultSlots<T>(count: count)
    DispatchQueue.concurrentPerform(iterations: count) { i in
        slots.set(i, Result { try body(i) })
    }
    return try slots.results.map { try $0!.get() }
}

/// One slot per task; each task writes only its own slot, and they are read after
/// `concurrentPerform` returns.
// @unchecked because every index is written by exactly one task before any read.
private final class ResultSlots<T>: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<Result<T, any Error>?>
    init(count: Int) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil)
    }
    func set(_ i: Int, _ value: Result<T, any Error>) { storage[i] = value }
    deinit { storage.deinitialize(); storage.deallocate() }
    func collect() -> [Result<T, any Error>?] { Array(storage) }
}

extension ResultSlots {
    var results: [Result<T, any Error>?] { collect() }
}

/// Runs `body` on a new thread of its own (not Dispatch's pool: the reader's producer and
/// workers block on each other, and a blocked pool thread is a core lost).
func spawnThread(_ body: @escaping @Sendable () -> Void) {
    final class Box: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    #if canImport(Glibc)
        var thread = pthread_t()
    #else
        var thread: pthread_t?
    #endif
    let status = pthread_create(&thread, nil, { context in
        Unmanaged<Box>.fromOpaque(context!).takeRetainedValue().body()
        return nil
    }, context)
    precondition(status == 0, "cannot start a thread (pthread_create: \(status))")
    #if canImport(Glibc)
        pthread_detach(thread)
    #else
        pthread_detach(thread!)
    #endif
}
