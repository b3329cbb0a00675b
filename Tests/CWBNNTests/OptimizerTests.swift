import CWBCore
@testable import CWBNN
import XCTest

/// Ten steps of each optimizer on sum(w·(p−t)²) + 0.1·sum(p⁴) against torch.optim (to 1e-5).
final class OptimizerTests: XCTestCase {
    struct Problem {
        let fx: StateDict
        let params: [(name: String, tensor: Tensor)]
        init() throws {
            fx = try fixture("optim.safetensors")
            params = [("p0", try fx.require("p0").copy()), ("p1", try fx.require("p1").copy())]
            for p in params { p.tensor.requiresGrad = true }
        }
        func lossAndBackward() throws {
            var total = Tensor(0)
            for (i, p) in params.enumerated() {
                let d = try p.tensor - fx.require("t\(i)")
                total = try total + (try fx.require("w\(i)") * (d * d)).sum() + p.tensor.pow(4).sum() * 0.1
            }
            try total.backward()
        }
    }

    func run(_ name: String, steps: ClosedRange<Int> = 1...10, problem: Problem? = nil,
             _ make: ([(name: String, tensor: Tensor)]) throws -> Optimizer) throws {
        let pr = try problem ?? Problem()
        let opt = try make(pr.params)
        for k in steps {
            opt.zeroGrad()
            try pr.lossAndBackward()
            try opt.step()
            for p in pr.params {
                assertClose(p.tensor, try pr.fx.require("\(name).\(k).\(p.name)"), rtol: 1e-5, atol: 1e-5, "\(name) step \(k) \(p.name)")
            }
        }
    }

    func testSGD() throws {
        try run("sgd") { try SGD($0, learningRate: 0.05) }
        try run("sgd_momentum") { try SGD($0, learningRate: 0.05, momentum: 0.9, weightDecay: 0.01) }
        try run("sgd_nesterov") { try SGD($0, learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01) }
    }

    func testAdam() throws {
        try run("adam") { try Adam($0, learningRate: 0.01, weightDecay: 0.01) }
        try run("adam_clip") { try Adam($0, learningRate: 0.01, clipNorm: 1) }
    }

    func testRAdam() throws {
        try run("radam") { try RAdam($0, learningRate: 0.01) }
        try run("radam_betas") { try RAdam($0, learningRate: 0.01, beta1: 0.8, beta2: 0.99, weightDecay: 0.01) }
    }

    /// Five steps, save the state, restore it into a new optimizer, five more: same as ten.
    func testStateSaveAndResume() throws {
        let pr = try Problem()
        let first = try Adam(pr.params, learningRate: 0.01, weightDecay: 0.01)
        for _ in 1...5 { first.zeroGrad(); try pr.lossAndBackward(); try first.step() }
        let url = temporaryURL("adam.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try SafeTensors.write(first.stateDict(), to: url)
        try run("adam", steps: 6...10, problem: pr) { ps in
            let o = try Adam(ps, learningRate: 0.01, weightDecay: 0.01)
            try o.load(stateDict: SafeTensors.read(contentsOf: url).tensors)
            XCTAssertEqual(o.stepCount, 5)
            return o
        }
    }

    func testCorruptStateIsAnError() throws {
        let a = Tensor.ones([2])
        let opt = try Adam([("a", a)])
        var sd = StateDict()
        sd.set("step", Tensor(.nan), dtype: .f32)
        XCTAssertThrowsError(try opt.load(stateDict: sd))
        sd.set("step", Tensor(3), dtype: .i64)
        sd.set("exp_avg.a", Tensor.zeros([3]))
        XCTAssertThrowsError(try opt.load(stateDict: sd)) { e in XCTAssertTrue("\(e)".contains("exp_avg.a"), "\(e)") }
        XCTAssertEqual(opt.stepCount, 0)
    }

    func testClipGradNorm() throws {
        let a = Tensor.zeros([2]), b = Tensor.zeros([1])
        a.grad = try Tensor(shape: [2], scalars: [3, 0]); b.grad = try Tensor(shape: [1], scalars: [4])
        XCTAssertEqual(clipGradNorm([a, b], maxNorm: 1), 5, accuracy: 1e-6)
        XCTAssertEqual(a.grad!.scalars[0], 0.6, accuracy: 1e-5)
        XCTAssertEqual(b.grad!.scalars[0], 0.8, accuracy: 1e-5)
    }

    func testSchedules() {
        XCTAssertEqual(LRSchedule.step(stepSize: 10, gamma: 0.5).rate(epoch: 25, base: 1), 0.25)
        let d = LRSchedule.decayAfter(epoch: 20, factor: exp(-0.1))
        XCTAssertEqual(d.rate(epoch: 19, base: 1e-3), 1e-3)
        XCTAssertEqual(d.rate(epoch: 21, base: 1e-3), 1e-3 * exp(-0.2), accuracy: 1e-9)
        let c = LRSchedule.cosine(epochs: 10, minRate: 0)
        XCTAssertEqual(c.rate(epoch: 0, base: 1), 1, accuracy: 1e-6)
        XCTAssertEqual(c.rate(epoch: 5, base: 1), 0.5, accuracy: 1e-6)
        XCTAssertEqual(c.rate(epoch: 10, base: 1), 0, accuracy: 1e-6)
    }

    func testGradientOfWrongShapeChangesNothing() throws {
        let a = Tensor.ones([2]), b = Tensor.ones([3])
        a.grad = Tensor.ones([2]); b.grad = Tensor.ones([2])
        let opt = try SGD([("a", a), ("b", b)], learningRate: 0.1)
        XCTAssertThrowsError(try opt.step()) { e in XCTAssertTrue("\(e)".contains("b"), "\(e)") }
        XCTAssertEqual(a.scalars, [1, 1])
        XCTAssertEqual(opt.stepCount, 0)
    }

    func testBadArguments() {
        XCTAssertThrowsError(try Adam([], learningRate: -1))
        XCTAssertThrowsError(try RAdam([], beta1: 1))
        XCTAssertThrowsError(try SGD([], learningRate: 0.1, nesterov: true))
    }
}
