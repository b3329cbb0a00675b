/// Dataset mistakes (missing folders, malformed .npy, mismatched shapes); the message names
/// the file or folder.
public struct DataError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
