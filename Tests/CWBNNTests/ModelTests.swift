import CWBCore
@testable import CWBNN
import Foundation
import XCTest

/// State dicts written by PyTorch (reference_models.py) load into cwb's models with the same
/// keys in the same order, and give the same eval-mode outputs.
final class ModelTests: XCTestCase {
    func check(_ name: String, _ model: Module, file: StaticString = #filePath, line: UInt = #line) throws {
        let fx = try fixture("models.safetensors")
        let sd = fx.section("\(name).sd")
        XCTAssertEqual(model.stateDict().keys, try fixtureKeyOrder("models.safetensors", name), "\(name): keys differ from PyTorch's state_dict", file: file, line: line)
        for (k, _, d) in model.stateDict() { XCTAssertEqual(sd.dtype(k), d, "\(name).\(k) dtype", file: file, line: line) }
        try model.load(stateDict: sd)
        model.eval()
        let y = try noGrad { try model(fx.require("\(name).x")) }
        assertClose(y, try fx.require("\(name).y"), rtol: 1e-4, atol: 2e-5, "\(name) output", file: file, line: line)
    }

    func testUNetFamilyMatchesPyTorch() throws {
        try check("unet", UNet(UNetConfig(base: 4, depth: 3)))
        try check("pix2pix", UNet(.pix2pix(base: 4, depth: 3)))
    }

    func testPatchGANsMatchPyTorch() throws {
        try check("patchgan", PatchGAN(PatchGANConfig(base: 4, layers: 3, norm: .batch)))
        try check("critic", PatchGAN(PatchGANConfig(base: 4, layers: 3, norm: .instance(affine: true))))
    }

    func testResUNetMatchesPyTorch() throws {
        try check("resunet", ResUNet(ResUNetConfig(base: 4, depth: 3)))
    }

    func testReferenceUNetHasTheBenchmarkParameterCount() throws {
        let m = try UNet(.reference)
        XCTAssertEqual(m.parameterCount, 20_564_162)
        XCTAssertEqual(m.namedParameters().first?.name, "down.0.0.weight")
    }

    func testSummaryListsLayersShapesAndTotals() throws {
        let m = try UNet(UNetConfig(base: 4, depth: 3))
        m.train()
        let s = try m.summary(inputShape: [1, 1, 16, 16])
        XCTAssertTrue(s.contains("down.0.0"), s)
        XCTAssertTrue(s.contains("[1, 4, 8, 8]"), s)
        XCTAssertTrue(s.contains("final"), s)
        XCTAssertTrue(s.contains("total parameters: \(grouped(m.parameterCount))"), s)
        XCTAssertTrue(m.isTraining && m.down[1].layers[1].isTraining, "summary must restore the mode")
    }

    func testDescriptionNestsLikePyTorch() throws {
        let d = try PatchGAN(PatchGANConfig(base: 4, layers: 1))
        let text = "\(d)"
        XCTAssertTrue(text.hasPrefix("PatchGAN(\n  (model): Sequential(\n    (0): Conv2d(3→4, 4×4, stride 2, pad 1)"), text)
        XCTAssertTrue(text.contains("(2): Conv2d(4→8, 4×4, stride 1, pad 1, no bias)"), text)
    }

    func testTrainEvalPropagatesToChildren() throws {
        let m = try ResUNet(ResUNetConfig(base: 4, depth: 2))
        m.eval()
        XCTAssertTrue(m.namedModules().allSatisfy { !$0.module.isTraining })
        m.train()
        XCTAssertTrue(m.namedModules().allSatisfy { $0.module.isTraining })
    }

    func testLoadReportsMissingUnexpectedAndMisshapenKeys() throws {
        let m = try UNet(UNetConfig(base: 4, depth: 3))
        var sd = m.stateDict()
        sd.remove("final.bias")
        sd.set("extra.weight", Tensor.zeros([1]))
        sd.set("down.0.0.weight", Tensor.zeros([4, 1, 3, 3]))
        XCTAssertThrowsError(try m.load(stateDict: sd)) { e in
            let s = "\(e)"
            XCTAssertTrue(s.contains("missing keys: final.bias"), s)
            XCTAssertTrue(s.contains("unexpected keys: extra.weight"), s)
            XCTAssertTrue(s.contains("down.0.0.weight") && s.contains("[4, 1, 3, 3]"), s)
        }
    }

    func testUNetRejectsSizesItCannotHalve() throws {
        let m = try UNet(UNetConfig(base: 4, depth: 3))
        XCTAssertThrowsError(try m(Tensor.zeros([1, 1, 12, 16]))) { e in XCTAssertTrue("\(e)".contains("multiples of 8"), "\(e)") }
        XCTAssertThrowsError(try m(Tensor.zeros([1, 3, 16, 16])))
    }

    /// Save (atomically) and load into a differently initialised model: identical outputs;
    /// a checkpoint with optimizer state restores both.
    func testCheckpointRoundTrip() throws {
        let a = try UNet(UNetConfig(base: 4, depth: 3), generator: RandomGenerator(seed: 1))
        let b = try UNet(UNetConfig(base: 4, depth: 3), generator: RandomGenerator(seed: 2))
        a.eval(); b.eval()
        let x = Tensor.randn([1, 1, 16, 16], generator: RandomGenerator(seed: 3))
        let url = temporaryURL("unet.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try Checkpoint.saveModel(a, to: url)
        try Checkpoint.loadModel(b, from: url)
        XCTAssertEqual(try noGrad { try a(x) }.scalars, try noGrad { try b(x) }.scalars)

        let opt = try Adam(a.namedParameters(), learningRate: 1e-3)
        a.train()
        try (try a(x)).mean().backward()
        try opt.step()
        try Checkpoint.save(models: ["generator": a], optimizers: ["generator_optimizer": opt], metadata: ["epoch": "1"], to: url)
        let c = try UNet(UNetConfig(base: 4, depth: 3), generator: RandomGenerator(seed: 4))
        let opt2 = try Adam(c.namedParameters(), learningRate: 1e-3)
        let meta = try Checkpoint.load(models: ["generator": c], optimizers: ["generator_optimizer": opt2], from: url)
        XCTAssertEqual(meta["epoch"], "1")
        XCTAssertEqual(opt2.stepCount, 1)
        XCTAssertEqual(c.stateDict()["down.1.1.running_mean"]?.scalars, a.stateDict()["down.1.1.running_mean"]?.scalars)
        XCTAssertThrowsError(try Checkpoint.load(models: ["critic": c], from: url))
    }

    /// Models saved by cwb rebuild from their own metadata with identical outputs, and carry
    /// exactly PyTorch's keys, shapes and dtypes. With CWBNN_EXPORT_DIR set, the files stay
    /// there for `check_cwb_export.py`, which loads them into PyTorch.
    func testExportForPyTorch() throws {
        let fx = try fixture("models.safetensors")
        let exportDir = ProcessInfo.processInfo.environment["CWBNN_EXPORT_DIR"].map { URL(fileURLWithPath: $0) }
        let dir = exportDir ?? temporaryURL("export")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { if exportDir == nil { try? FileManager.default.removeItem(at: dir) } }
        let g = RandomGenerator(seed: 11)
        let cases: [(String, Module, [Int])] = [
            ("unet", try UNet(UNetConfig(base: 4, depth: 3), generator: g), [2, 1, 16, 16]),
            ("pix2pix", try UNet(.pix2pix(base: 4, depth: 3), generator: g), [2, 1, 16, 16]),
            ("patchgan", try PatchGAN(PatchGANConfig(base: 4, layers: 3, norm: .batch), generator: g), [2, 3, 32, 32]),
            ("critic", try PatchGAN(PatchGANConfig(base: 4, layers: 3, norm: .instance(affine: true)), generator: g), [2, 3, 32, 32]),
            ("resunet", try ResUNet(ResUNetConfig(base: 4, depth: 3), generator: g), [2, 1, 16, 16]),
        ]
        for (name, model, shape) in cases {
            model.train()
            _ = try noGrad { try model(Tensor.randn(shape, generator: g)) }   // move the running statistics
            model.eval()
            let x = Tensor.randn(shape, generator: g)
            let y = try noGrad { try model(x) }
            let url = dir.appendingPathComponent("\(name).safetensors")
            try Checkpoint.saveModel(model, to: url)
            var io = StateDict()
            io.set("x", x); io.set("y", y)
            try SafeTensors.write(io, to: dir.appendingPathComponent("\(name).io.safetensors"))

            let (file, _) = try SafeTensors.read(contentsOf: url)
            let torch = fx.section("\(name).sd")
            XCTAssertEqual(Set(file.keys), Set(torch.keys), name)
            for k in torch.keys {
                XCTAssertEqual(file[k]?.shape, torch[k]?.shape, "\(name).\(k)")
                XCTAssertEqual(file.dtype(k), torch.dtype(k), "\(name).\(k)")
            }
            let (rebuilt, meta) = try Checkpoint.loadModel(from: url)
            XCTAssertEqual(meta["architecture"], (model as? DescribedModel)?.architecture["architecture"])
            XCTAssertEqual(try noGrad { try rebuilt(x) }.scalars, y.scalars, name)
        }
    }

    func testInitializations() throws {
        let g = RandomGenerator(seed: 5)
        let conv = try Conv2d(64, 64, kernel: 3, generator: g)
        let bound = 1 / Float(64 * 9).squareRoot()
        XCTAssertTrue(conv.weight.scalars.allSatisfy { abs($0) <= bound }, "PyTorch default init stays within ±1/√fan_in")
        let seq = Sequential(conv, try BatchNorm2d(64))
        initialize(seq, .normal(std: 0.02), generator: g)
        XCTAssertEqual(std(conv.weight.scalars), 0.02, accuracy: 0.001)
        XCTAssertEqual(conv.bias!.scalars, [Float](repeating: 0, count: 64))
        let bn = seq.layers[1] as! BatchNorm2d
        XCTAssertEqual(mean(bn.weight.scalars), 1, accuracy: 0.01)
        initialize(seq, .kaimingNormal(slope: 0), generator: g)
        XCTAssertEqual(std(conv.weight.scalars), (2 / Float(64 * 9)).squareRoot(), accuracy: 0.003)
    }

    private func mean(_ v: [Float]) -> Float { v.reduce(0, +) / Float(v.count) }
    private func std(_ v: [Float]) -> Float {
        let m = mean(v)
        return (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Float(v.count)).squareRoot()
    }
}
