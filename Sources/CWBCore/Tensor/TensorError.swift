/// A mistake in how an op was called: wrong shapes, a bad argument. Always names the op and
/// the shapes or argument involved, so a REPL user can see what to change.
public struct TensorError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

@inline(__always)
func shapeString(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
