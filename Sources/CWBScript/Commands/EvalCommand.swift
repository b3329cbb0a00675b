import CWBCore
import CWBData
import CWBImaging
import CWBNN
import CWBPlot
import CWBTraining
import Foundation

/// `cwb eval --model FILE DIR [--size N] [--csv FILE] [--hist FILE.png]`: PSNR, SSIM and
/// colorfulness of a saved model on a folder of photos, per image and summarised, beside the
/// gray baseline.
public enum EvalCommand {
    static let usage = """
    usage: cwb eval --model FILE DIR [--size N] [--ssim uniform|gaussian] [--csv FILE] [--hist FILE.png]
    """

    public static func run(_ arguments: [String], log: (String) -> Void = { print($0) }) -> Int32 {
        var folder: String?, modelPath = ColorizeCommand.defaultModel, size: Int?, csv: String?, hist: String?
        var variant = SSIMVariant.uniform7
        var i = 0
        while i < arguments.count {
            let a = arguments[i], value = i + 1 < arguments.count ? arguments[i + 1] : nil
            switch a {
            case "--model": modelPath = value ?? modelPath; i += 2
            case "--size": size = value.flatMap { Int($0) }; i += 2
            case "--csv": csv = value; i += 2
            case "--hist": hist = value; i += 2
            case "--ssim": variant = value == "gaussian" ? .gaussian11 : .uniform7; i += 2
            case "-h", "--help": log(usage); return 0
            default:
                if a.hasPrefix("-") || folder != nil { log("cwb eval: unexpected \(a)\n\(usage)"); return 2 }
                folder = a; i += 1
            }
        }
        guard let folder else { log(usage); return 2 }
        do {
            let (model, metadata) = try Checkpoint.loadModel(from: URL(fileURLWithPath: modelPath))
            let workingSize = size ?? metadata["working_size"].flatMap { Int($0) } ?? 256
            let source = try ImageFolderSource(folder)
            let truths = try (0..<source.count).map { try source.sample(at: $0).rgbImage }
            let names = (0..<source.count).map { source.name(at: $0) }
            let report = try evaluate(model, truths: truths, names: names, workingSize: workingSize,
                                      multiple: (model as? UNet)?.config.sizeMultiple ?? 32, ssim: variant)
            var lines = ["image,psnr,ssim,colorfulness,gray_psnr,gray_ssim"]
            for k in 0..<names.count {
                lines.append([names[k], report.psnr.values[k], report.ssim.values[k], report.colorfulness.values[k],
                              report.baselinePSNR.values[k], report.baselineSSIM.values[k]].map { "\($0)" }.joined(separator: ","))
            }
            log(String(format: "%-36@ %8@ %7@ %8@   %8@ %7@", "image" as NSString, "PSNR" as NSString, "SSIM" as NSString,
                       "colour" as NSString, "gray PSNR" as NSString, "SSIM" as NSString))
            for k in 0..<names.count {
                log(String(format: "%-36@ %8.2f %7.4f %8.2f   %8.2f %7.4f", names[k] as NSString, report.psnr.values[k], report.ssim.values[k],
                           report.colorfulness.values[k], report.baselinePSNR.values[k], report.baselineSSIM.values[k]))
            }
            log(report.description)
            if let csv { try AtomicFile.write(Data((lines.joined(separator: "\n") + "\n").utf8), to: csv) }
            if let hist {
                let spec = PlotSpec(kind: .histogram(bins: 15),
                                    series: [PlotSeries(title: "model", y: report.psnr.values), PlotSeries(title: "gray baseline", y: report.baselinePSNR.values)],
                                    title: "PSNR per image", xlabel: "PSNR dB", ylabel: "images")
                try Gnuplot().render(spec, to: .png(path: hist, width: 800, height: 500))
            }
            return 0
        } catch {
            log("cwb eval: \(error)")
            return 1
        }
    }
}
