import XCTest
import CWBCore
import CWBNN
import CWBData
@testable import CWBTraining

final class TrainingLoopTests: XCTestCase {
    /// A small L → ab network and a fixed batch whose ab is a smooth function of L.
    func makeProblem(initSeed: UInt64 = 3) throws -> (Module, FixedBatches) {
        manualSeed(initSeed)
        let model = Sequential([try Conv2d(1, 8, kernel: 3, padding: 1), LeakyReLU(0.2),
                                try Conv2d(8, 2, kernel: 3, padding: 1), Tanh()])
        let rng = RandomGenerator(seed: 3)
        let L = Tensor.uniform([4, 1, 8, 8], low: -1, high: 1, generator: rng)
        let ab = try Tensor.concat([L * 0.5, (L * L) * 0.3 - 0.1], axis: 1)
        return (model, FixedBatches([Batch(l: L, ab: ab)]))
    }

    func l1Terms(_ batch: Batch, _ prediction: Tensor) throws -> [String: Tensor] {
        ["loss": try l1Loss(prediction, batch.ab)]
    }

    func quietOptions(_ epochs: Int) -> TrainingOptions {
        var o = TrainingOptions(epochs: epochs)
        o.log = { _ in }; o.progressBar = false
        return o
    }

    func testSupervisedLossFallsAndHistoryRecordsEverything() throws {
        let (model, data) = try makeProblem()
        let regime = SupervisedRegime(model: model, optimizer: try Adam(model.namedParameters(), learningRate: 1e-2), loss: l1Terms)
        var epochsValidated: [Int] = []
        let h = try train(regime, data: data, options: quietOptions(60)) { epoch in
            epochsValidated.append(epoch); return ["score": Double(epoch)]
        }
        let losses = h.epochSeries("loss")
        XCTAssertEqual(losses.count, 60)
        XCTAssertEqual(h.steps.count, 60)
        XCTAssertLessThan(losses.last!, losses.first! / 3, "loss should fall: \(losses.first!) → \(losses.last!)")
        XCTAssertEqual(epochsValidated, Array(0..<60))
        XCTAssertEqual(h.epochSeries("val_score").last, 59)
        XCTAssertNil(h.stopReason)
        XCTAssertFalse(model.isTraining, "modules end in eval mode")
    }

    func testResumeFromCheckpointContinuesExactly() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cwb-ckpt-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Uninterrupted: 6 epochs.
        let (m1, d1) = try makeProblem()
        let r1 = SupervisedRegime(model: m1, optimizer: try Adam(m1.namedParameters(), learningRate: 1e-2), loss: l1Terms)
        let full = try train(r1, data: d1, options: quietOptions(6))
        // Interrupted after 3 epochs (checkpoint), then resumed in a fresh model to 6.
        let (m2, d2) = try makeProblem()
        var o = quietOptions(3); o.checkpointPath = path
        _ = try train(SupervisedRegime(model: m2, optimizer: try Adam(m2.namedParameters(), learningRate: 1e-2), loss: l1Terms), data: d2, options: o)
        let (m3, d3) = try makeProblem(initSeed: 99)   // different initial weights: the checkpoint must overwrite them
        o.epochs = 6; o.resume = true
        let resumed = try train(SupervisedRegime(model: m3, optimizer: try Adam(m3.namedParameters(), learningRate: 1e-2), loss: l1Terms), data: d3, options: o)
        XCTAssertEqual(resumed.epochs.count, 6)
        XCTAssertEqual(resumed.epochSeries("loss").last!, full.epochSeries("loss").last!, accuracy: 1e-6)
        for (a, b) in zip(m1.parameters, m3.parameters) { XCTAssertEqual(a.scalars, b.scalars) }
    }

    /// With a weight average the loop folds every step into it, validates the average, leaves
    /// it in the model at the end, and a resumed run ends with the same average.
    func testWeightAverageIsValidatedLeftInTheModelAndResumed() throws {
        let decay: Float = 0.9
        // Reference: the same run without averaging, averaging its weights by hand per step.
        let (m0, d0) = try makeProblem()
        let r0 = SupervisedRegime(model: m0, optimizer: try Adam(m0.namedParameters(), learningRate: 1e-2), loss: l1Terms)
        var expected = m0.parameters.map(\.scalars)
        for _ in 0..<5 {
            _ = try train(r0, data: d0, options: quietOptions(1))
            for (i, p) in m0.parameters.enumerated() {
                expected[i] = zip(expected[i], p.scalars).map { decay * $0 + (1 - decay) * $1 }
            }
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cwb-ema-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (m1, d1) = try makeProblem()
        var o = quietOptions(3); o.checkpointPath = path
        o.average = try WeightAverage(m1, decay: decay)
        var validated: [[Float]] = []
        _ = try train(SupervisedRegime(model: m1, optimizer: try Adam(m1.namedParameters(), learningRate: 1e-2), loss: l1Terms),
                      data: d1, options: o) { _ in validated.append(m1.parameters[0].scalars); return [:] }
        let (m2, d2) = try makeProblem(initSeed: 99)
        o.epochs = 5; o.resume = true; o.average = try WeightAverage(m2, decay: decay)
        _ = try train(SupervisedRegime(model: m2, optimizer: try Adam(m2.namedParameters(), learningRate: 1e-2), loss: l1Terms),
                      data: d2, options: o) { _ in validated.append(m2.parameters[0].scalars); return [:] }
        for (p, e) in zip(m2.parameters, expected) {
            for (a, b) in zip(p.scalars, e) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        }
        XCTAssertEqual(validated.count, 5)
        for (a, b) in zip(validated.last!, expected[0]) { XCTAssertEqual(a, b, accuracy: 1e-5, "validation sees the average") }
        XCTAssertThrowsError(try WeightAverage(m2, decay: 1))
    }

    func testNonFiniteLossStopsBeforeUpdating() throws {
        let (model, data) = try makeProblem()
        let regime = SupervisedRegime(model: model, optimizer: try SGD(model.namedParameters(), learningRate: 0.1)) { batch, p in
            ["loss": try l1Loss(p, batch.ab) * Float.nan]
        }
        let before = model.parameters.map(\.scalars)
        let h = try train(regime, data: data, options: quietOptions(5))
        XCTAssertNotNil(h.stopReason)
        XCTAssertTrue(h.stopReason!.contains("nan"), h.stopReason!)
        XCTAssertEqual(model.parameters.map(\.scalars), before, "no update may be applied from a NaN loss")
    }

    func testStopRequestReturnsHistorySoFar() throws {
        StopRequest.clear()
        defer { StopRequest.clear() }
        let (model, data) = try makeProblem()
        var calls = 0
        let regime = SupervisedRegime(model: model, optimizer: try Adam(model.namedParameters())) { batch, p in
            calls += 1
            if calls == 3 { StopRequest.request() }
            return ["loss": try l1Loss(p, batch.ab)]
        }
        let h = try train(regime, data: data, options: quietOptions(100))
        XCTAssertEqual(h.steps.count, 3)
        XCTAssertTrue(h.stopReason?.contains("stop requested") ?? false)
        XCTAssertTrue(StopRequest.isRequested, "the request stays set for an enclosing script loop")
        StopRequest.clear()
    }

    func testGANRegimesStepAndTrainTheirCritics() throws {
        let (g, data) = try makeProblem()
        func patchCritic() throws -> Module {
            Sequential([try Conv2d(3, 8, kernel: 4, stride: 2, padding: 1), LeakyReLU(0.2),
                        try InstanceNorm2d(8, affine: true), try Conv2d(8, 1, kernel: 3, padding: 1)])
        }
        let d = try patchCritic()
        let p2p = Pix2PixRegime(generator: g, discriminator: d,
                                generatorOptimizer: try Adam(g.namedParameters(), learningRate: 2e-4),
                                discriminatorOptimizer: try Adam(d.namedParameters(), learningRate: 2e-4)) { b, p in
            ["loss": try l1Loss(p, b.ab) * 100]
        }
        let h1 = try train(p2p, data: data, options: quietOptions(2))
        XCTAssertEqual(Set(h1.steps[0].losses.keys), ["loss", "g_loss", "g_gan", "d_loss"])

        let c = try patchCritic()
        let before = c.parameters.map(\.scalars)
        let wgan = try WGANGPRegime(generator: g, critic: c,
                                    generatorOptimizer: try Adam(g.namedParameters(), learningRate: 1e-4),
                                    criticOptimizer: try Adam(c.namedParameters(), learningRate: 1e-4), criticSteps: 3) { b, p in
            ["loss": try l1Loss(p, b.ab)]
        }
        let h2 = try train(wgan, data: data, options: quietOptions(2))
        XCTAssertEqual(Set(h2.steps[0].losses.keys), ["loss", "g_loss", "g_adv", "c_loss", "wasserstein", "gp"])
        XCTAssertNotEqual(c.parameters.map(\.scalars), before, "the critic must have been updated")
        XCTAssertGreaterThan(h2.steps[0].losses["gp"]!, 0)
    }
}
