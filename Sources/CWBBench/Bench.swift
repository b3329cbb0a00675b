/// The benchmark suite behind `cwb bench` (release builds only give meaningful figures).
public enum Bench {
    /// Runs `cwb bench <suite> [options]`; returns the process exit code.
    public static func main(_ arguments: [String]) -> Int32 {
        print("cwb bench: suites are being written (kernels first)")
        return 0
    }
}
