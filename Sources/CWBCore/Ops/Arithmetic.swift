import Foundation

// Broadcasting arithmetic. Each backward rule reduces the incoming gradient back to its
// input's shape with `sumTo`, the adjoint of broadcasting. Rules capture shapes, not tensors,
// wherever that is enough: a captured tensor stays alive until the graph is freed. An input
// wants a gradient only if it was tracked when the op ran, so `c.needs(i)` implies the
// other input was kept.

extension Tensor {
    public static func + (a: Tensor, b: Tensor) throws -> Tensor {
        let sa = a.shape, sb = b.shape
        return try Elementwise.zip(a, b, "add", +).recorded("add", [a, b]) { g, c in
            [c.needs(0) ? try g.sumTo(sa) : nil, c.needs(1) ? try g.sumTo(sb) : nil]
        }
    }

    public static func - (a: Tensor, b: Tensor) throws -> Tensor {
        let sa = a.shape, sb = b.shape
        return try Elementwise.zip(a, b, "sub", -).recorded("sub", [a, b]) { g, c in
            [c.needs(0) ? try g.sumTo(sa) : nil, c.needs(1) ? try (-g).sumTo(sb) : nil]
        }
    }

    public static func * (a: Tensor, b: Tensor) throws -> Tensor {
        // Each factor is kept only for the other's gradient: x · mask (dropout) keeps the mask.
        let sa = a.shape, sb = b.shape
        let keptA = b.isTracked ? a : nil, keptB = a.isTracked ? b : nil
        return try Elementwise.zip(a, b, "mul", *).recorded("mul", [a, b]) { g, c in
            [c.needs(0) ? try (g * keptB!).sumTo(sa) : nil,
             c.needs(1) ? try (g * keptA!).sumTo(sb) : nil]
        }
    }

    public static func / (a: Tensor, b: Tensor) throws -> Tensor {
        try Elementwise.zip(a, b, "div", /).recordedUsingOutput("div", [a, b]) { g, out, c in
            [c.needs(0) ? try (g / b).sumTo(a.shape) : nil,
             c.needs(1) ? try (-(g * out) / b).sumTo(b.shape) : nil]
        }
    }

    /// x·scale + shift: the one op behind every tensor–number operator.
    public func affine(scale: Float, shift: Float) -> Tensor {
        Elementwise.map(self) { $0 * scale + shift }.recorded("affine", [self]) { g, _ in
            [g.affine(scale: scale, shift: 0)]
        }
    }

    public static prefix func - (x: Tensor) -> Tensor { x.affine(scale: -1, shift: 0) }
    public static func + (x: Tensor, s: Float) -> Tensor { x.affine(scale: 1, shift: s) }
    public static func + (s: Float, x: Tensor) -> Tensor { x.affine(scale: 1, shift: s) }
    public static func - (x: Tensor, s: Float) -> Tensor { x.affine(scale: 1, shift: -s) }
    public static func - (s: Float, x: Tensor) -> Tensor { x.affine(scale: -1, shift: s) }
    public static func * (x: Tensor, s: Float) -> Tensor { x.affine(scale: s, shift: 0) }
    public static func * (s: Float, x: Tensor) -> Tensor { x.affine(scale: s, shift: 0) }
    public static func / (x: Tensor, s: Float) -> Tensor { x.affine(scale: 1 / s, shift: 0) }
    public static func / (s: Float, x: Tensor) -> Tensor { x.pow(-1) * s }
}
