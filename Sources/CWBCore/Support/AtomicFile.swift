import Foundation

/// Files are written whole or not at all: to a hidden temporary file beside the target, then
/// renamed over it (rename is atomic within a file system), so a crash or a full disk never
/// leaves a half-written image, checkpoint, plot or report.
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public let description: String
    }

    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let tmp = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        do {
            try data.write(to: tmp)
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw WriteError(description: "\(path): cannot write (\(error.localizedDescription))")
        }
        if rename(tmp.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(tmp.path)
            throw WriteError(description: "\(path): cannot move the written file into place (\(reason))")
        }
    }
}
