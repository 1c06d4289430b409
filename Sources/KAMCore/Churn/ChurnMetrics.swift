import Foundation

/// How well a churn score ranked and was calibrated against what happened.
public struct ChurnMetrics: Sendable {
    public struct Bin: Sendable {
        public var lower: Double
        public var upper: Double
        public var accounts: Int
        public var meanPredicted: Double
        public var observedRate: Double
    }

    public var accounts: Int
    public var churned: Int
    /// ROC AUC (Mann–Whitney, ties counted half).
    public var auc: Double
    /// Churn rate among the top 10 % by score over the overall rate.
    public var topDecileLift: Double
    public var brier: Double
    /// Ten equal-width bins of predicted probability.
    public var calibration: [Bin]

    public init(scores: [Double], churned labels: [Bool]) {
        let n = scores.count
        accounts = n
        churned = labels.filter { $0 }.count
        auc = ChurnMetrics.auc(scores, labels)
        brier = n == 0 ? 0 : zip(scores, labels).reduce(0) { $0 + pow($1.0 - ($1.1 ? 1 : 0), 2) } / Double(n)
        let base = n == 0 ? 0 : Double(churned) / Double(n)
        let order = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
        let top = order.prefix(max(1, n / 10))
        let topRate = top.isEmpty ? 0 : Double(top.filter { labels[$0] }.count) / Double(top.count)
        topDecileLift = base > 0 ? topRate / base : 0
        calibration = (0..<10).map { b in
            let lo = Double(b) / 10, hi = Double(b + 1) / 10
            let members = scores.indices.filter { scores[$0] >= lo && (scores[$0] < hi || (b == 9 && scores[$0] <= 1)) }
            let m = Double(max(1, members.count))
            return Bin(
                lower: lo, upper: hi, accounts: members.count,
                meanPredicted: members.isEmpty ? 0 : members.reduce(0) { $0 + scores[$1] } / m,
                observedRate: members.isEmpty ? 0 : Double(members.filter { labels[$0] }.count) / m)
        }
    }

    static func auc(_ scores: [Double], _ labels: [Bool]) -> Double {
        let pos = labels.filter { $0 }.count, neg = labels.count - pos
        guard pos > 0, neg > 0 else { return 0.5 }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            let midrank = Double(i + j) / 2 + 1
            for k in i...j where labels[order[k]] { rankSum += midrank }
            i = j + 1
        }
        return (rankSum - Double(pos) * Double(pos + 1) / 2) / (Double(pos) * Double(neg))
    }

    public var json: JSONValue {
        .object([
            ("accounts", .int(accounts)), ("churned", .int(churned)), ("auc", .double(auc)),
            ("top_decile_lift", .double(topDecileLift)), ("brier", .double(brier)),
            (
                "calibration",
                .array(calibration.map { b in
                    .object([
                        ("bin", .string(String(format: "%.1f-%.1f", b.lower, b.upper))), ("accounts", .int(b.accounts)),
                        ("mean_predicted", .double(b.meanPredicted)), ("observed_rate", .double(b.observedRate)),
                    ])
                })
            ),
        ])
    }
}
