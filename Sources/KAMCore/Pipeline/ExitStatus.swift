/// kam's exit codes (README "Exit codes"): 0 done; 1 run failed; 2 usage or configuration
/// error, or an output path kam will not write; 3 a data-quality gate failed; 4 another run
/// holds the output's lock (a scheduler may retry).
public enum ExitStatus {
    public static func code(for error: any Error) -> Int32 {
        switch error {
        case is ConfigError, is OutputRefusal: return 2
        case is QualityGateError: return 3
        case RunFolder.Failure.locked: return 4
        default: return 1
        }
    }
}
