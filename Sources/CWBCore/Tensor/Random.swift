import Foundation

/// The one seeded generator (xoshiro256**, seeded through SplitMix64): the same seed gives the
/// same run, bit for bit. `RandomGenerator.global` is what every op uses unless given another.
public final class RandomGenerator: @unchecked Sendable {
    private var state = Xoshiro256StarStar(seed: 0)
    public private(set) var seed: UInt64

    public nonisolated(unsafe) static var global = RandomGenerator(seed: 0)

    public init(seed: UInt64) {
        self.seed = seed
        reseed(seed)
    }

    /// Restarts the sequence from `seed`.
    public func reseed(_ seed: UInt64) {
        self.seed = seed
        state = Xoshiro256StarStar(seed: seed)
    }

    /// Runs `body` on a local copy of the state and keeps where it left off, so loops drawing
    /// millions of numbers (dropout masks, initialisation) keep the state in registers.
    @inline(__always)
    public func withState<R>(_ body: (inout Xoshiro256StarStar) throws -> R) rethrows -> R {
        var local = state
        defer { state = local }
        return try body(&local)
    }

    @inline(__always)
    public func next() -> UInt64 { state.next() }

    /// Uniform in [0, 1) with 24 random bits (every Float in the grid is reachable).
    @inline(__always)
    public func nextFloat() -> Float { state.nextFloat() }

    /// Uniform in [0, 1) as Double.
    public func nextDouble() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// Uniform integer in 0..<n (n > 0), without modulo bias.
    public func nextInt(_ n: Int) -> Int {
        precondition(n > 0)
        let bound = UInt64(n)
        let limit = UInt64.max - UInt64.max % bound
        var r = next()
        while r >= limit { r = next() }
        return Int(r % bound)
    }

    /// A seeded child generator, e.g. one per worker or per epoch, so streams do not interleave.
    public func fork() -> RandomGenerator { RandomGenerator(seed: next()) }

    public func fillUniform(_ out: UnsafeMutableBufferPointer<Float>) {
        withState { rng in for i in 0..<out.count { out[i] = rng.nextFloat() } }
    }

    /// Box–Muller, two normals per pair of uniforms.
    public func fillNormal(_ out: UnsafeMutableBufferPointer<Float>) {
        var i = 0
        while i < out.count {
            let u1 = max(nextDouble(), 1e-300), u2 = nextDouble()
            let r = (-2 * Foundation.log(u1)).squareRoot()
            out[i] = Float(r * Foundation.cos(2 * Double.pi * u2))
            if i + 1 < out.count { out[i + 1] = Float(r * Foundation.sin(2 * Double.pi * u2)) }
            i += 2
        }
    }

    /// A random permutation of 0..<n (Fisher–Yates).
    public func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n > 1 { for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, nextInt(i + 1)) } }
        return p
    }
}

/// Sets the seed of the global generator (PyTorch's `manual_seed`).
public func manualSeed(_ seed: UInt64) { RandomGenerator.global.reseed(seed) }

/// xoshiro256** (Blackman and Vigna), seeded through SplitMix64.
public struct Xoshiro256StarStar: Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitmix(), splitmix(), splitmix(), splitmix())
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1) with 24 random bits.
    @inline(__always)
    public mutating func nextFloat() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }
}
