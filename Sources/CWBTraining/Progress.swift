import Foundation

/// A one-line progress bar with rate and ETA on a terminal (redrawn at most 10 times a
/// second); without a terminal (pipes, notebooks) it stays silent and the caller prints a
/// line per epoch instead.
public final class ProgressBar {
    private let total: Int
    private let label: String
    private let start = Date()
    private var lastDraw = Date.distantPast
    private let enabled: Bool

    public init(total: Int, label: String, enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.total = Swift.max(total, 1); self.label = label; self.enabled = enabled
    }

    public func update(_ done: Int, info: String = "") {
        guard enabled else { return }
        let now = Date()
        guard done >= total || now.timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = now
        let elapsed = now.timeIntervalSince(start)
        let rate = Double(done) / Swift.max(elapsed, 1e-9)
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let width = 24, filled = width * Swift.min(done, total) / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let line = "\r\(label) \(bar) \(done)/\(total)  \(String(format: "%.2f", rate)) it/s  ETA \(clock(eta))  \(info)"
        FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
    }

    public func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

/// Seconds as m:ss or h:mm:ss.
public func clock(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    let s = Int(seconds.rounded())
    return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
}
