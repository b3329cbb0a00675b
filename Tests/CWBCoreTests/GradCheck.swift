import XCTest
@testable import CWBCore

/// Finite-difference checks of autograd in Float32.
///
/// The checked scalar is ⟨f(x), R⟩ for a fixed random R (so every output element matters),
/// summed in Double. Central differences with step `eps` = 1e-2 have truncation error
/// O(eps²) ≈ 1e-4 and Float32 round-off ≈ 1e-7/eps ≈ 1e-5 relative to the values, so the
/// documented tolerance is |numeric − analytic| ≤ atol + rtol·|analytic| with atol = 2e-3 and
/// rtol = 2e-2. Inputs of non-smooth ops are kept away from their kinks.
enum GradCheck {
    static let eps: Float = 1e-2
    static let atol: Double = 2e-3
    static let rtol: Double = 2e-2

    /// ⟨t, r⟩ in Double.
    static func dot(_ t: Tensor, _ r: Tensor) -> Double {
        var s = 0.0
        for i in 0..<t.count { s += Double(t.pointer[i]) * Double(r.pointer[i]) }
        return s
    }

    /// Checks d⟨f(inputs), R⟩/d(inputs[i]) for every input by central differences.
    static func check(_ name: String, _ inputs: [Tensor], file: StaticString = #filePath, line: UInt = #line,
                      _ f: ([Tensor]) throws -> Tensor) throws {
        for t in inputs { t.requiresGrad = true; t.grad = nil }
        let out = try f(inputs)
        let r = Tensor.randn(out.shape, generator: RandomGenerator(seed: 99))
        let analytic = try grad(of: out, wrt: inputs, gradient: r)
        for (k, x) in inputs.enumerated() {
            XCTAssertEqual(analytic[k].shape, x.shape, "\(name): gradient shape of input \(k)", file: file, line: line)
            for i in 0..<x.count {
                let saved = x.pointer[i]
                x.pointer[i] = saved + eps
                let plus = try noGrad { dot(try f(inputs), r) }
                x.pointer[i] = saved - eps
                let minus = try noGrad { dot(try f(inputs), r) }
                x.pointer[i] = saved
                let numeric = (plus - minus) / (2 * Double(eps))
                let a = Double(analytic[k].pointer[i])
                if Swift.abs(numeric - a) > atol + rtol * Swift.abs(a) {
                    XCTFail("\(name): input \(k) element \(i): numeric \(numeric) vs analytic \(a)", file: file, line: line)
                    return
                }
            }
        }
    }

    /// Second-order check: the gradient (with createGraph) of ⟨∇ₓ⟨f, R⟩, S⟩ against central
    /// differences of the first-order analytic gradient.
    static func checkSecondOrder(_ name: String, _ inputs: [Tensor], file: StaticString = #filePath, line: UInt = #line,
                                 _ f: ([Tensor]) throws -> Tensor) throws {
        for t in inputs { t.requiresGrad = true }
        let r = Tensor.randn(try f(inputs).shape, generator: RandomGenerator(seed: 7))
        let s = inputs.enumerated().map { Tensor.randn($0.element.shape, generator: RandomGenerator(seed: UInt64(11 + $0.offset))) }
        // h(x) = Σₖ ⟨∂⟨f, R⟩/∂xₖ, Sₖ⟩, built differentiably.
        func h(_ createGraph: Bool) throws -> (Tensor, [Tensor]) {
            let o = try f(inputs)
            let g = try grad(of: o, wrt: inputs, gradient: r, createGraph: createGraph)
            var total = try (g[0] * s[0]).sum(axes: nil)
            for k in 1..<inputs.count { total = try total + (g[k] * s[k]).sum(axes: nil) }
            return (total, g)
        }
        let (total, _) = try h(true)
        let analytic = try grad(of: total, wrt: inputs)
        func value() throws -> Double {
            let g = try grad(of: try f(inputs), wrt: inputs, gradient: r)
            return zip(g, s).reduce(0.0) { $0 + dot($1.0, $1.1) }
        }
        for (k, x) in inputs.enumerated() {
            for i in 0..<x.count {
                let saved = x.pointer[i]
                x.pointer[i] = saved + eps
                let plus = try value()
                x.pointer[i] = saved - eps
                let minus = try value()
                x.pointer[i] = saved
                let numeric = (plus - minus) / (2 * Double(eps))
                let a = Double(analytic[k].pointer[i])
                if Swift.abs(numeric - a) > atol * 5 + rtol * Swift.abs(a) {
                    XCTFail("\(name) (second order): input \(k) element \(i): numeric \(numeric) vs analytic \(a)", file: file, line: line)
                    return
                }
            }
        }
    }
}

/// Random input with every |value| ≥ `margin` (away from kinks at 0 for relu, abs, …).
func randomAwayFromZero(_ shape: [Int], seed: UInt64, margin: Float = 0.1) -> Tensor {
    let t = Tensor.randn(shape, generator: RandomGenerator(seed: seed))
    for i in 0..<t.count {
        let v = t.pointer[i]
        t.pointer[i] = v >= 0 ? v + margin : v - margin
    }
    return t
}

func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    Tensor.randn(shape, generator: RandomGenerator(seed: seed)) * scale
}

/// Strictly positive input (for log, sqrt, pow).
func randomPositive(_ shape: [Int], seed: UInt64) -> Tensor {
    Tensor.uniform(shape, low: 0.5, high: 2, generator: RandomGenerator(seed: seed))
}
