// swift-tools-version:6.0
// cwb — the colorization workbench. Dependencies point one way:
// CWBCore ← CWBNN ← CWBTraining ← CWBScript ← cwb; CWBImaging and CWBData sit beside CWBNN;
// CWBPlot depends on nothing but Foundation.
import PackageDescription

let package = Package(
    name: "cwb",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "cwb", targets: ["cwb"]),
        .library(name: "CWBCore", targets: ["CWBCore"]),
    ],
    targets: [
        // C libraries from Debian packages (see Makefile `deps`).
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng16",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", path: "Sources/CJPEG", pkgConfig: "libjpeg",
                       providers: [.apt(["libjpeg62-turbo-dev"])]),
        .systemLibrary(name: "CReadline", path: "Sources/CReadline",
                       providers: [.apt(["libreadline-dev"])]),
        // libjpeg reports errors by longjmp; Swift cannot setjmp, so a little C does it.
        .target(name: "CJPEGShim", dependencies: ["CJPEG"], path: "Sources/CJPEGShim"),

        .target(name: "CWBCore", dependencies: ["CBLAS"]),
        .target(name: "CWBImaging", dependencies: ["CWBCore", "CPNG", "CJPEGShim"]),
        .target(name: "CWBData", dependencies: ["CWBCore", "CWBImaging"]),
        .target(name: "CWBNN", dependencies: ["CWBCore"]),
        .target(name: "CWBPlot"),
        .target(name: "CWBTraining", dependencies: ["CWBCore", "CWBNN", "CWBImaging", "CWBData"]),
        .target(name: "CWBScript", dependencies: ["CWBCore", "CWBNN", "CWBImaging", "CWBData",
                                                  "CWBTraining", "CWBPlot"]),
        .target(name: "CWBBench", dependencies: ["CWBCore", "CWBNN", "CWBImaging", "CWBData", "CWBTraining"]),
        .executableTarget(name: "cwb", dependencies: ["CWBScript", "CWBBench", "CReadline"]),

        .testTarget(name: "CWBTrainingTests", dependencies: ["CWBTraining", "CWBImaging", "CWBNN", "CWBData"]),
        .testTarget(name: "CWBCoreTests", dependencies: ["CWBCore"],
                    exclude: ["make_fixtures.py"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CWBImagingTests", dependencies: ["CWBImaging", "CWBCore"],
                    exclude: ["Scripts"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CWBDataTests", dependencies: ["CWBData", "CWBImaging", "CWBCore"],
                    exclude: ["Scripts"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CWBNNTests", dependencies: ["CWBCore", "CWBNN"],
                    exclude: ["make_fixtures.py", "reference_models.py", "check_cwb_export.py"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "CWBScriptTests", dependencies: ["CWBScript"]),
        .testTarget(name: "CWBPlotTests", dependencies: ["CWBPlot"]),
    ],
    swiftLanguageModes: [.v5]
)
