import CWBCore
import Foundation

/// Wall-clock measurement: warm-up runs, then the median of `runs` timed runs.
public struct Measurement: Codable, Sendable {
    public let name: String
    public let medianSeconds: Double
    public let minSeconds: Double
    public let runs: Int
    public let flops: Double?
    public var gflops: Double? { flops.map { $0 / medianSeconds / 1e9 } }
}

public func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

public func measure(_ name: String, flops: Double? = nil, warmup: Int = 2, runs: Int = 7,
                    _ body: () throws -> Void) rethrows -> Measurement {
    for _ in 0..<warmup { try body() }
    var times: [Double] = []
    for _ in 0..<runs {
        let t0 = now()
        try body()
        times.append(now() - t0)
    }
    times.sort()
    return Measurement(name: name, medianSeconds: times[times.count / 2], minSeconds: times[0], runs: runs, flops: flops)
}

/// Peak resident set size of this process so far, in bytes (Linux ru_maxrss is in KiB).
public func peakRSSBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Int(usage.ru_maxrss) * 1024
}

/// Writes `text` to `path` (creating its folder) through the core's AtomicFile.
func writeAtomically(_ text: String, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try AtomicFile.write(Data(text.utf8), to: path)
}
