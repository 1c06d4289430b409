import Foundation
import KAMCore

// kam's fuzz target. Built by `make fuzz` with `-sanitize=fuzzer -DKAM_LIBFUZZER`, it hands
// itself to libFuzzer, which calls `fuzzOneInput` with inputs it mutates, guided by coverage.
// Built plainly (`swift build`), it replays the files named on its command line.

/// One input through the reader, a cleaner and the book (``FuzzHarness``).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzHarness.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

@main
struct KamFuzz {
    static func main() throws {
        #if KAM_LIBFUZZER
            // libFuzzer's entry (LLVM ≥ 11), looked up at run time (`make fuzz` links with
            // --export-dynamic so it is visible): Swift cannot declare a C function without a
            // header, and this is the only one needed.
            typealias Driver =
                @convention(c) (
                    UnsafeMutablePointer<CInt>, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                    @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
                ) -> CInt
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "LLVMFuzzerRunDriver") else {
                fatalError("kam-fuzz: libFuzzer's LLVMFuzzerRunDriver is not linked in (build with -sanitize=fuzzer)")
            }
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            exit(unsafeBitCast(symbol, to: Driver.self)(&argc, &argv, fuzzOneInput))
        #else
            var count = 0
            for path in CommandLine.arguments.dropFirst() {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
                _ = bytes.withUnsafeBytes { fuzzOneInput($0.baseAddress?.assumingMemoryBound(to: UInt8.self), $0.count) }
                count += 1
            }
            print("kam-fuzz: replayed \(count) inputs without a crash")
        #endif
    }
}
