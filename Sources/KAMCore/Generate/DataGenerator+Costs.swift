import Foundation

extension DataGenerator {
    /// Service cost categories, as an ERP's cost centre labels would read.
    static let costCategories = ["logistics 物流", "rebate 返利", "samples 样品", "on-site engineer 驻场工程师", "training 培训"]

    /// Writes an account's service costs (`costs.csv`): one to three rows a quarter from its
    /// first purchase until 90 days after its dropout (or the end), scaled to its size, in its
    /// own currency one time in five, with an occasional reversal; a prospect sometimes has a
    /// pre-sales cost. Drawn from a generator of its own, so that adding costs left every other
    /// byte of the data as it was. Dirty rows are recorded in the ground truth.
    func writeServiceCosts(_ cx: BufferedFile, _ dx: BufferedFile, _ truth: inout Truth, _ l: Latent, _ line: inout Int) {
        var idHash = StableHash()
        idHash.add(l.id)
        var rng = RandomSource(seed: options.seed ^ 0x636F_7374 ^ idHash.value)
        let end = Int(options.endDay.ordinal)
        let level = Self.sizes[l.size].amount
        var rows: [(day: Int, amount: Double, currency: String, category: String)] = []
        if let first = l.purchaseDays.first {
            let last = min(end, (l.dropoutDay ?? end) + 90)
            var quarter = first
            while quarter <= last {
                for _ in 0..<(1 + rng.int(3)) {
                    let day = min(last, quarter + rng.int(91))
                    var amount = (level * (0.1 + 0.6 * rng.uniform())).rounded(toPlaces: 2)
                    var currency = "CNY"
                    if l.currency != 0 && rng.chance(0.2) {
                        currency = Self.currencies[l.currency].code
                        amount = (amount / (Double(Self.currencies[l.currency].rate) ?? 1)).rounded(toPlaces: 2)
                    }
                    if rng.chance(0.02) { amount = -amount }
                    rows.append((day, max(abs(amount), 0.01) * (amount < 0 ? -1 : 1), currency, rng.pick(Self.costCategories)))
                }
                quarter += 91
            }
        } else if rng.chance(0.3) {
            rows.append((end - rng.int(300), (level * 0.5).rounded(toPlaces: 2), "CNY", "pre-sales 售前"))
        }
        for row in rows {
            var account = l.id, date = Day(ordinal: Int32(row.day)).iso, amount = formatAmount(row.amount)
            var dirt: String?
            switch rng.uniform() {
            case ..<0.005: dirt = "missing_account_id"; account = ""
            case ..<0.010: dirt = "bad_date"; date = rng.pick(["2024-13-01", "n/a", "31/31/2024"])
            case ..<0.015: dirt = "bad_amount"; amount = rng.pick(["TBD", "1.2.3", "￥"])
            case ..<0.020: dirt = "exact_duplicate"
            default: break
            }
            let text = "\(account),\(date),\(amount),\(row.currency),\(csvField(row.category))\n"
            line += 1
            cx.write(text)
            truth.costRows += 1
            if let dirt {
                truth.costDirt[dirt, default: 0] += 1
                if dirt == "exact_duplicate" {
                    line += 1
                    cx.write(text)
                    truth.costRows += 1
                }
                dx.write("costs,\(line),\(dirt)\n")
            }
        }
    }
}
