import Foundation
import XCTest
@testable import CWBCore

/// The vector tanh against libm's, over the float range: a dense grid where tanh bends, powers
/// of two from subnormal to huge, and the special values. Within 2 ulp of libm's result
/// everywhere (Cephes publishes about 1 ulp for each half).
final class TranscendentalTests: XCTestCase {
    func testTanhMatchesLibmWithinTwoUlp() throws {
        var inputs: [Float] = [0, -0, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                               .leastNonzeroMagnitude, 0.625, -0.625, Float(0.625).nextUp, Float(0.625).nextDown, 9, 44, 88, 89]
        for i in -12_000...12_000 { inputs.append(Float(i) * 1e-3) }
        var p: Float = .leastNonzeroMagnitude
        while p < 1e38 { inputs.append(p); inputs.append(-p); inputs.append(p * 1.37); p *= 2 }
        inputs.append(contentsOf: (0..<1000).map { Float($0) * 0.0401 - 20.03 })   // off the 1e-3 grid
        let x = try Tensor(shape: [inputs.count], scalars: inputs)
        let y = x.tanh()
        var worst: (ulps: Float, x: Float) = (0, 0)
        for (i, v) in inputs.enumerated() {
            let expected = Foundation.tanh(v), got = y.pointer[i]
            let ulps = abs(got - expected) / max(expected.magnitude.ulp, Float.leastNormalMagnitude.ulp)
            if ulps > worst.ulps { worst = (ulps, v) }
        }
        XCTAssertLessThanOrEqual(worst.ulps, 2, "worst at x = \(worst.x)")
        let nanOut = try Tensor(shape: [3], scalars: [.nan, 1, .nan]).tanh()
        XCTAssert(nanOut.pointer[0].isNaN && nanOut.pointer[2].isNaN, "NaN stays NaN")
        print("tanh: worst \(worst.ulps) ulp at \(worst.x) over \(inputs.count) inputs")
    }

    /// Lengths around the vector width: the padded tail must give the same values as full vectors.
    func testTanhTailMatchesTheVectorPart() throws {
        for n in [1, 7, 8, 9, 15, 17] {
            let values = (0..<n).map { Float($0) * 0.3 - 2 }
            let y = try Tensor(shape: [n], scalars: values).tanh()
            for i in 0..<n { XCTAssertEqual(y.pointer[i], Foundation.tanh(values[i]), accuracy: 2 * Foundation.tanh(values[i]).magnitude.ulp) }
        }
    }
}
