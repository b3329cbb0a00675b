import Foundation

/// The photos shipped in the repository (Datasets/landscapes, made by
/// Datasets/make_dataset.py; origins and licences in Datasets/SOURCES.md). `train/` is for
/// training, `val/` is held out and never trained on.
public enum EmbeddedDataset {
    public static let relativePath = "Datasets/landscapes"

    /// The dataset folder, searched from `start` (default: the current directory) upwards.
    public static func root(from start: String = FileManager.default.currentDirectoryPath) throws -> String {
        var dir = URL(fileURLWithPath: start).standardizedFileURL
        while true {
            let candidate = dir.appendingPathComponent(relativePath)
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDir), isDir.boolValue { return candidate.path }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { break }
            dir = parent
        }
        throw DataError("\(relativePath) not found in \(start) or any folder above it (run cwb from the repository)")
    }

    public static func train(from start: String = FileManager.default.currentDirectoryPath) throws -> ImageFolderSource {
        try ImageFolderSource(root(from: start) + "/train")
    }

    public static func validation(from start: String = FileManager.default.currentDirectoryPath) throws -> ImageFolderSource {
        try ImageFolderSource(root(from: start) + "/val")
    }
}
