/// Every mistake in the imaging code (bad file, bad size, bad argument) is one of these;
/// the message names the file or the sizes involved.
public struct ImageError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
