import CSVIO
import Foundation

/// Writes a synthetic CRM export set with known truth: accounts, transactions, interactions,
/// service costs and FX rates, plus the ground truth (each account's true dropout day, every dirty row).
///
/// Purchasing follows the BG/NBD story at day grain: each account buys at a Gamma-distributed
/// rate and, after each purchase day, stops for good with a Beta-distributed probability.
///
/// Each account has a hidden relationship state that the interactions follow
/// (``relationshipState(dropout:on:)``): good until ``coolingDays`` before its dropout, then
/// cooling (fewer contacts, no events, trainings, support or projects, more complaints left
/// open, falling satisfaction, competitor mentions in the notes), then lost to a competitor
/// after it (rare e-mails, complaints and competitor mentions). The ground truth records the
/// state on the last day and the day cooling began. Everything is drawn from seeded generators
/// per account, so the same options give the same bytes.
public struct DataGenerator {
    public struct Options: Sendable {
        public var accounts: Int
        public var transactions: Int
        public var seed: UInt64
        public var output: String
        /// Last day of the data (the demo's `as_of`).
        public var endDay: Day
        public var years: Int

        public init(accounts: Int, transactions: Int, seed: UInt64, output: String, endDay: Day = Day(year: 2024, month: 12, day: 31)!, years: Int = 3) {
            self.accounts = accounts
            self.transactions = transactions
            self.seed = seed
            self.output = output
            self.endDay = endDay
            self.years = years
        }
    }

    /// What was written, with the dirt counts the clean stage must find.
    public struct Truth: Sendable, Codable {
        /// Physical lines after the header (a multi-line note spans two) and records.
        public var transactionRows = 0
        public var transactionRecords = 0
        public var interactionRows = 0
        public var accountRows = 0
        /// Lines after the header of `costs.csv` (one record each).
        public var costRows = 0
        /// Kind of dirt → rows, per file.
        public var transactionDirt: [String: Int] = [:]
        public var interactionDirt: [String: Int] = [:]
        public var costDirt: [String: Int] = [:]
        /// Valid oddities the clean stage must accept.
        public var transactionOddities: [String: Int] = [:]
        public var byteOrderMark = true
    }

    let options: Options
    static let currencies: [(code: String, rate: String, share: Double)] = [("CNY", "1", 0.85), ("USD", "7.1", 0.08), ("EUR", "7.8", 0.05), ("HKD", "0.91", 0.02)]
    static let sizes: [(name: String, share: Double, amount: Double, contact: Double)] = [
        ("Small", 0.5, 800, 0.8), ("Medium", 0.3, 3000, 1.5), ("Large", 0.15, 12000, 2.5), ("Enterprise", 0.05, 40000, 4),
    ]

    public init(_ options: Options) { self.options = options }

    /// The days before its dropout during which an account's relationship is cooling.
    public static let coolingDays = 150

    public enum RelationshipState: String, Sendable, CaseIterable { case good, cooling, lost }

    /// An account's true relationship state on `day`, from its dropout day (nil: never drops out).
    public static func relationshipState(dropout: Day?, on day: Day) -> RelationshipState {
        guard let dropout else { return .good }
        if dropout < day { return .lost }
        return dropout - day < coolingDays ? .cooling : .good
    }

    /// Per-account latent truth.
    struct Latent {
        var id: String
        var size: Int
        var currency: Int
        var rate: Double
        var dropout: Double
        var birth: Int
        var purchaseDays: [Int] = []
        var dropoutDay: Int?
        var prospect: Bool
    }

    func latent(_ i: Int, rateScale: Double) -> Latent {
        var rng = RandomSource(seed: options.seed &* 0x9E37_79B9 &+ UInt64(i))
        let start = options.endDay - (options.years * 365)
        let span = options.endDay - start
        let u = rng.uniform()
        var cumulative = 0.0
        var size = 0
        for (k, s) in Self.sizes.enumerated() {
            cumulative += s.share
            if u < cumulative { size = k; break }
        }
        let cu = rng.uniform()
        var currency = 0
        cumulative = 0
        for (k, c) in Self.currencies.enumerated() {
            cumulative += c.share
            if cu < cumulative { currency = k; break }
        }
        let prospect = options.accounts >= 20 && rng.chance(0.06)
        // λ ~ Gamma(0.9) per day, scaled; p ~ Beta(1.2, b) with a mean lifetime of about
        // twice the purchase days wanted per account, so that many accounts do drop out.
        let rate = rng.gamma(shape: 0.9) * rateScale * (0.6 + 0.4 * Double(size + 1))
        let dropout = rng.beta(1.2, 1.2 * max(4, 2 * wantedDaysPerAccount))
        let birth = start.ordinal + Int32(rng.int(max(1, span - 14)))
        var l = Latent(id: accountId(i), size: size, currency: currency, rate: rate, dropout: dropout, birth: Int(birth), prospect: prospect)
        if prospect { return l }
        var day = Int(birth)
        while day <= Int(options.endDay.ordinal) {
            l.purchaseDays.append(day)
            if rng.chance(dropout) {
                l.dropoutDay = day
                break
            }
            day += max(1, Int(rng.exponential(rate: max(rate, 1e-6)).rounded(.up)))
        }
        return l
    }

    func accountId(_ i: Int) -> String {
        let digits = max(5, String(options.accounts).count)
        let s = String(i + 1)
        return "C" + String(repeating: "0", count: max(0, digits - s.count)) + s
    }

    /// Purchase days wanted per account (a purchase day has 1.33 lines on average, plus refunds).
    var wantedDaysPerAccount: Double { Double(options.transactions) / 1.36 / Double(max(1, options.accounts)) }

    /// Finds the rate scale that gives about the requested number of lines, by bisection on a
    /// sample of accounts (the count grows with the scale).
    func rateScale() -> Double {
        let sample = min(options.accounts, 3000)
        var lo = 1e-5, hi = 50.0
        for _ in 0..<30 {
            let mid = sqrt(lo * hi)
            var days = 0
            for i in 0..<sample { days += latent(i, rateScale: mid).purchaseDays.count }
            if Double(days) / Double(max(1, sample)) < wantedDaysPerAccount { lo = mid } else { hi = mid }
            if hi / lo < 1.01 { break }
        }
        return sqrt(lo * hi)
    }

    /// The files `generate()` writes; it replaces them only in a folder that holds nothing else
    /// and has its `ground_truth.json` (a folder it wrote before).
    static let files = [
        "transactions.csv", "interactions.csv", "accounts.csv", "fx_rates.csv", "ground_truth.json", "ground_truth_accounts.csv",
        "ground_truth_dirt.csv", "costs.csv",
    ]

    public func generate() throws -> Truth {
        try OutputOwnership.check(options.output, protected: [], expected: .generatedData(Self.files))
        try FileManager.default.createDirectory(atPath: options.output, withIntermediateDirectories: true)
        let scale = rateScale()
        var truth = Truth()
        let tx = try BufferedFile(path: options.output + "/transactions.csv")
        let ix = try BufferedFile(path: options.output + "/interactions.csv")
        let ax = try BufferedFile(path: options.output + "/accounts.csv")
        let gx = try BufferedFile(path: options.output + "/ground_truth_accounts.csv")
        let dx = try BufferedFile(path: options.output + "/ground_truth_dirt.csv")
        let cx = try BufferedFile(path: options.output + "/costs.csv")
        tx.write([0xEF, 0xBB, 0xBF])
        tx.write("txn_id,line_no,account_id,txn_date,amount,currency,status,note\n")
        ix.write("interaction_id,account_id,date,type,satisfaction,resolution_days,owner,notes\n")
        ax.write("account_id,name,industry,region,size,account_manager,created_date,strategic,parent_account_id\n")
        gx.write("account_id,first_purchase,dropout_date,purchase_days,rate_per_day,dropout_probability,relationship_state,cooling_from\n")
        dx.write("file,line,kind\n")
        cx.write("account_id,cost_date,amount,currency,category\n")
        var costLine = 1
        var txLine = 1, ixLine = 1, txnId = 0, interactionId = 0
        let end = Int(options.endDay.ordinal)
        for i in 0..<options.accounts {
            var l = latent(i, rateScale: scale)
            var rng = RandomSource(seed: options.seed ^ (UInt64(i) &* 0xD1B5_4A32_D192_ED03) ^ 0x5bd1e995)
            // Account master row.
            let name = companyName(&rng)
            let created = Day(ordinal: Int32(l.birth - rng.int(400)))
            // About one account in eight belongs to a group: its parent is an earlier account,
            // itself sometimes in a group (nested). Drawn apart, so the other bytes stay as they were.
            var groupRng = RandomSource(seed: options.seed ^ 0x6772_6F75_70 ^ UInt64(i))
            let parent = i > 0 && groupRng.chance(0.12) ? accountId(groupRng.int(min(i, max(1, options.accounts / 20)))) : ""
            ax.write("\(l.id),\(csvField(name)),\(rng.pick(Self.industries)),\(rng.pick(Self.regions)),\(Self.sizes[l.size].name),\(rng.pick(Self.managers)),\(created.iso),\(rng.chance(0.015) ? "yes" : "no"),\(parent)\n")
            truth.accountRows += 1
            let dropout = l.dropoutDay.map { Day(ordinal: Int32($0)) }
            let state = Self.relationshipState(dropout: dropout, on: options.endDay)
            let coolingFrom = dropout.map { ($0 - Self.coolingDays + 1).iso } ?? ""
            gx.write("\(l.id),\(l.purchaseDays.first.map { Day(ordinal: Int32($0)).iso } ?? ""),\(dropout?.iso ?? ""),\(l.purchaseDays.count),\(String(format: "%.6f", l.rate)),\(String(format: "%.6f", l.dropout)),\(l.prospect ? "" : state.rawValue),\(coolingFrom)\n")
            // Transactions.
            let currency = Self.currencies[l.currency]
            let level = Self.sizes[l.size].amount / (Double(currency.rate) ?? 1) * exp(0.5 * rng.normal())
            var pendingRefunds: [(day: Int, amount: Double)] = []
            for day in l.purchaseDays {
                let lines = 1 + rng.poisson(0.33)
                txnId += 1
                for lineNo in 1...lines {
                    var amount = (level * exp(0.9 * rng.normal() - 0.405)).rounded(toPlaces: 2)
                    amount = max(amount, 1)
                    var status = rng.chance(0.03) ? (rng.chance(0.5) ? "cancelled" : "已取消") : (rng.chance(0.15) ? "已付款" : "paid")
                    if status == "paid" && rng.chance(0.025) && day + 30 < end {
                        pendingRefunds.append((day + 1 + rng.int(30), amount * (rng.chance(0.5) ? 1 : 0.5)))
                        status = "paid"
                    }
                    writeTransaction(
                        tx, dx, &truth, &rng, &txLine, id: "T\(txnId)", lineNo: lineNo, account: l.id, day: day, amount: amount,
                        currency: currency.code, status: status)
                }
            }
            for refund in pendingRefunds {
                txnId += 1
                let signed = rng.chance(0.5) ? -refund.amount : refund.amount
                writeTransaction(
                    tx, dx, &truth, &rng, &txLine, id: "T\(txnId)", lineNo: 1, account: l.id, day: refund.day,
                    amount: signed.rounded(toPlaces: 2), currency: currency.code, status: rng.chance(0.3) ? "退款" : "refunded")
            }
            // Interactions: a steady stream while active, the warning signs before dropout.
            writeInteractions(ix, dx, &truth, &rng, &l, &ixLine, &interactionId)
            writeServiceCosts(cx, dx, &truth, l, &costLine)
        }
        let fx = try BufferedFile(path: options.output + "/fx_rates.csv")
        fx.write("currency,rate\n")
        for c in Self.currencies { fx.write("\(c.code),\(c.rate)\n") }
        for f in [tx, ix, ax, gx, dx, fx, cx] { try f.close() }
        truth.transactionRows = txLine - 1
        truth.interactionRows = ixLine - 1
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(truth).write(to: URL(fileURLWithPath: options.output + "/ground_truth.json"))
        return truth
    }

    private func writeTransaction(
        _ tx: BufferedFile, _ dx: BufferedFile, _ truth: inout Truth, _ rng: inout RandomSource, _ line: inout Int,
        id: String, lineNo: Int, account: String, day: Int, amount: Double, currency: String, status: String
    ) {
        var accountField = account
        var dateField = Day(ordinal: Int32(day)).iso
        var amountField = formatAmount(amount)
        var note = ""
        var dirt: String?
        var oddity: String?
        let u = rng.uniform()
        switch u {
        case ..<0.003: dirt = "missing_account_id"; accountField = ""
        case ..<0.006: dirt = "bad_date"; dateField = rng.pick(["2024-02-30", "N/A", "13/45/2024", "20240105"])
        case ..<0.009: dirt = "bad_amount"; amountField = rng.pick(["N/A", "12..50", "abc", "\"1,23,4\""])
        case ..<0.013: dirt = "exact_duplicate"
        case ..<0.023: oddity = "trailing_spaces"; accountField += "  "
        case ..<0.028: oddity = "multiline_note"; note = "\"客户要求分批发货\n第二批 next week, \"\"urgent\"\"\""
        default:
            if abs(amount) >= 1000 && rng.chance(0.5) {
                oddity = "thousands_separator"
                amountField = "\"" + formatAmount(amount, grouped: true) + "\""
            }
        }
        let text = "\(id),\(lineNo),\(accountField),\(dateField),\(amountField),\(currency),\(status),\(note)\n"
        line += 1
        truth.transactionRecords += dirt == "exact_duplicate" ? 2 : 1
        tx.write(text)
        if let dirt {
            truth.transactionDirt[dirt, default: 0] += 1
            if dirt == "exact_duplicate" {
                line += 1
                tx.write(text)
                dx.write("transactions,\(line),exact_duplicate\n")
            } else {
                dx.write("transactions,\(line),\(dirt)\n")
            }
        }
        if let oddity { truth.transactionOddities[oddity, default: 0] += 1 }
        if note.contains("\n") { line += 1 }
    }

    private func writeInteractions(
        _ ix: BufferedFile, _ dx: BufferedFile, _ truth: inout Truth, _ rng: inout RandomSource, _ l: inout Latent,
        _ line: inout Int, _ nextId: inout Int
    ) {
        guard let first = l.purchaseDays.first else { return }
        let end = Int(options.endDay.ordinal)
        let contact = Self.sizes[l.size].contact
        let drop = l.dropoutDay
        // Notes come from a generator of their own, so that adding them left every other
        // byte of the data as it was.
        var idHash = StableHash()
        idHash.add(l.id)
        var notesRng = RandomSource(seed: options.seed ^ 0x6E6F_7465 ^ idHash.value)
        var day = first - rng.int(60)
        var satisfaction = 6.5 + 2.5 * rng.uniform()
        while day <= end {
            // Days until dropout; negative after it.
            let toDrop = drop.map { $0 - day } ?? Int.max
            let warning = toDrop >= 0 && toDrop < Self.coolingDays
            let gone = toDrop < 0
            let rate = contact / 30 * (gone ? 0.05 : (warning ? 0.4 : 1))
            day += max(1, Int(rng.exponential(rate: rate).rounded(.up)))
            guard day <= end else { break }
            let u = rng.uniform()
            let type: String
            var sat = ""
            var resolution = ""
            let complaintShare = gone ? 0.05 : (warning ? 0.3 : 0.04)
            let competitorShare = gone ? 0.1 : (warning ? 0.15 : 0.01)
            if u < complaintShare {
                type = rng.chance(0.3) ? "投诉" : "complaint"
                let days = (warning ? 12 : 4) * rng.exponential(rate: 1)
                resolution = rng.chance(warning ? 0.35 : 0.08) ? "" : String(Int(days.rounded()))
            } else if u < complaintShare + competitorShare {
                type = "competitor"
            } else if u < complaintShare + competitorShare + 0.08 {
                type = "survey"
                if warning { satisfaction -= 0.8 * rng.uniform() } else { satisfaction += 0.4 * (rng.uniform() - 0.4) }
                satisfaction = min(10, max(1, satisfaction))
                sat = String(Int((satisfaction + rng.normal() * 0.5).rounded()).clamped(1, 10))
            } else {
                let pool = gone ? ["email"] : (warning ? ["email", "call", "email", "电话", "meeting"] : ["email", "call", "meeting", "visit", "拜访", "event", "training", "support", "project", "电话"])
                type = rng.pick(pool)
            }
            nextId += 1
            var account = l.id
            if rng.chance(0.004) {
                account = ""
                truth.interactionDirt["missing_account_id", default: 0] += 1
                dx.write("interactions,\(line + 1),missing_account_id\n")
            }
            line += 1
            // A cooling or lost account's contacts sometimes name a competitor in their notes; a
            // good one's rarely do.
            let mentions = type != "competitor" && notesRng.chance(gone ? 0.2 : (warning ? 0.15 : 0.01))
            let notes = mentions ? csvField(notesRng.pick(Self.competitorNotes)) : ""
            ix.write("I\(nextId),\(account),\(Day(ordinal: Int32(day)).iso),\(type),\(sat),\(resolution),\(rng.pick(Self.managers)),\(notes)\n")
        }
    }

    static let competitorNotes = [
        "客户提到竞品报价更低", "asked for a quote to compare with another supplier", "采购部在做招标", "evaluating a competitor's offer",
        "考虑换供应商", "mentioned a tender next quarter",
    ]
    static let industries = ["Manufacturing", "Retail", "Healthcare", "Finance", "Logistics", "Energy", "Technology", "Education", "Automotive", "Chemicals"]
    static let regions = ["华东 East", "华北 North", "华南 South", "西南 Southwest", "海外 Overseas", "华中 Central"]
    static let managers = ["王芳", "李伟", "张敏", "Chen Jie", "Emily Zhou", "刘洋", "David Wu", "赵静"]
    static let cnPrefix = ["上海", "北京", "深圳", "杭州", "苏州", "成都", "武汉", "广州", "南京", "天津"]
    static let cnCore = ["恒信", "华瑞", "金桥", "东方", "中科", "远航", "宏达", "新锐", "博远", "天成"]
    static let cnSuffix = ["科技有限公司", "制造有限公司", "物流股份有限公司", "医疗器械有限公司", "贸易有限公司"]
    static let enCore = ["Northwind", "Blue Harbor", "Summit", "Evergreen", "Ironclad", "Silverline", "Redwood", "Apex", "Crescent", "Lakeside"]
    static let enSuffix = ["Logistics Ltd", "Industries Inc", "Medical GmbH", "Retail Group", "Energy Co", "Systems, Inc."]

    func companyName(_ rng: inout RandomSource) -> String {
        rng.chance(0.5)
            ? rng.pick(Self.cnPrefix) + rng.pick(Self.cnCore) + rng.pick(Self.cnSuffix)
            : rng.pick(Self.enCore) + " " + rng.pick(Self.enSuffix)
    }
}

func csvField(_ s: String) -> String { CSVWriter.escape(s) }

func formatAmount(_ x: Double, grouped: Bool = false) -> String {
    let cents = Int64((abs(x) * 100).rounded())
    var whole = String(cents / 100)
    if grouped {
        var out = ""
        for (k, c) in whole.reversed().enumerated() {
            if k > 0 && k % 3 == 0 { out.append(",") }
            out.append(c)
        }
        whole = String(out.reversed())
    }
    let frac = cents % 100
    return (x < 0 ? "-" : "") + whole + "." + (frac < 10 ? "0" : "") + String(frac)
}

extension Double {
    func rounded(toPlaces p: Int) -> Double {
        let f = pow(10, Double(p))
        return (self * f).rounded() / f
    }
}

extension Int {
    func clamped(_ lo: Int, _ hi: Int) -> Int { Swift.min(hi, Swift.max(lo, self)) }
}

/// Appends bytes to a file through an 8 MiB buffer.
final class BufferedFile {
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw CSVError.writeFailed(file: path, reason: "cannot create")
        }
        handle = h
        buffer.reserveCapacity(8 << 20)
    }

    func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 8 << 20 { flush() }
    }

    func write(_ bytes: [UInt8]) { buffer.append(contentsOf: bytes) }

    func flush() {
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        flush()
        try handle.close()
    }
}
