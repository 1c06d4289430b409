/// Exit codes of DESIGN §9: 0 done; 1 run failed; 2 usage or config error; 3 data-quality
/// threshold exceeded.
public enum ExitStatus {
    public static func code(for error: any Error) -> Int32 {
        switch error {
        case is ConfigError: return 2
        case is QualityGateError: return 3
        default: return 1
        }
    }
}
