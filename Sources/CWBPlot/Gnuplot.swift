import Foundation

/// Drives gnuplot through a pipe: the script (with inline datablocks) goes to its stdin;
/// `dumb` text comes back on stdout. PNGs are written to a temporary file next to the target
/// and renamed, so a plot is never left half-written.
public struct Gnuplot: Sendable {
    public let executable: String

    /// Finds `gnuplot` on `searchPath` (default: $PATH); throws a message naming the package.
    public init(searchPath: String? = nil) throws {
        let path = searchPath ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = String(dir) + "/gnuplot"
            if FileManager.default.isExecutableFile(atPath: candidate) {
                self.executable = candidate
                return
            }
        }
        throw PlotError("gnuplot not found on PATH: install it with 'apt-get install gnuplot-nox' (Debian package gnuplot-nox)")
    }

    /// Renders `spec`; returns the text for `.text` output and "" for PNG.
    @discardableResult
    public func render(_ spec: PlotSpec, to output: PlotOutput) throws -> String {
        switch output {
        case .text:
            return try run(script: try GnuplotScript.make(spec, terminal: output, file: nil))
        case let .png(path, _, _):
            let url = URL(fileURLWithPath: path)
            let dir = url.deletingLastPathComponent()
            do {
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            } catch {
                throw PlotError("plot: cannot create the folder of '\(path)': \(error.localizedDescription)")
            }
            let temp = dir.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
            defer { try? FileManager.default.removeItem(at: temp) }
            _ = try run(script: try GnuplotScript.make(spec, terminal: output, file: temp.path))
            guard FileManager.default.fileExists(atPath: temp.path) else {
                throw PlotError("plot: gnuplot wrote no file for '\(path)'")
            }
            // rename(2) replaces the target atomically: readers see the old or the new plot.
            guard rename(temp.path, url.path) == 0 else {
                throw PlotError("plot: cannot move the plot into '\(path)': \(String(cString: strerror(errno)))")
            }
            return ""
        }
    }

    /// Runs gnuplot on `script`; returns its stdout. Errors carry gnuplot's own message.
    public func run(script: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch {
            throw PlotError("plot: cannot start \(executable): \(error.localizedDescription)")
        }
        // Read both outputs while writing, so no pipe can fill up and stall gnuplot.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        DispatchQueue.global().async(group: group) { outData = output.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { errData = errors.fileHandleForReading.readDataToEndOfFile() }
        input.fileHandleForWriting.write(Data(script.utf8))
        try? input.fileHandleForWriting.close()
        group.wait()
        process.waitUntilExit()
        let err = String(decoding: errData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0 else {
            throw PlotError("plot: gnuplot failed (exit \(process.terminationStatus)): \(err)")
        }
        return String(decoding: outData, as: UTF8.self)
    }
}
