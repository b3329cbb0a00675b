import XCTest
@testable import CWBCore

/// PyTorch's autograd semantics: accumulation into leaves, zeroGrad, no-grad scopes, detach,
/// and backward passes that record nothing unless asked to.
final class AutogradTests: XCTestCase {
    func testGradientsAccumulateUntilZeroed() throws {
        let x = try Tensor(shape: [3], scalars: [1, 2, 3]); x.requiresGrad = true
        try (try x * x).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [2, 4, 6])
        try (x * 3).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [5, 7, 9])
        x.zeroGrad()
        XCTAssertNil(x.grad)
    }

    func testSharedSubexpressionsSumTheirPaths() throws {
        let x = try Tensor(shape: [1], scalars: [3]); x.requiresGrad = true
        let y = try x * x           // used twice below
        let z = try y * y + y    // z = x⁴ + x², dz/dx = 4x³ + 2x = 114
        try z.backward()
        XCTAssertEqual(try x.grad!.item(), 114, accuracy: 1e-4)
    }

    func testNoGradAndDetachRecordNothing() throws {
        let x = Tensor.ones([2]); x.requiresGrad = true
        let y = noGrad { x * 2 }
        XCTAssertNil(y.opName)
        XCTAssertFalse(y.isTracked)
        let d = (x * 2).detached()
        XCTAssertFalse(d.isTracked)
        XCTAssertNotNil((x * 2).opName)
    }

    func testBackwardWithoutCreateGraphRecordsNothing() throws {
        let x = randomTensor([2, 3], seed: 1); x.requiresGrad = true
        let g = try grad(of: (try x * x).sum(), wrt: [x])[0]
        XCTAssertFalse(g.isTracked, "a plain backward pass must not build a graph")
        let g2 = try grad(of: (try x * x).sum(), wrt: [x], createGraph: true)[0]
        XCTAssertTrue(g2.isTracked)
        let second = try grad(of: g2.sum(), wrt: [x])[0]
        XCTAssertEqual(second.scalars, [Float](repeating: 2, count: 6))
    }

    func testGradOfUnusedInputIsZeroAndOnlyNeededPathsRun() throws {
        let x = Tensor.ones([2]), unused = Tensor.ones([3])
        x.requiresGrad = true; unused.requiresGrad = true
        let g = try grad(of: (x * 5).sum(), wrt: [x, unused])
        XCTAssertEqual(g[0].scalars, [5, 5])
        XCTAssertEqual(g[1].scalars, [0, 0, 0])
        XCTAssertNil(x.grad, "grad(of:wrt:) must not touch .grad")
    }

    func testDeepGraphsDoNotOverflowTheStack() throws {
        let x = Tensor.ones([1]); x.requiresGrad = true
        var y = x
        for _ in 0..<20_000 { y = y * 1.0001 }
        try y.backward()
        XCTAssertEqual(try x.grad!.item(), Float(pow(1.0001, 20_000.0)), accuracy: 1e-2)
    }

    /// The graph keeps only what backward rules need (PyTorch's saved tensors): an
    /// activation that feeds only ops whose rules do not read it dies with its last user.
    func testTheGraphKeepsOnlyWhatBackwardRulesNeed() throws {
        let x = randomTensor([2, 3, 4, 4], seed: 3); x.requiresGrad = true
        let mask = Tensor.ones([2, 3, 4, 4])
        weak var activated: Tensor?, summed: Tensor?, tanhOutput: Tensor?
        var loss: Tensor
        do {
            let a = x.leakyRelu(0.2)                  // its rule keeps x, not a
            activated = a
            let dropped = try a * mask                // x · constant keeps only the constant
            let s = try dropped + dropped             // add keeps shapes only
            summed = s
            let t = s.tanh()                          // tanh keeps its own output's storage
            tanhOutput = t
            loss = t.sum()
        }
        XCTAssertNil(activated, "the leaky relu's output is needed by no backward rule")
        XCTAssertNil(summed, "add's output is needed by no backward rule")
        XCTAssertNil(tanhOutput, "the tensor object goes; the node keeps its storage")
        try loss.backward()
        let y = x.scalars.map { $0 > 0 ? $0 : 0.2 * $0 }
        let expected = y.map { v -> Float in let t = Foundation.tanh(2 * v); return (1 - t * t) * 2 * (v > 0 ? 1 : 0.2) }
        for (g, e) in zip(x.grad!.scalars, expected) { XCTAssertEqual(g, e, accuracy: 1e-5) }
        _ = loss
    }

    /// A rule that reads its output still differentiates through it twice when the
    /// backward pass is recorded, though the output tensor itself was freed.
    func testRulesReadingTheirOutputSupportSecondDerivatives() throws {
        let x = try Tensor(shape: [3], scalars: [-0.5, 0.1, 0.7]); x.requiresGrad = true
        let y = (x * 1.5).tanh().sum()              // the tanh output is only in its node
        let g = try grad(of: y, wrt: [x], createGraph: true)[0]
        let gg = try grad(of: g.sum(), wrt: [x])[0]
        for (i, v) in x.scalars.enumerated() {
            let t = Foundation.tanh(1.5 * v)
            XCTAssertEqual(g.scalars[i], 1.5 * (1 - t * t), accuracy: 1e-5)
            XCTAssertEqual(gg.scalars[i], -2 * 1.5 * 1.5 * t * (1 - t * t), accuracy: 1e-5)
        }
    }

    func testSeededRandomnessIsReproducible() {
        let a = Tensor.randn([100], generator: RandomGenerator(seed: 42)).scalars
        let b = Tensor.randn([100], generator: RandomGenerator(seed: 42)).scalars
        let c = Tensor.randn([100], generator: RandomGenerator(seed: 43)).scalars
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        let u = Tensor.rand([10_000], generator: RandomGenerator(seed: 1))
        XCTAssertEqual(Double(u.mean().scalars[0]), 0.5, accuracy: 0.02)
        XCTAssertGreaterThanOrEqual(u.min().scalars[0], 0); XCTAssertLessThan(u.max().scalars[0], 1)
        let n = Tensor.randn([10_000], generator: RandomGenerator(seed: 2))
        XCTAssertEqual(Double(try n.variance(axes: nil).scalars[0]), 1, accuracy: 0.05)
    }

    func testForwardValuesOfBasicOps() throws {
        let a = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try (a + Tensor(shape: [3], scalars: [10, 20, 30])).scalars, [11, 22, 33, 14, 25, 36])
        XCTAssertEqual(try (a * Tensor(shape: [2, 1], scalars: [2, 3])).scalars, [2, 4, 6, 12, 15, 18])
        XCTAssertEqual(try a.sum(axes: [0]).scalars, [5, 7, 9])
        XCTAssertEqual(try a.mean(axes: [1]).scalars, [2, 5])
        XCTAssertEqual(try a.max(axes: [1]).scalars, [3, 6])
        XCTAssertEqual(try a.t().scalars, [1, 4, 2, 5, 3, 6])
        XCTAssertEqual(try a.slice(axis: 1, start: 0, end: 3, step: 2).scalars, [1, 3, 4, 6])
        XCTAssertEqual(try a.pad([(0, 0), (1, 0)]).scalars, [0, 1, 2, 3, 0, 4, 5, 6])
        XCTAssertEqual(try Tensor.concat([a, a], axis: 0).shape, [4, 3])
        XCTAssertEqual(try a.expand([2, 2, 3]).scalars, [1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try Tensor.where(a.gt(3), a, Tensor(0)).scalars, [0, 0, 0, 4, 5, 6])
        XCTAssertEqual(try a.matmul(a.t()).scalars, [14, 32, 32, 77])
        XCTAssertEqual(try Tensor.arange(0, 1, step: 0.25).scalars, [0, 0.25, 0.5, 0.75])
        XCTAssertEqual(a.clamp(min: 2, max: 4).scalars, [2, 2, 3, 4, 4, 4])
    }

    /// Convolution through im2col + GEMM equals a direct six-loop convolution, for the batch
    /// grouping paths (several samples per GEMM, and one).
    func testConvMatchesDirectLoops() throws {
        for (n, size) in [(3, 4), (2, 40)] {
            let x = randomTensor([n, 2, size, size + 1], seed: 5), w = randomTensor([3, 2, 3, 2], seed: 6)
            let y = try conv2d(x, w, stride: (2, 1), padding: (1, 0), dilation: (1, 2))
            let (ho, wo) = (y.shape[2], y.shape[3])
            for b in 0..<n { for o in 0..<3 { for oy in 0..<ho { for ox in 0..<wo {
                var s: Float = 0
                for c in 0..<2 { for i in 0..<3 { for j in 0..<2 {
                    let iy = oy * 2 - 1 + i, ix = ox + j * 2
                    if iy >= 0 && iy < size && ix >= 0 && ix < size + 1 {
                        s += x.pointer[((b * 2 + c) * size + iy) * (size + 1) + ix] * w.pointer[((o * 2 + c) * 3 + i) * 2 + j]
                    }
                }}}
                XCTAssertEqual(y.pointer[((b * 3 + o) * ho + oy) * wo + ox], s, accuracy: 1e-4)
            }}}}
        }
    }
}

/// The two convolution strategies — whole samples per core with single-threaded GEMMs, and one
/// sample (group) at a time with both cores in each GEMM — compute the same values.
final class ConvStrategyTests: XCTestCase {
    func testSampleParallelMatchesGroupedForwardAndGradients() throws {
        let x = randomTensor([3, 4, 36, 40], seed: 50), w = randomTensor([5, 4, 3, 3], seed: 51)
        let tw = randomTensor([4, 2, 4, 4], seed: 52)
        func run() throws -> [[Float]] {
            let xi = x.detached(), wi = w.detached(), ti = tw.detached()
            for t in [xi, wi, ti] { t.requiresGrad = true }
            let y = try conv2d(xi, wi, padding: (1, 1))                                   // plane 1440: one sample per GEMM
            let z = try convTranspose2d(xi, ti, stride: (2, 2), padding: (1, 1))          // plane 5760
            let g = try grad(of: try (y * y).sum() + z.sum(), wrt: [xi, wi, ti])
            return [y.scalars, z.scalars] + g.map(\.scalars)
        }
        let saved = ConvGeometry.sampleParallel
        defer { ConvGeometry.sampleParallel = saved }
        ConvGeometry.sampleParallel = true
        let parallel = try run()
        ConvGeometry.sampleParallel = false
        let grouped = try run()
        for (a, b) in zip(parallel, grouped) {
            XCTAssertEqual(a.count, b.count)
            for i in 0..<a.count { XCTAssertEqual(a[i], b[i], accuracy: 1e-3 * max(1, abs(b[i]))) }
        }
    }

    /// A one-sample forward packs its column matrix in bands of output rows (so it stays near
    /// 8 MB), on one core at a time or with each core taking whole bands: either way the result
    /// is the definition's, across band edges, with padding on both sides.
    func testBandedForwardMatchesTheDefinition() throws {
        let x = randomTensor([1, 64, 130, 129], seed: 80), w = randomTensor([5, 64, 3, 3], seed: 81)
        let geo = ConvGeometry(n: 1, c: 64, h: 130, w: 129, o: 5, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1, dh: 1, dw: 1)
        XCTAssertLessThan(geo.outputRowsPerBand, geo.ho, "the case must span several bands")
        let saved = (ConvGeometry.bandsPerCore, Parallel.maxThreads)
        defer { (ConvGeometry.bandsPerCore, Parallel.maxThreads) = saved }
        for perCore in [false, true] {
            ConvGeometry.bandsPerCore = perCore
            Parallel.maxThreads = max(2, saved.1)   // the per-core path even on a one-core machine
            XCTAssertEqual(geo.bandWorkers > 1, perCore)
            let y = try conv2d(x, w, stride: (2, 2), padding: (1, 1))
            XCTAssertEqual(y.shape, [1, 5, geo.ho, geo.wo])
            for o in 0..<5 { for oy in 0..<geo.ho { for ox in stride(from: o, to: geo.wo, by: 3) {
                var sum = 0.0
                for c in 0..<64 { for i in 0..<3 { for j in 0..<3 {
                    let iy = oy * 2 - 1 + i, ix = ox * 2 - 1 + j
                    guard iy >= 0, iy < 130, ix >= 0, ix < 129 else { continue }
                    sum += Double(x.pointer[(c * 130 + iy) * 129 + ix]) * Double(w.pointer[((o * 64 + c) * 3 + i) * 3 + j])
                } } }
                XCTAssertEqual(Double(y.pointer[(o * geo.ho + oy) * geo.wo + ox]), sum, accuracy: 1e-3,
                               "per-core \(perCore) o \(o) oy \(oy) ox \(ox)")
            } } }
        }
    }

    /// Stride-2 transposed convs (and so the input gradient of stride-2 convs) add taps j and
    /// j+1 as one interleaved run, eight pixels at a time, with the edge columns only one tap
    /// reaches done singly. Checked against the definition, summed directly, on inputs wide
    /// enough for the vector loop, for kernels 3, 4, 5 and paddings 0–2, grouped samples
    /// (small planes) and per-core samples (large planes).
    func testStrideTwoTransposedConvMatchesTheDefinition() throws {
        for (shape, k, pad) in [([2, 3, 9, 19], 4, 1), ([2, 3, 9, 19], 5, 2), ([2, 3, 7, 24], 3, 1),
                                ([2, 3, 33, 40], 4, 1), ([1, 3, 6, 21], 4, 0)] {
            let x = randomTensor(shape, seed: 70), w = randomTensor([3, 2, k, k], seed: 71)
            let y = try convTranspose2d(x, w, stride: (2, 2), padding: (pad, pad))
            let (h, wd) = (shape[2], shape[3])
            let (ho, wo) = ((h - 1) * 2 - 2 * pad + k, (wd - 1) * 2 - 2 * pad + k)
            XCTAssertEqual(y.shape, [shape[0], 2, ho, wo])
            var expected = [Double](repeating: 0, count: y.count)
            for n in 0..<shape[0] { for ci in 0..<3 { for iy in 0..<h { for ix in 0..<wd {
                let v = Double(x.pointer[((n * 3 + ci) * h + iy) * wd + ix])
                for co in 0..<2 { for i in 0..<k { for j in 0..<k {
                    let oy = iy * 2 - pad + i, ox = ix * 2 - pad + j
                    guard oy >= 0, oy < ho, ox >= 0, ox < wo else { continue }
                    expected[((n * 2 + co) * ho + oy) * wo + ox] += v * Double(w.pointer[((ci * 2 + co) * k + i) * k + j])
                } } }
            } } } }
            for (a, e) in zip(y.scalars, expected) { XCTAssertEqual(Double(a), e, accuracy: 1e-4, "\(shape) k\(k) p\(pad)") }
        }
    }

    /// A one-sample transposed conv with few pixels and a wide weight matrix (the U-Net's
    /// deepest layers at batch 1) forms its column matrix pixel-major and transposes it; so does
    /// the input gradient of such a conv. Both must equal the direct product, with gradients.
    func testPixelMajorDataProductMatchesTheDirectOne() throws {
        let x = randomTensor([1, 40, 4, 5], seed: 90), w = randomTensor([40, 24, 4, 4], seed: 91)
        let geo = ConvGeometry(n: 1, c: 24, h: 8, w: 10, o: 40, kh: 4, kw: 4, sh: 2, sw: 2, ph: 1, pw: 1, dh: 1, dw: 1)
        XCTAssertEqual(geo.plane, 20)
        let saved = ConvGeometry.pixelMajorProducts
        defer { ConvGeometry.pixelMajorProducts = saved }
        func run(pixelMajor: Bool) throws -> [[Float]] {
            ConvGeometry.pixelMajorProducts = pixelMajor
            XCTAssertEqual(geo.prefersPixelMajorProduct(columns: geo.plane), pixelMajor, "the case must take the path")
            let xi = x.detached(), wi = w.detached()
            xi.requiresGrad = true; wi.requiresGrad = true
            let y = try convTranspose2d(xi, wi, stride: (2, 2), padding: (1, 1))
            XCTAssertEqual(y.shape, [1, 24, 8, 10])
            // The second derivative runs the conv whose input gradient is this same product.
            let g = try grad(of: try (y * y).sum(), wrt: [xi, wi], createGraph: true)
            let gg = try grad(of: try (g[0] * g[0]).sum(), wrt: [wi])
            return [y.scalars] + g.map(\.scalars) + gg.map(\.scalars)
        }
        let direct = try run(pixelMajor: false), pixelMajor = try run(pixelMajor: true)
        for (a, b) in zip(pixelMajor, direct) {
            XCTAssertEqual(a.count, b.count)
            // Sums in another order: equal to float rounding of the largest terms.
            let scale = max(1, b.map(abs).max() ?? 0)
            for i in 0..<a.count { XCTAssertEqual(a[i], b[i], accuracy: 1e-5 * scale) }
        }
    }

    /// Stride-1 convs take the row-shift path (kh GEMMs over kw shifted copies of the input);
    /// their input gradient takes it too, as a conv with the flipped kernel. All must equal
    /// the im2col path, for odd and even kernels, dilation and uneven padding.
    func testRowShiftMatchesIm2colForwardAndGradients() throws {
        let x = randomTensor([2, 12, 68, 70], seed: 60)
        let cases: [(w: Tensor, stride: Pair, padding: Pair, dilation: Pair)] = [
            (randomTensor([16, 12, 3, 3], seed: 61), (1, 1), (1, 1), (1, 1)),
            (randomTensor([2, 12, 5, 3], seed: 62), (1, 1), (2, 0), (1, 2)),
            (randomTensor([12, 12, 4, 4], seed: 63), (1, 1), (1, 2), (1, 1)),
            (randomTensor([3, 12, 3, 3], seed: 64), (1, 1), (0, 0), (2, 1)),
        ]
        func run(_ w: Tensor, _ stride: Pair, _ padding: Pair, _ dilation: Pair) throws -> [[Float]] {
            let xi = x.detached(), wi = w.detached()
            xi.requiresGrad = true; wi.requiresGrad = true
            let y = try conv2d(xi, wi, stride: stride, padding: padding, dilation: dilation)
            let geo = ConvGeometry(n: 2, c: 12, h: 68, w: 70, o: w.shape[0], kh: w.shape[2], kw: w.shape[3],
                                   sh: stride.0, sw: stride.1, ph: padding.0, pw: padding.1, dh: dilation.0, dw: dilation.1)
            XCTAssertTrue(!RowShift.enabled || RowShift.applies(geo), "the case must take the row-shift path")
            if RowShift.enabled && geo.sh == 1 && geo.o >= 12 {
                XCTAssertNotNil(RowShift.dataGradientGeometry(geo), "its input gradient must take the row-shift path too")
            }
            let g = try grad(of: try (y * y).sum(), wrt: [xi, wi])
            return [y.scalars] + g.map(\.scalars)
        }
        let saved = RowShift.enabled
        defer { RowShift.enabled = saved }
        for c in cases {
            RowShift.enabled = true
            let shifted = try run(c.w, c.stride, c.padding, c.dilation)
            RowShift.enabled = false
            let im2col = try run(c.w, c.stride, c.padding, c.dilation)
            for (a, b) in zip(shifted, im2col) {
                XCTAssertEqual(a.count, b.count)
                for i in 0..<a.count { XCTAssertEqual(a[i], b[i], accuracy: 1e-3 * max(1, abs(b[i]))) }
            }
        }
    }

    /// With OpenBLAS's packed routines, a row-shift conv packs each sample's shifted rows once
    /// and starts every kernel row's product at its own panel of them: equal to the same path on
    /// cblas_sgemm, for one sample (blocks split across cores) and several (a sample per core),
    /// a ragged last block, a weight count off the panel width, dilation, the depth cut into
    /// uneven chunks, and the input gradient (the same path with the flipped kernel).
    func testPackedRowShiftMatchesTheCblasOne() throws {
        let r = try XCTUnwrap(PackedGEMM.routines, "OpenBLAS's packed routines did not load or failed their probe")
        let cases: [(x: [Int], w: [Int], padding: Pair, dilation: Pair)] = [
            ([1, 12, 30, 40], [18, 12, 3, 3], (1, 1), (1, 1)),
            ([3, 12, 30, 40], [18, 12, 3, 3], (1, 1), (1, 1)),
            ([2, 8, 33, 41], [9, 8, 4, 4], (1, 1), (1, 1)),
            ([2, 12, 36, 40], [16, 12, 5, 3], (4, 2), (2, 2)),
        ]
        let saved = (PackedGEMM.enabled, PackedGEMM.maximumDepth)
        defer { (PackedGEMM.enabled, PackedGEMM.maximumDepth) = saved }
        for (k, c) in cases.enumerated() {
            PackedGEMM.maximumDepth = k % 2 == 0 ? 256 : 13
            let x = randomTensor(c.x, seed: UInt64(80 + k)), w = randomTensor(c.w, seed: UInt64(90 + k))
            let geo = ConvGeometry(input: c.x, weight: c.w, stride: (1, 1), padding: c.padding, dilation: c.dilation)
            XCTAssertTrue(RowShift.applies(geo) && geo.wo % r.panelA == 0, "case \(k) must take the packed path")
            try assertBothPathsAgree(x, w, stride: (1, 1), padding: c.padding, dilation: c.dilation, "case \(k)") {
                PackedGEMM.enabled = $0
            }
        }
    }

    /// im2col-path convs gathered straight into the kernel's panels (no column matrix), the
    /// weights packed once per call: equal to cblas_sgemm's bands with each core taking whole
    /// bands across samples, with both cores sharing each band's blocks, for stride 2 with even
    /// lanes read in vectors and their edges done singly, stride 1 (a 1-channel first conv),
    /// dilation, and uneven depth chunks; and their gradients are unchanged.
    func testPackedBandsMatchTheCblasOnes() throws {
        let r = try XCTUnwrap(PackedGEMM.routines, "OpenBLAS's packed routines did not load or failed their probe")
        let cases: [(x: [Int], w: [Int], stride: Pair, padding: Pair, dilation: Pair, perCore: Bool, depth: Int)] = [
            ([1, 16, 70, 80], [12, 16, 5, 5], (2, 2), (2, 2), (1, 1), true, 256),
            ([1, 16, 70, 80], [12, 16, 5, 5], (2, 2), (2, 2), (1, 1), false, 100),
            ([3, 8, 64, 64], [10, 8, 4, 4], (2, 2), (1, 1), (1, 1), true, 37),
            ([2, 1, 40, 48], [9, 1, 3, 3], (1, 1), (1, 1), (1, 1), false, 256),
            ([1, 6, 66, 80], [7, 6, 3, 3], (2, 2), (3, 2), (2, 2), true, 20),
        ]
        let saved = (PackedBands.enabled, PackedGEMM.maximumDepth, ConvGeometry.bandsPerCore, Parallel.maxThreads)
        defer { (PackedBands.enabled, PackedGEMM.maximumDepth, ConvGeometry.bandsPerCore, Parallel.maxThreads) = saved }
        Parallel.maxThreads = max(2, saved.3)   // both strategies even on a one-core machine
        for (k, c) in cases.enumerated() {
            PackedGEMM.maximumDepth = c.depth
            ConvGeometry.bandsPerCore = c.perCore
            let x = randomTensor(c.x, seed: UInt64(100 + k)), w = randomTensor(c.w, seed: UInt64(110 + k))
            let geo = ConvGeometry(input: c.x, weight: c.w, stride: c.stride, padding: c.padding, dilation: c.dilation)
            PackedBands.enabled = true
            XCTAssertTrue(PackedBands.applies(geo, r) && !RowShift.applies(geo), "case \(k) must take the packed bands")
            XCTAssertEqual(geo.bandWorkers > 1, c.perCore, "case \(k)")
            try assertBothPathsAgree(x, w, stride: c.stride, padding: c.padding, dilation: c.dilation, "case \(k)") {
                PackedBands.enabled = $0
            }
        }
    }

    /// conv2d of x by w and both its gradients with `usePath(true)`, then with `usePath(false)`:
    /// equal to float rounding of the largest term (the two paths sum in different orders).
    private func assertBothPathsAgree(_ x: Tensor, _ w: Tensor, stride: Pair, padding: Pair, dilation: Pair,
                                      _ label: String, usePath: (Bool) -> Void) throws {
        func run() throws -> [[Float]] {
            let xi = x.detached(), wi = w.detached()
            xi.requiresGrad = true; wi.requiresGrad = true
            let y = try conv2d(xi, wi, stride: stride, padding: padding, dilation: dilation)
            let g = try grad(of: try (y * y).sum(), wrt: [xi, wi])
            return [y.scalars] + g.map(\.scalars)
        }
        usePath(true)
        let taken = try run()
        usePath(false)
        let other = try run()
        for (a, b) in zip(taken, other) {
            XCTAssertEqual(a.count, b.count, label)
            let scale = max(1, b.map(abs).max() ?? 0)
            for i in 0..<a.count { XCTAssertEqual(a[i], b[i], accuracy: 1e-5 * scale, label) }
        }
    }

    /// A large GEMM split into blocks of C on cwb's threads equals OpenBLAS's own result, for
    /// every transpose combination and both split directions.
    func testSplitGEMMMatchesOneCall() throws {
        let saved = GEMM.splitsItself
        defer { GEMM.splitsItself = saved }
        for (m, n, k) in [(300, 140, 110), (120, 330, 120)] {
            for transA in [false, true] {
                for transB in [false, true] {
                    let a = randomTensor(transA ? [k, m] : [m, k], seed: 70), b = randomTensor(transB ? [n, k] : [k, n], seed: 71)
                    XCTAssertGreaterThanOrEqual(m * n * k, GEMM.splitThreshold)
                    GEMM.splitsItself = true
                    let split = try Tensor.mm(a, b, transA: transA, transB: transB).scalars
                    GEMM.splitsItself = false
                    let whole = try Tensor.mm(a, b, transA: transA, transB: transB).scalars
                    for (x, y) in zip(split, whole) { XCTAssertEqual(x, y, accuracy: 1e-4 * max(1, abs(y))) }
                }
            }
        }
    }
}
