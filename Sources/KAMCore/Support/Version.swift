public enum KAMVersion { public static let current = "0.1.0" }
