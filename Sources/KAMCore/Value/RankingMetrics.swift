import Foundation

/// How well a ranking of accounts at a cutoff orders the revenue they bring afterwards
/// (`kam backtest`'s `clv_ranking` section; README, Backtest).
public struct RankingMetrics: Sendable, Hashable {
    /// Spearman's ρ between the ranking key and realised net revenue (average ranks for ties).
    public var spearman: Double
    /// Share of all realised net revenue brought by the top 10 % of accounts by the key
    /// (⌈n/10⌉ accounts; ties broken by account ID).
    public var topDecileShare: Double

    public init(ids: [String], key: [Double], realised: [Double]) {
        spearman = Self.pearson(Self.ranks(key), Self.ranks(realised))
        let order = ids.indices.sorted { key[$0] != key[$1] ? key[$0] > key[$1] : ids[$0] < ids[$1] }
        let top = (ids.count + 9) / 10
        let total = realised.reduce(0, +)
        let captured = order.prefix(top).reduce(0.0) { $0 + realised[$1] }
        topDecileShare = total != 0 ? captured / total : 0
    }

    /// Pearson's correlation; 0 when either side does not vary (or has fewer than two values).
    static func pearson(_ a: [Double], _ b: [Double]) -> Double {
        let n = Double(a.count)
        guard n > 1 else { return 0 }
        let ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for (x, y) in zip(a, b) {
            sab += (x - ma) * (y - mb)
            saa += (x - ma) * (x - ma)
            sbb += (y - mb) * (y - mb)
        }
        return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : 0
    }

    /// Ranks 1…n with ties given their average rank.
    static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && values[order[j + 1]] == values[order[i]] { j += 1 }
            let average = Double(i + j) / 2 + 1
            for k in i...j { ranks[order[k]] = average }
            i = j + 1
        }
        return ranks
    }

    var json: JSONValue { .object([("spearman", .double(spearman)), ("top_decile_share", .double(topDecileShare))]) }
}
