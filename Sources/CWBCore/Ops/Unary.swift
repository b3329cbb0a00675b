import Foundation

// Elementwise functions. Derivatives are written with differentiable ops; masks (the
// derivative of relu, abs, clamp) are constants, so second derivatives there are zero, as
// in PyTorch.

extension Tensor {
    public func exp() -> Tensor {
        Elementwise.map(self) { Foundation.exp($0) }.recordedUsingOutput("exp", [self]) { g, out, _ in [try g * out] }
    }

    public func log() -> Tensor {
        Elementwise.map(self) { Foundation.log($0) }.recorded("log", [self]) { g, _ in [try g / self] }
    }

    public func sqrt() -> Tensor {
        Elementwise.map(self) { $0.squareRoot() }.recordedUsingOutput("sqrt", [self]) { g, out, _ in
            [try g / (out * 2)]
        }
    }

    /// xᵖ for a constant exponent.
    public func pow(_ p: Float) -> Tensor {
        let out: Tensor
        if p == 2 { out = Elementwise.map(self) { $0 * $0 } }
        else if p == -1 { out = Elementwise.map(self) { 1 / $0 } }
        else if p == 0.5 { out = Elementwise.map(self) { $0.squareRoot() } }
        else { out = Elementwise.map(self) { Foundation.pow($0, p) } }
        return out.recorded("pow", [self]) { g, _ in
            if p == 1 { return [g] }
            if p == 2 { return [try g * (self * 2)] }
            return [try g * (self.pow(p - 1) * p)]
        }
    }

    /// xʸ with a tensor exponent (broadcasting).
    public func pow(_ y: Tensor) throws -> Tensor {
        try Elementwise.zip(self, y, "pow") { Foundation.pow($0, $1) }.recordedUsingOutput("pow", [self, y]) { g, out, c in
            [c.needs(0) ? try (g * y * (try self.pow(y - 1))).sumTo(self.shape) : nil,
             c.needs(1) ? try (g * out * self.log()).sumTo(y.shape) : nil]
        }
    }

    public func abs() -> Tensor {
        Elementwise.map(self) { Swift.abs($0) }.recorded("abs", [self]) { g, _ in [try g * self.signMask()] }
    }

    public func clamp(min lo: Float = -.infinity, max hi: Float = .infinity) -> Tensor {
        Elementwise.map(self) { Swift.min(Swift.max($0, lo), hi) }.recorded("clamp", [self]) { g, _ in
            [try g * Elementwise.map(self) { $0 >= lo && $0 <= hi ? 1 : 0 }]
        }
    }

    public func relu() -> Tensor { leakyRelu(0) }

    public func leakyRelu(_ slope: Float = 0.01) -> Tensor {
        Elementwise.map(self) { $0 > 0 ? $0 : $0 * slope }.recorded(slope == 0 ? "relu" : "leaky_relu", [self]) { g, _ in
            [g.scaledBySign(of: self, negative: slope)]
        }
    }

    /// g where x > 0, g·negative elsewhere: the (leaky) relu's backward in one pass. Linear
    /// in g with a constant mask, so it is its own backward rule.
    func scaledBySign(of x: Tensor, negative: Float) -> Tensor {
        let out = Tensor.uninitialized(shape)
        let pg = pointer, px = x.pointer, po = out.pointer
        Parallel.forChunks(count, minChunk: Elementwise.parallelThreshold) { r in
            for i in r { po[i] = px[i] > 0 ? pg[i] : pg[i] * negative }
        }
        return out.recorded("scaled_by_sign", [self]) { gg, _ in [gg.scaledBySign(of: x, negative: negative)] }
    }

    public func tanh() -> Tensor {
        let out = Tensor.uninitialized(shape)
        Transcendental.apply(pointer, out.pointer, count: count, Transcendental.tanh)
        return out.recordedUsingOutput("tanh", [self]) { g, out, _ in
            [try g * (1 - out * out)]
        }
    }

    public func sigmoid() -> Tensor {
        Elementwise.map(self) { 1 / (1 + Foundation.exp(-$0)) }.recordedUsingOutput("sigmoid", [self]) { g, out, _ in
            [try g * (out * (1 - out))]
        }
    }

    /// sign(x) as a constant (0 at 0, as PyTorch's abs derivative).
    func signMask() -> Tensor { Elementwise.map(self) { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) } }
}
