import Synchronization

/// A request to stop the running computation at its next step (the REPL's Ctrl-C sets it;
/// training loops and long script loops poll it). Atomic, so a signal handler may set it.
public enum StopRequest {
    private static let flag = Atomic<Bool>(false)

    public static var isRequested: Bool { flag.load(ordering: .relaxed) }
    public static func request() { flag.store(true, ordering: .relaxed) }
    public static func clear() { flag.store(false, ordering: .relaxed) }
}
