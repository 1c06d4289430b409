import Dispatch
import Synchronization

/// A bounded hand-off from one producer thread to one consumer: `push` blocks while `capacity`
/// items wait; `pop` blocks until an item comes. `nil` from `pop` is the end; an error is
/// rethrown. `cancel` releases a blocked producer (its pushes then return false).
final class HandOff<Value: Sendable>: Sendable {
    private struct State {
        var items: [Result<Value?, any Error>] = []
        var cancelled = false
    }
    private let state = Mutex(State())
    private let slots: DispatchSemaphore
    private let available = DispatchSemaphore(value: 0)

    init(capacity: Int) { slots = counting(capacity) }

    /// False when the consumer has cancelled.
    @discardableResult
    func push(_ item: Result<Value?, any Error>) -> Bool {
        slots.wait()
        let accepted = state.withLock { s -> Bool in
            if s.cancelled { return false }
            s.items.append(item)
            return true
        }
        if accepted { available.signal() } else { slots.signal() }
        return accepted
    }

    func push(_ value: Value) -> Bool { push(.success(value)) }

    func pop() throws -> Value? {
        available.wait()
        let item = state.withLock { $0.items.removeFirst() }
        slots.signal()
        return try item.get()
    }

    /// Stops accepting items and frees a producer waiting for a slot.
    func cancel() {
        state.withLock { $0.cancelled = true; $0.items.removeAll() }
        slots.signal()
    }
}

/// Hands the reader to its producer thread.
// @unchecked because only the producer touches the reader's reading state until forEachBatch
// returns, and forEachBatch waits for the producer before returning.
struct ProducerBox: @unchecked Sendable {
    let reader: CSVReader
}

/// A semaphore holding `count`, created at 0 and signalled up: libdispatch traps when a
/// semaphore is freed below the value it was created with, which a cancelled hand-off is.
func counting(_ count: Int) -> DispatchSemaphore {
    let semaphore = DispatchSemaphore(value: 0)
    for _ in 0..<count { semaphore.signal() }
    return semaphore
}
