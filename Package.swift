// swift-tools-version: 6.2
import PackageDescription

/// Swift 6 language mode (strict concurrency) and no warnings, for our targets only.
let strict: [SwiftSetting] = [.swiftLanguageMode(.v6), .treatAllWarnings(as: .error)]

let package = Package(
    name: "kam",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "kam", targets: ["kam"]),
        .library(name: "KAMCore", targets: ["KAMCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // kam's parse loops and libcsv callbacks in C, over Debian's libcsv-dev (csv.h and
        // libcsv.so, no pkg-config file; `make setup` installs it). Only CSVIO uses it.
        .target(name: "CLibcsv", linkerSettings: [.linkedLibrary("csv")]),
        // Debian's libxlsxwriter-dev (`make setup` installs it), for finance.xlsx.
        .systemLibrary(name: "CXlsxwriter"),
        // finance.xlsx deflated at level 1: libxlsxwriter has no setting (deflate_level.c).
        .target(name: "CXlsxwriterLevel", linkerSettings: [.linkedLibrary("dl")]),
        // File-system calls Swift's Glibc module does not declare: renameat2, a SIGBUS guard.
        .target(name: "CFileSystem"),
        // The only module that calls libcsv: streaming, chunk-parallel reading and RFC 4180 writing.
        .target(name: "CSVIO", dependencies: ["CLibcsv", "CFileSystem"], swiftSettings: strict),
        // The pipeline: config, stages (ingest, clean, segment, value, churn, report), runner.
        .target(
            name: "KAMCore",
            dependencies: [
                "CSVIO", "CFileSystem", .product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Mustache", package: "swift-mustache"), "CXlsxwriter",
                "CXlsxwriterLevel",
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "kam",
            dependencies: ["KAMCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict
        ),
        // Release-built benchmark driver for `make bench` (not part of the test suite).
        .executableTarget(name: "kam-bench", dependencies: ["KAMCore", "CSVIO"], swiftSettings: strict),
        // The fuzz target over the reader and the cleaners (`make fuzz`; see FuzzEntry.swift).
        .executableTarget(name: "kam-fuzz", dependencies: ["KAMCore"], swiftSettings: strict),
        .testTarget(name: "CSVIOTests", dependencies: ["CSVIO"], swiftSettings: strict),
        .testTarget(
            name: "KAMCoreTests",
            dependencies: ["KAMCore", "CSVIO", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
    ]
)
