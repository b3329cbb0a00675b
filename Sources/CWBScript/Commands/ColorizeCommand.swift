import CWBCore
import CWBImaging
import CWBNN
import CWBTraining
import Foundation

/// `cwb colorize IN... -o OUT [--model FILE] [--size N]`: colorizes photos of any size at full
/// resolution (ab predicted at the model's working size, joined with each photo's own L).
/// Folders are expanded to the PNG/JPEG files inside; a bad file is reported and skipped.
public enum ColorizeCommand {
    /// The shipped model: Models/colorizer.safetensors under the current folder, else in the
    /// repository the running cwb was built in (the nearest folder above the executable that
    /// has one: .build/<triple>/release/cwb sits four levels below the repository).
    public static var defaultModel: String {
        let shipped = "Models/colorizer.safetensors"
        if FileManager.default.fileExists(atPath: shipped) { return shipped }
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return shipped }
        var folder = URL(fileURLWithPath: executable).deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = folder.appendingPathComponent(shipped).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return shipped
    }

    static let usage = """
    usage: cwb colorize IN... -o OUT [--model FILE] [--size N] [--quality Q]
      IN     PNG/JPEG files or folders of them
      OUT    a file name (one input) or a folder (created if needed)
      --model  a model saved by save_weights (default \(defaultModel))
      --size   the network's working size, shorter side (default: the model's own, else 256)
    """

    public static func run(_ arguments: [String], log: (String) -> Void = { print($0) }) -> Int32 {
        var inputs: [String] = [], output: String?, modelPath = defaultModel, size: Int?, quality = 95
        var i = 0
        while i < arguments.count {
            let a = arguments[i], value = i + 1 < arguments.count ? arguments[i + 1] : nil
            switch a {
            case "-o", "--output": output = value; i += 2
            case "--model": modelPath = value ?? modelPath; i += 2
            case "--size": size = value.flatMap { Int($0) }; i += 2
            case "--quality": quality = value.flatMap { Int($0) } ?? quality; i += 2
            case "-h", "--help": log(usage); return 0
            default:
                if a.hasPrefix("-") { log("cwb colorize: unknown option \(a)\n\(usage)"); return 2 }
                inputs.append(a); i += 1
            }
        }
        guard let output, !inputs.isEmpty else { log(usage); return 2 }
        let model: Module, workingSize: Int
        do {
            guard FileManager.default.fileExists(atPath: modelPath) else {
                log("cwb colorize: no model at \(modelPath); pass --model FILE (a file written by save_weights; Models/train-colorizer.cwb makes the shipped one)")
                return 1
            }
            let loaded = try Checkpoint.loadModel(from: URL(fileURLWithPath: modelPath))
            model = loaded.model
            workingSize = size ?? loaded.metadata["working_size"].flatMap { Int($0) } ?? 256
        } catch {
            log("cwb colorize: \(modelPath): \(error)")
            return 1
        }
        let multiple = (model as? UNet)?.config.sizeMultiple ?? 32
        let files = expand(inputs, log: log)
        let single = files.count == 1 && ImageFormat.fromExtension(of: output) != nil
        if !single {
            do { try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true) } catch {
                log("cwb colorize: cannot create folder \(output): \(error)"); return 1
            }
        }
        var failures = 0
        let bar = ProgressBar(total: files.count, label: "colorize", enabled: files.count > 1 && isatty(STDERR_FILENO) == 1)
        for (k, file) in files.enumerated() {
            let started = Date()
            do {
                let image = try RGBImage.load(file)
                let result = try colorize(model, image, workingSize: workingSize, multiple: multiple)
                let target = single ? output : (output as NSString).appendingPathComponent(
                    ((file as NSString).lastPathComponent as NSString).deletingPathExtension + "." + outputExtension(file))
                try result.save(target, quality: quality)
                bar.finish()
                log(String(format: "[%d/%d] %@ → %@  %d×%d  %.2f s", k + 1, files.count, file, target,
                           image.width, image.height, Date().timeIntervalSince(started)))
            } catch {
                failures += 1
                bar.finish()
                log("[\(k + 1)/\(files.count)] \(file): skipped: \(error)")
            }
            bar.update(k + 1)
            if StopRequest.isRequested { log("cwb colorize: stopped after \(k + 1) of \(files.count)"); return 130 }
        }
        bar.finish()
        if failures > 0 { log("cwb colorize: \(files.count - failures) colorized, \(failures) failed") }
        return failures == 0 ? 0 : 1
    }

    /// Files as given, folders expanded to their PNG/JPEG files (sorted); missing paths are
    /// passed through so that loading reports them.
    static func expand(_ inputs: [String], log: (String) -> Void) -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for path in inputs {
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
                let names = (try? fm.contentsOfDirectory(atPath: path)) ?? []
                let images = names.filter { ImageFormat.fromExtension(of: $0) != nil }.sorted()
                if images.isEmpty { log("cwb colorize: \(path): no PNG or JPEG files") }
                out += images.map { (path as NSString).appendingPathComponent($0) }
            } else {
                out.append(path)
            }
        }
        return out
    }

    static func outputExtension(_ input: String) -> String {
        ImageFormat.fromExtension(of: input) == .png ? "png" : "jpg"
    }
}
