// swift-tools-version: 6.2
import PackageDescription

/// Settings every target of ours shares: Swift 6 mode is the default of this tools version;
/// warnings are kept at zero by CI (`-warnings-as-errors` would also fail on dependencies).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "trainq",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "trainqd", targets: ["trainqd"]),
        .executable(name: "trainq", targets: ["trainq"]),
        .executable(name: "modelarts-sim", targets: ["modelarts-sim"]),
        .library(name: "ModelArts", targets: ["ModelArts"]),
        .library(name: "ModelArtsSimulator", targets: ["ModelArtsSimulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.30.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: ["JSON", "YAML"]),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.1"),
    ],
    targets: [
        // C boundary
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "CLinuxShims"),

        // Libraries
        .target(name: "JSONTree", swiftSettings: swiftSettings),
        .target(
            name: "ModelArts",
            dependencies: [
                "JSONTree",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "TrainQAPI", dependencies: ["JSONTree"], swiftSettings: swiftSettings),
        .target(
            name: "TrainQConnection",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TrainQDashboard",
            dependencies: [
                "TrainQAPI", "TrainQConnection",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [
                .embedInCode("Assets/index.html"), .embedInCode("Assets/dashboard.js"), .embedInCode("Assets/dashboard.css"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TrainQPostgres",
            dependencies: [
                "TrainQStore", "TrainQAPI", "JSONTree",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "TrainQStore",
            dependencies: [
                "CSQLite", "TrainQAPI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TrainQEngine",
            dependencies: [
                "ModelArts", "TrainQAPI", "TrainQStore",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TrainQServer",
            dependencies: [
                "CLinuxShims", "TrainQAPI", "TrainQStore", "TrainQPostgres", "TrainQEngine", "ModelArts", "JSONTree",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ModelArtsSimulator",
            dependencies: [
                "ModelArts", "JSONTree",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // Executables: thin, parse flags and run.
        .executableTarget(
            name: "trainqd",
            dependencies: [
                "CLinuxShims", "TrainQServer", "ModelArtsSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "trainq",
            dependencies: [
                "TrainQAPI", "JSONTree", "TrainQDashboard", "TrainQConnection",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "modelarts-sim",
            dependencies: [
                "ModelArtsSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // The load generator and probes of scripts/bench; blocking sockets only, no server code.
        .executableTarget(
            name: "trainq-bench",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),

        // Tests (Swift Testing)
        .testTarget(name: "ModelArtsTests", dependencies: ["ModelArts"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "JSONTreeTests", dependencies: ["JSONTree"], swiftSettings: swiftSettings),
        .testTarget(name: "TrainQAPITests", dependencies: ["TrainQAPI", "JSONTree"], swiftSettings: swiftSettings),
        /// What the store tests share: a throwaway PostgreSQL database per test.
        .target(
            name: "TrainQTestSupport",
            dependencies: [
                "TrainQPostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "TrainQStoreTests", dependencies: ["TrainQStore", "TrainQPostgres", "TrainQTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "TrainQPostgresTests",
            dependencies: [
                "TrainQPostgres", "TrainQTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(name: "TrainQCLITests", dependencies: ["trainq", "TrainQConnection"], swiftSettings: swiftSettings),
        .testTarget(name: "TrainQDashboardTests", dependencies: ["TrainQDashboard"], swiftSettings: swiftSettings),
        .testTarget(name: "TrainQEngineTests", dependencies: ["TrainQEngine", "ModelArtsSimulator"], swiftSettings: swiftSettings),
        .testTarget(
            name: "TrainQServerTests",
            dependencies: [
                "CLinuxShims", "TrainQServer", "TrainQEngine", "TrainQStore", "ModelArts", "TrainQAPI", "JSONTree",
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ModelArtsSimulatorTests",
            dependencies: [
                "ModelArtsSimulator", "ModelArts", "JSONTree",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "ModelArts", "TrainQAPI", "JSONTree", "TrainQPostgres", "TrainQTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
