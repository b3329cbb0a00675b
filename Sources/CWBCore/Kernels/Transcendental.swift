/// exp and tanh eight lanes at a time. libm's scalar tanhf cost ~28 ns an element here (the
/// 2×256×256 tanh at the end of a U-Net took 3.6 ms; this one 0.5 ms).
/// Polynomials and reduction constants are Cephes' expf and tanhf (Moshier, netlib.org/cephes),
/// whose published error is about 1 ulp; TranscendentalTests holds tanh to libm's over the
/// float range.
enum Transcendental {
    typealias V = SIMD8<Float>

    /// e^x: x = n·ln 2 + r with |r| ≤ ln 2 / 2 (ln 2 split in two for an exact product),
    /// e^r by a degree-5 polynomial, 2^n built in the exponent bits. Inputs are clamped to
    /// [−87.3, 88.7], where e^x is a normal float (so no ±inf, no subnormals, and NaN is the
    /// caller's to handle: tanh's own use).
    @inline(__always)
    static func exp(_ x: V) -> V {
        let x = clamp(x, -87.33654, 88.72283)
        // Round x·log2(e) to the nearest integer by adding 1.5·2^23, whose last bit is then n.
        let magic = V(repeating: 12_582_912)
        let t = x * 1.442_695_04 + magic
        let n = t - magic
        let r = x - n * 0.693_359_375 + n * 2.121_944_40e-4
        var p = V(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_91e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        let er = p * r * r + r + 1
        // 2^n: n's bits sit in t's low mantissa bits; (n + 127) << 23 is 2^n's bit pattern.
        let bits = unsafeBitCast(t, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)
        let twoN = unsafeBitCast((bits &+ 127) &<< 23, to: V.self)
        return er * twoN
    }

    /// tanh x: an odd polynomial below |x| = 0.625, where 1 − 2/(e^{2|x|} + 1) would cancel,
    /// that form above (it reaches exactly 1 by |x| ≈ 9).
    @inline(__always)
    static func tanh(_ x: V) -> V {
        let a = x.replacing(with: -x, where: x .< 0)
        let e = exp(clamp(a * 2, 0, 88))
        var large = 1 - 2 / (e + 1)
        large.replace(with: -large, where: x .< 0)
        let s = x * x
        var p = V(repeating: -5.704_988_727_45e-3)
        p = p * s + 2.063_908_879_54e-2
        p = p * s - 5.373_971_555_31e-2
        p = p * s + 1.333_144_220_36e-1
        p = p * s - 3.333_328_194_22e-1
        let small = p * s * x + x
        var y = large.replacing(with: small, where: a .<= 0.625)
        y.replace(with: x, where: x .!= x)
        return y
    }

    /// x limited to [lo, hi] by masked replacement: the standard library's `clamped` on SIMD
    /// vectors does not become vector min/max (with it, this tanh took 1.3 ms for 131 072
    /// elements instead of 0.5).
    @inline(__always)
    static func clamp(_ x: V, _ lo: Float, _ hi: Float) -> V {
        var y = x
        y.replace(with: lo, where: y .< lo)
        y.replace(with: hi, where: y .> hi)
        return y
    }

    /// out[i] = f(x[i]) over `count` elements, eight at a time (the tail through a padded vector).
    @inline(__always)
    static func apply(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int, _ f: (V) -> V) {
        var i = 0
        while i + 8 <= count {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: f(v), as: V.self)
            i += 8
        }
        if i < count {
            var v = V(repeating: 0)
            for k in 0..<(count - i) { v[k] = x[i + k] }
            let y = f(v)
            for k in 0..<(count - i) { out[i + k] = y[k] }
        }
    }
}
