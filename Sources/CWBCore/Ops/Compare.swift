import Foundation

// Comparisons give 0/1 tensors and carry no gradient; `where` selects with one.

extension Tensor {
    public func gt(_ o: Tensor) throws -> Tensor { try Elementwise.zip(self, o, "gt") { $0 > $1 ? 1 : 0 } }
    public func ge(_ o: Tensor) throws -> Tensor { try Elementwise.zip(self, o, "ge") { $0 >= $1 ? 1 : 0 } }
    public func lt(_ o: Tensor) throws -> Tensor { try Elementwise.zip(self, o, "lt") { $0 < $1 ? 1 : 0 } }
    public func le(_ o: Tensor) throws -> Tensor { try Elementwise.zip(self, o, "le") { $0 <= $1 ? 1 : 0 } }
    public func eq(_ o: Tensor) throws -> Tensor { try Elementwise.zip(self, o, "eq") { $0 == $1 ? 1 : 0 } }
    public func ne(_ o: Tensor) throws -> Tensor { try Elementwise.zip(self, o, "ne") { $0 != $1 ? 1 : 0 } }
    public func gt(_ s: Float) -> Tensor { Elementwise.map(self) { $0 > s ? 1 : 0 } }
    public func ge(_ s: Float) -> Tensor { Elementwise.map(self) { $0 >= s ? 1 : 0 } }
    public func lt(_ s: Float) -> Tensor { Elementwise.map(self) { $0 < s ? 1 : 0 } }
    public func le(_ s: Float) -> Tensor { Elementwise.map(self) { $0 <= s ? 1 : 0 } }
    public func eq(_ s: Float) -> Tensor { Elementwise.map(self) { $0 == s ? 1 : 0 } }
    public func ne(_ s: Float) -> Tensor { Elementwise.map(self) { $0 != s ? 1 : 0 } }

    /// `a` where `condition` is non-zero, else `b` (all three broadcast together).
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        let shape = try broadcastShape(try broadcastShape(condition.shape, a.shape, "where"), b.shape, "where")
        let mask = Elementwise.map(try condition.detached().expand(shape)) { $0 != 0 ? 1 : 0 }
        let ea = try a.detached().expand(shape), eb = try b.detached().expand(shape)
        let out = Tensor.uninitialized(shape)
        let pm = mask.pointer, pa = ea.pointer, pb = eb.pointer, po = out.pointer
        for i in 0..<out.count { po[i] = pm[i] != 0 ? pa[i] : pb[i] }
        let sa = a.shape, sb = b.shape
        return out.recorded("where", [a, b]) { g, c in
            [c.needs(0) ? try (g * mask).sumTo(sa) : nil,
             c.needs(1) ? try (g * (1 - mask)).sumTo(sb) : nil]
        }
    }
}
