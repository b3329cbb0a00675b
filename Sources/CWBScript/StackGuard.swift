import Foundation

/// Keeps deep recursion in scripts from overflowing the stack: evaluation stops with an error
/// once it has used most of the stack of the thread it runs on (the REPL must survive any
/// input). Nesting limits alone cannot promise that: a level of script recursion needs about
/// 30 KB of stack in a debug build and far less in release.
public enum StackGuard {
    static let key = "cwb.stackSize"

    /// Bytes of stack a run starting on the current thread may use: the thread's size (a
    /// `BigStack` thread, else the main thread's limit) less a margin for the builtins and
    /// libraries called at the deepest point.
    static func budget() -> UInt {
        var size: UInt = 8 << 20
        if let big = Thread.current.threadDictionary[key] as? Int {
            size = UInt(big)
        } else {
            var limit = rlimit()
            if getrlimit(Int32(RLIMIT_STACK.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max {
                size = min(UInt(limit.rlim_cur), 64 << 20)
            }
        }
        return size > (2 << 20) ? size - (1 << 20) : size / 2
    }

    /// The current stack position (the address of a local); stacks grow down.
    @inline(never)
    static func current() -> UInt {
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }
}

/// Runs work on a thread with a large stack (reserved address space, not memory), so scripts
/// may recurse deeply. The thread blocks SIGINT: Ctrl-C is then handled by the waiting main
/// thread (its handler only raises `StopRequest`, which the work polls), and readline on the
/// main thread always sees the signal at its prompt.
public enum BigStack {
    public static let size = 512 << 20

    public static func run<T>(_ body: @escaping () -> T) -> T {
        nonisolated(unsafe) var result: T?
        nonisolated(unsafe) let work = body
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            var signals = sigset_t()
            sigemptyset(&signals)
            sigaddset(&signals, SIGINT)
            pthread_sigmask(SIG_BLOCK, &signals, nil)
            Thread.current.threadDictionary[StackGuard.key] = size
            result = work()
            done.signal()
        }
        thread.stackSize = size
        thread.start()
        done.wait()
        return result!
    }
}
