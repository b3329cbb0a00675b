import XCTest
@testable import CWBCore

/// A finite-difference gradient check for every differentiable op of the core.
final class GradientTests: XCTestCase {
    func testArithmeticWithBroadcasting() throws {
        let a = randomTensor([2, 3, 4], seed: 1), b = randomTensor([3, 1], seed: 2)
        try GradCheck.check("add", [a, b]) { try $0[0] + $0[1] }
        try GradCheck.check("sub", [a, b]) { try $0[0] - $0[1] }
        try GradCheck.check("mul", [a, b]) { try $0[0] * $0[1] }
        let d = randomPositive([4], seed: 3)
        try GradCheck.check("div", [a, d]) { try $0[0] / $0[1] }
        try GradCheck.check("affine and scalar ops", [a]) { (2 - $0[0] * 3 + 1) / 4 }
        try GradCheck.check("number / tensor", [d]) { 2 / $0[0] }
    }

    func testUnaryFunctions() throws {
        let x = randomTensor([3, 4], seed: 4, scale: 0.8), pos = randomPositive([3, 4], seed: 5)
        let away = randomAwayFromZero([3, 4], seed: 6)
        try GradCheck.check("exp", [x]) { $0[0].exp() }
        try GradCheck.check("log", [pos]) { $0[0].log() }
        try GradCheck.check("sqrt", [pos]) { $0[0].sqrt() }
        try GradCheck.check("pow 3", [x]) { $0[0].pow(3) }
        try GradCheck.check("pow 2", [x]) { $0[0].pow(2) }
        try GradCheck.check("pow -1.5", [pos]) { $0[0].pow(-1.5) }
        try GradCheck.check("pow tensor", [pos, x]) { try $0[0].pow($0[1]) }
        try GradCheck.check("abs", [away]) { $0[0].abs() }
        try GradCheck.check("clamp", [away]) { try $0[0].clamp(min: -0.05, max: 0.05) + $0[0].clamp(min: -1) }
        try GradCheck.check("relu", [away]) { $0[0].relu() }
        try GradCheck.check("leaky_relu", [away]) { $0[0].leakyRelu(0.2) }
        try GradCheck.check("tanh", [x]) { $0[0].tanh() }
        try GradCheck.check("sigmoid", [x]) { $0[0].sigmoid() }
    }

    func testWhere() throws {
        let c = randomTensor([3, 4], seed: 7).gt(0), a = randomTensor([3, 4], seed: 8), b = randomTensor([4], seed: 9)
        try GradCheck.check("where", [a, b]) { try Tensor.where(c, $0[0], $0[1]) }
    }

    func testReductions() throws {
        let x = randomTensor([2, 3, 4], seed: 10)
        try GradCheck.check("sum all", [x]) { $0[0].sum() }
        try GradCheck.check("sum axes 0,2", [x]) { try $0[0].sum(axes: [0, 2]) }
        try GradCheck.check("sum keepDims", [x]) { try $0[0].sum(axes: [1], keepDims: true) }
        try GradCheck.check("mean axis -1", [x]) { try $0[0].mean(axes: [-1]) }
        try GradCheck.check("var unbiased", [x]) { try $0[0].variance(axes: [0, 2]) }
        try GradCheck.check("var biased", [x]) { try $0[0].variance(axes: [1], unbiased: false, keepDims: true) }
        // Well-separated values so that no finite-difference step changes the winner.
        let spaced = spacedValues([2, 3, 4], seed: 11)
        try GradCheck.check("max", [spaced]) { try $0[0].max(axes: [1]) }
        try GradCheck.check("min", [spaced]) { try $0[0].min(axes: [0, 2]) }
        try GradCheck.check("max all", [spaced]) { $0[0].max() }
    }

    func testShapeOps() throws {
        let x = randomTensor([2, 3, 4], seed: 12)
        try GradCheck.check("reshape", [x]) { try $0[0].reshape([4, -1]) }
        try GradCheck.check("permute", [x]) { try $0[0].permute([2, 0, 1]) }
        try GradCheck.check("transpose", [x]) { try $0[0].transpose(0, 2) }
        try GradCheck.check("slice with step", [x]) { try $0[0].slice(axis: 2, start: 1, end: 4, step: 2) }
        try GradCheck.check("multi-axis slice", [x]) { try $0[0].slice([SliceRange(1, 2), SliceRange(0, 3, step: 2), SliceRange(1, 3)]) }
        try GradCheck.check("pad", [x]) { try $0[0].pad([(1, 0), (2, 1)]) }
        try GradCheck.check("expand", [randomTensor([3, 1], seed: 13)]) { try $0[0].expand([2, 3, 5]) }
        let y = randomTensor([2, 2, 4], seed: 14)
        try GradCheck.check("concat", [x, y]) { try Tensor.concat([$0[0], $0[1]], axis: 1) }
        try GradCheck.check("split", [x]) {
            let parts = try $0[0].split([1, 2], axis: 1)
            return try parts[0] * 2 + parts[1].sum(axes: [1], keepDims: true)
        }
    }

    func testMatmul() throws {
        let a = randomTensor([3, 4], seed: 15), b = randomTensor([4, 5], seed: 16)
        try GradCheck.check("matmul 2D", [a, b]) { try $0[0].matmul($0[1]) }
        let ba = randomTensor([2, 3, 4], seed: 17), bb = randomTensor([2, 4, 2], seed: 18)
        try GradCheck.check("matmul batched", [ba, bb]) { try $0[0].matmul($0[1]) }
        try GradCheck.check("matmul 3D @ 2D", [ba, b]) { try $0[0].matmul($0[1]) }
        try GradCheck.check("matmul of transposes", [a]) { try $0[0].t().matmul($0[0]) }
    }

    func testConvolutions() throws {
        let x = randomTensor([2, 3, 6, 5], seed: 19), w = randomTensor([4, 3, 3, 3], seed: 20, scale: 0.5)
        let b = randomTensor([4], seed: 21)
        try GradCheck.check("conv2d", [x, w, b]) { try conv2d($0[0], $0[1], bias: $0[2], padding: (1, 1)) }
        try GradCheck.check("conv2d stride 2, dilation 2", [x, w]) {
            try conv2d($0[0], $0[1], stride: (2, 1), padding: (2, 1), dilation: (2, 1))
        }
        try GradCheck.check("conv2d 1×1", [x, randomTensor([2, 3, 1, 1], seed: 22)]) { try conv2d($0[0], $0[1]) }
        let tw = randomTensor([3, 2, 4, 4], seed: 23, scale: 0.5), tb = randomTensor([2], seed: 24)
        try GradCheck.check("conv_transpose2d", [x, tw, tb]) {
            try convTranspose2d($0[0], $0[1], bias: $0[2], stride: (2, 2), padding: (1, 1))
        }
        try GradCheck.check("conv_transpose2d output_padding", [x, randomTensor([3, 2, 3, 3], seed: 25)]) {
            try convTranspose2d($0[0], $0[1], stride: (2, 2), padding: (1, 1), outputPadding: (1, 1))
        }
    }

    func testPoolingAndUpsampling() throws {
        let spaced = spacedValues([2, 2, 5, 6], seed: 26)
        try GradCheck.check("max_pool2d", [spaced]) { try maxPool2d($0[0], kernel: (2, 2)) }
        try GradCheck.check("max_pool2d stride 1 pad 1", [spaced]) { try maxPool2d($0[0], kernel: (3, 3), stride: (1, 1), padding: (1, 1)) }
        let x = randomTensor([2, 2, 5, 6], seed: 27)
        try GradCheck.check("avg_pool2d", [x]) { try avgPool2d($0[0], kernel: (2, 3), stride: (2, 2), padding: (1, 1)) }
        try GradCheck.check("upsample nearest", [x]) { try upsample($0[0], scale: 2) }
        try GradCheck.check("upsample bilinear", [x]) { try upsample($0[0], size: (7, 13), mode: .bilinear) }
    }

    func testNormalisation() throws {
        let x = randomTensor([3, 2, 3, 4], seed: 28), w = randomTensor([2], seed: 29), b = randomTensor([2], seed: 30)
        try GradCheck.check("batch_norm train", [x, w, b]) {
            try batchNorm($0[0], runningMean: nil, runningVar: nil, weight: $0[1], bias: $0[2], training: true)
        }
        let rm = randomTensor([2], seed: 31), rv = randomPositive([2], seed: 32)
        try GradCheck.check("batch_norm eval", [x, w, b]) {
            try batchNorm($0[0], runningMean: rm, runningVar: rv, weight: $0[1], bias: $0[2], training: false)
        }
        try GradCheck.check("instance_norm", [x]) { try instanceNorm($0[0]) }
        try GradCheck.check("instance_norm affine", [x, w, b]) { try instanceNorm($0[0], weight: $0[1], bias: $0[2]) }
    }

    func testDropoutAndLosses() throws {
        let x = randomTensor([4, 5], seed: 33), y = randomTensor([4, 5], seed: 34)
        try GradCheck.check("dropout", [x]) { try dropout($0[0], p: 0.3, training: true, generator: RandomGenerator(seed: 5)) }
        let away = randomAwayFromZero([4, 5], seed: 35)
        try GradCheck.check("l1", [away, Tensor.zeros([4, 5])]) { try l1Loss($0[0], $0[1]) }
        try GradCheck.check("mse", [x, y]) { try mseLoss($0[0], $0[1]) }
        let labels = Tensor.rand([4, 5], generator: RandomGenerator(seed: 36))
        try GradCheck.check("bce_with_logits", [x]) { try bceWithLogits($0[0] * 3, labels) }
    }

    /// The ops a WGAN-GP critic is made of, differentiated twice.
    func testSecondOrder() throws {
        let x = randomTensor([2, 2, 5, 5], seed: 40), w = randomTensor([3, 2, 3, 3], seed: 41, scale: 0.5)
        try GradCheck.checkSecondOrder("conv2d", [x, w]) { try conv2d($0[0], $0[1], stride: (2, 2), padding: (1, 1)).pow(2) }
        let tw = randomTensor([2, 3, 4, 4], seed: 42, scale: 0.5)
        try GradCheck.checkSecondOrder("conv_transpose2d", [x, tw]) {
            try convTranspose2d($0[0], $0[1], stride: (2, 2), padding: (1, 1)).pow(2)
        }
        // Leaky ReLU on an input kept 0.1 away from its kink, so no ±eps step crosses it.
        try GradCheck.checkSecondOrder("leaky_relu into conv", [randomAwayFromZero([2, 2, 5, 5], seed: 47), w]) {
            try conv2d($0[0].leakyRelu(0.2), $0[1], padding: (1, 1)).pow(2)
        }
        try GradCheck.checkSecondOrder("instance_norm", [x]) { try instanceNorm($0[0]).pow(3) }
        try GradCheck.checkSecondOrder("instance_norm affine", [x, randomTensor([2], seed: 43), randomTensor([2], seed: 44)]) {
            try instanceNorm($0[0], weight: $0[1], bias: $0[2]).pow(2)
        }
        let a = randomTensor([3, 4], seed: 45), p = randomPositive([3, 4], seed: 46)
        try GradCheck.checkSecondOrder("mean", [a]) { try $0[0].pow(2).mean(axes: [1]) }
        try GradCheck.checkSecondOrder("sum", [a]) { try $0[0].pow(3).sum(axes: [0]) }
        try GradCheck.checkSecondOrder("mul", [a, p]) { try $0[0] * $0[1] * $0[0] }
        try GradCheck.checkSecondOrder("sqrt", [p]) { $0[0].sqrt() }
        try GradCheck.checkSecondOrder("pow", [p]) { $0[0].pow(-1.5) }
        try GradCheck.checkSecondOrder("pow tensor", [p, a]) { try $0[0].pow($0[1]) }
    }
}

/// Values 0.3 apart in random order: no ±eps step changes which one is the maximum.
func spacedValues(_ shape: [Int], seed: UInt64) -> Tensor {
    let n = shape.reduce(1, *)
    let order = RandomGenerator(seed: seed).permutation(n)
    let t = Tensor.zeros(shape)
    for i in 0..<n { t.pointer[i] = Float(order[i]) * 0.3 - Float(n) * 0.15 }
    return t
}
