import CSVIO
import Foundation
import Yams

extension PipelineConfig {
    /// Reads and checks a pipeline file. Errors name the file, the line and the key.
    public static func load(path: String, asOfOverride: String? = nil) throws -> PipelineConfig {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let file = url.path
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigError.unreadable(file: file, reason: "no such file or not readable")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError.unreadable(file: file, reason: "not UTF-8 text")
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw ConfigError.missingKey(file: file, line: 1, key: "name") }
            root = node
        } catch let error as YamlError {
            let line: Int
            switch error {
            case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): line = mark.line
            case .duplicatedKeysInMapping(_, let context): line = context.mark.line
            default: line = 0
            }
            let reason = "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
            throw ConfigError.syntax(file: file, line: line, reason: reason)
        }
        let folder = url.deletingLastPathComponent().path
        var top = try YAMLMap(file: file, node: root, path: "")
        try top.allowOnly(["name", "as_of", "base_currency", "time_unit", "output", "fx", "inputs", "clv", "churn", "segment", "report", "relationship", "history", "key_accounts", "cost_to_serve"])
        let name = try top.requiredString("name")
        let fileAsOf = try top.string("as_of")
        let asOfText = asOfOverride ?? fileAsOf ?? "today"
        let asOf: Day
        if asOfText == "today" {
            asOf = Day.today()
        } else if let day = Day(iso: asOfText) {
            asOf = day
        } else if asOfOverride != nil {
            throw ConfigError.badAsOf(value: asOfText)
        } else {
            throw ConfigError.invalidValue(file: file, line: top.keyLine("as_of"), key: "as_of", value: asOfText, expected: "YYYY-MM-DD or today")
        }
        let base = (try top.string("base_currency"))?.uppercased() ?? "CNY"
        let unit = try top.enumValue("time_unit", TimeUnit.self) ?? .week
        let outputAsWritten = try top.string("output") ?? "out/\(name)"
        let output = resolve(outputAsWritten, in: folder)

        var fx: [String: Decimal] = [:]
        if var fxMap = try top.map("fx") {
            for (key, node, line) in fxMap.all() {
                guard let s = node.string, let rate = Decimal(string: s), rate > 0 else {
                    throw ConfigError.invalidValue(file: file, line: line, key: "fx.\(key)", value: node.string ?? "", expected: "a positive rate")
                }
                fx[key.uppercased()] = rate
            }
        }

        guard var inputsMap = try top.map("inputs") else { throw ConfigError.missingKey(file: file, line: top.line, key: "inputs") }
        try inputsMap.allowOnly(InputKind.allCases.map(\.rawValue))
        guard var txMap = try inputsMap.map("transactions") else {
            throw ConfigError.missingKey(file: file, line: inputsMap.line, key: "inputs.transactions")
        }
        let transactions = try InputConfig.read(&txMap, kind: .transactions, folder: folder)
        var others: [InputKind: InputConfig] = [:]
        for kind in [InputKind.interactions, .accounts, .fxRates, .costs] {
            if var m = try inputsMap.map(kind.rawValue) { others[kind] = try InputConfig.read(&m, kind: kind, folder: folder) }
        }
        try inputsMap.finish()

        var clv = CLVSettings()
        if var m = try top.map("clv") {
            try m.allowOnly(["model", "horizon_months", "monthly_discount_rate", "margin", "interval_draws"])
            if let model = try m.enumValue("model", CLVSettings.Model.self) {
                clv.model = model
                clv.modelConfigured = true
            }
            clv.horizonMonths = try m.int("horizon_months", in: 1...600) ?? clv.horizonMonths
            clv.monthlyDiscountRate = try m.double("monthly_discount_rate", in: 0...1) ?? clv.monthlyDiscountRate
            clv.margin = try m.double("margin", in: 0...1)
            clv.intervalDraws = try m.int("interval_draws", in: 0...10_000) ?? clv.intervalDraws
            try m.finish()
        }
        var churn = ChurnSettings()
        if var m = try top.map("churn") {
            try m.allowOnly(["horizon_days", "use", "l2_penalty", "risk_thresholds"])
            churn.horizonDays = try m.int("horizon_days", in: 1...3650) ?? churn.horizonDays
            churn.use = try m.enumValue("use", ChurnSettings.Use.self) ?? churn.use
            churn.l2 = try m.double("l2_penalty", in: 0...1e6) ?? churn.l2
            if var t = try m.map("risk_thresholds") {
                try t.allowOnly(["medium", "high"])
                churn.mediumFrom = try t.double("medium", in: 0...1) ?? churn.mediumFrom
                churn.highFrom = try t.double("high", in: 0...1) ?? churn.highFrom
                try t.finish()
                if churn.mediumFrom > churn.highFrom {
                    throw ConfigError.invalidValue(
                        file: file, line: t.line, key: "churn.risk_thresholds", value: "\(churn.mediumFrom) > \(churn.highFrom)",
                        expected: "medium ≤ high")
                }
            }
            try m.finish()
        }
        var segment = SegmentSettings()
        if var m = try top.map("segment") {
            try m.allowOnly(["abc_basis", "tier_a_up_to", "tier_b_up_to", "new_days", "dormant_days", "churned_days", "rfm_segments"])
            segment.abcBasis = try m.enumValue("abc_basis", SegmentSettings.Basis.self) ?? segment.abcBasis
            segment.tierAUpTo = try m.double("tier_a_up_to", in: 0...1) ?? segment.tierAUpTo
            segment.tierBUpTo = try m.double("tier_b_up_to", in: 0...1) ?? segment.tierBUpTo
            segment.newDays = try m.int("new_days", in: 1...3650) ?? segment.newDays
            segment.dormantDays = try m.int("dormant_days", in: 1...3650) ?? segment.dormantDays
            segment.churnedDays = try m.int("churned_days", in: 1...7300) ?? segment.churnedDays
            if let node = m.value("rfm_segments") { segment.rfmRules = try readRFMRules(node, file: file) }
            try m.finish()
            if segment.tierAUpTo > segment.tierBUpTo || segment.dormantDays > segment.churnedDays {
                throw ConfigError.invalidValue(
                    file: file, line: m.line, key: "segment", value: "thresholds out of order",
                    expected: "tier_a_up_to ≤ tier_b_up_to and dormant_days ≤ churned_days")
            }
        }
        var report = ReportSettings()
        if var m = try top.map("report") {
            try m.allowOnly(["rank_by", "excel_bom", "actions"])
            report.rankBy = try m.enumValue("rank_by", ReportSettings.RankBy.self) ?? report.rankBy
            report.excelBOM = try m.bool("excel_bom") ?? report.excelBOM
            if let node = m.value("actions") { report.actions = try readActions(node, file: file) }
            try m.finish()
        }
        var relationship = RelationshipSettings()
        if var m = try top.map("relationship") { relationship = try RelationshipSettings.read(&m, file: file) }
        let history = try top.string("history").map { resolve($0, in: folder) }
        var keyAccounts = KeyAccountSettings()
        if var m = try top.map("key_accounts") { keyAccounts = try KeyAccountSettings.read(&m, file: file) }
        var costToServe = CostToServeSettings()
        if var c = try top.map("cost_to_serve") {
            try c.allowOnly(["per_interaction"])
            if var per = try c.map("per_interaction") {
                for (label, node, line) in per.all() {
                    guard let type = InteractionType(rawValue: label) else {
                        throw ConfigError.invalidValue(
                            file: file, line: line, key: "\(per.path).\(label)", value: label,
                            expected: InteractionType.allCases.map(\.rawValue).joined(separator: ", "))
                    }
                    guard let text = node.string, let amount = Decimal(string: text), amount >= 0,
                        let units = Int64(exactly: NSDecimalNumber(decimal: amount * Decimal(Money.scale)).doubleValue.rounded()),
                        Decimal(units) == amount * Decimal(Money.scale), units % 100 == 0
                    else {
                        throw ConfigError.invalidValue(
                            file: file, line: line, key: "\(per.path).\(label)", value: node.string ?? "",
                            expected: "an amount in \(base) with at most 2 decimals, ≥ 0")
                    }
                    costToServe.perInteraction[type] = Money(units: units)
                }
            }
            try c.finish()
        }
        try top.finish()
        var config = PipelineConfig(
            file: file, name: name, asOf: asOf, baseCurrency: base, timeUnit: unit, output: output, outputAsWritten: outputAsWritten,
            inputs: Inputs(
                transactions: transactions, interactions: others[.interactions], accounts: others[.accounts],
                fxRates: others[.fxRates], costs: others[.costs]),
            fx: fx, clv: clv, churn: churn, segment: segment, report: report, relationship: relationship, history: history, keyAccounts: keyAccounts)
        config.costToServe = costToServe
        return config
    }

    static func resolve(_ path: String, in folder: String) -> String {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL.path }
        return URL(fileURLWithPath: folder).appendingPathComponent(path).standardizedFileURL.path
    }

    private static func readRFMRules(_ node: Node, file: String) throws -> [RFMRule] {
        guard let seq = node.sequence else {
            throw ConfigError.invalidValue(file: file, line: node.line, key: "segment.rfm_segments", value: "", expected: "a list")
        }
        return try seq.map { item in
            var m = try YAMLMap(file: file, node: item, path: "segment.rfm_segments")
            try m.allowOnly(["name", "r", "f", "m"])
            let name = try m.requiredString("name")
            func range(_ key: String) throws -> ClosedRange<Int> {
                guard let s = try m.string(key) else { return 1...5 }
                let parts = s.split(separator: "-").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard (1...2).contains(parts.count), let lo = parts.first, let hi = parts.last, 1 <= lo, lo <= hi, hi <= 5 else {
                    throw ConfigError.invalidValue(file: file, line: m.keyLine(key), key: "segment.rfm_segments.\(key)", value: s, expected: "a score or range such as 4-5")
                }
                return lo...hi
            }
            let rule = RFMRule(name, r: try range("r"), f: try range("f"), m: try range("m"))
            try m.finish()
            return rule
        }
    }

    private static func readActions(_ node: Node, file: String) throws -> [ActionRule] {
        guard let seq = node.sequence else {
            throw ConfigError.invalidValue(file: file, line: node.line, key: "report.actions", value: "", expected: "a list")
        }
        return try seq.map { item in
            var m = try YAMLMap(file: file, node: item, path: "report.actions")
            try m.allowOnly(["tier", "risk", "lifecycle", "action"])
            func any(_ s: String?) -> String? { s == nil || s == "any" || s == "*" ? nil : s }
            let rule = ActionRule(
                tier: any(try m.string("tier")), risk: any(try m.string("risk")), lifecycle: any(try m.string("lifecycle")),
                action: try m.requiredString("action"))
            try m.finish()
            return rule
        }
    }
}

extension InputConfig {
    /// Every key an input may set.
    static let keys = [
        "path", "encoding", "delimiter", "quote", "header", "skip_rows", "columns", "date_formats", "status_map", "type_map", "satisfaction_scale",
        "excel_serial_dates", "decimal_comma", "negative_paid_is_refund", "currency", "dedupe", "max_reject_rate", "min_rows_ratio", "margins",
    ]

    static func read(_ m: inout YAMLMap, kind: InputKind, folder: String) throws -> InputConfig {
        let file = m.file
        try m.allowOnly(Self.keys)
        let path = PipelineConfig.resolve(try m.requiredString("path"), in: folder)
        var dialect = CSVDialect()
        if let label = try m.string("encoding") {
            guard let e = TextEncoding(label: label) else {
                throw ConfigError.invalidValue(file: file, line: m.keyLine("encoding"), key: m.qualified("encoding"), value: label, expected: "utf-8 or gb18030")
            }
            dialect.encoding = e
        }
        if let d = try m.string("delimiter") {
            let byte: UInt8? = d == "\\t" || d.lowercased() == "tab" ? 0x09 : (d.utf8.count == 1 ? d.utf8.first : nil)
            guard let byte, [0x2C, 0x3B, 0x09, 0x7C].contains(byte) else {
                throw ConfigError.invalidValue(file: file, line: m.keyLine("delimiter"), key: m.qualified("delimiter"), value: d, expected: "\",\", \";\", tab or \"|\"")
            }
            dialect.delimiter = byte
        }
        if let q = try m.string("quote") {
            guard q.utf8.count == 1, let byte = q.utf8.first, byte != dialect.delimiter else {
                throw ConfigError.invalidValue(file: file, line: m.keyLine("quote"), key: m.qualified("quote"), value: q, expected: "one ASCII character")
            }
            dialect.quote = byte
        }
        dialect.hasHeader = try m.bool("header") ?? true
        dialect.skipRows = try m.int("skip_rows", in: 0...10_000) ?? 0
        guard var columnsMap = try m.map("columns") else { throw ConfigError.missingKey(file: file, line: m.line, key: m.qualified("columns")) }
        var columns: [String: String] = [:]
        let known = kind.requiredFields + kind.optionalFields
        for (key, node, line) in columnsMap.all() {
            guard known.contains(key) else {
                throw ConfigError.unknownKey(file: file, line: line, key: "\(columnsMap.path).\(key)", allowed: known)
            }
            guard let header = node.scalar?.string, !header.isEmpty else {
                throw ConfigError.invalidValue(file: file, line: line, key: "\(columnsMap.path).\(key)", value: "", expected: "the column's header in the file")
            }
            columns[key] = header
        }
        for field in kind.requiredFields where columns[field] == nil {
            throw ConfigError.missingKey(file: file, line: columnsMap.line, key: "\(columnsMap.path).\(field)")
        }
        let formats = try m.stringList("date_formats") ?? ["yyyy-MM-dd"]
        for f in formats where DatePattern(f) == nil {
            throw ConfigError.invalidValue(file: file, line: m.keyLine("date_formats"), key: m.qualified("date_formats"), value: f, expected: "a pattern of yyyy, M or MM, d or dd and separators")
        }
        var statusMap = TransactionStatus.defaultLabels
        if var sm = try m.map("status_map") {
            for (label, node, line) in sm.all() {
                guard let s = node.string, let status = TransactionStatus(rawValue: s) else {
                    throw ConfigError.invalidValue(file: file, line: line, key: "\(sm.path).\(label)", value: node.string ?? "", expected: "paid, refund, cancelled or open")
                }
                statusMap[label.lowercased()] = status
            }
        }
        var typeMap = InteractionType.defaultLabels
        if var tm = try m.map("type_map") {
            for (label, node, line) in tm.all() {
                guard let s = node.string, let type = InteractionType(rawValue: s) else {
                    throw ConfigError.invalidValue(
                        file: file, line: line, key: "\(tm.path).\(label)", value: node.string ?? "",
                        expected: InteractionType.allCases.map(\.rawValue).joined(separator: ", "))
                }
                typeMap[label.lowercased()] = type
            }
        }
        let scaleText = try m.string("satisfaction_scale")
        guard let scale = scaleText.map({ SatisfactionScale(rawValue: $0) }) ?? .oneToFive else {
            throw ConfigError.invalidValue(file: file, line: m.keyLine("satisfaction_scale"), key: m.qualified("satisfaction_scale"), value: scaleText ?? "", expected: "1-5, 1-10, 0-10 or 0-100")
        }
        var config = InputConfig(
            kind: kind, path: path, dialect: dialect, columns: columns, dateFormats: formats,
            excelSerialDates: try m.bool("excel_serial_dates") ?? false,
            decimalComma: try m.bool("decimal_comma") ?? false,
            negativePaidIsRefund: try m.bool("negative_paid_is_refund") ?? false,
            currency: (try m.string("currency"))?.uppercased(),
            statusMap: statusMap, typeMap: typeMap, satisfactionScale: scale,
            dedupe: try m.enumValue("dedupe", DedupePolicy.self) ?? (kind == .transactions && columns["txn_id"] != nil ? .txnId : .exact),
            maxRejectRate: try m.double("max_reject_rate", in: 0...1) ?? 0.05)
        config.minRowsRatio = try m.double("min_rows_ratio", in: 0...1) ?? config.minRowsRatio
        if var margins = try m.map("margins") {
            guard kind == .transactions, columns["product_line"] != nil else {
                throw ConfigError.invalidValue(
                    file: file, line: m.keyLine("margins"), key: m.qualified("margins"), value: "margins",
                    expected: "a transactions input with a product_line column mapped")
            }
            for (line, node, keyLine) in margins.all() {
                guard let text = node.string, let rate = Double(text), (0...1).contains(rate) else {
                    throw ConfigError.invalidValue(file: file, line: keyLine, key: "\(margins.path).\(line)", value: node.string ?? "", expected: "a margin rate between 0 and 1")
                }
                config.productLineCostFactors[line] = FXRate(nanoUnits: FXRate.scale - Int64((rate * Double(FXRate.scale)).rounded()))
            }
        }
        try m.finish()
        if config.dedupe == .txnId && columns["txn_id"] == nil {
            throw ConfigError.invalidValue(file: file, line: m.keyLine("dedupe"), key: m.qualified("dedupe"), value: "txn_id", expected: "a txn_id column mapped, or exact / none")
        }
        return config
    }
}

extension TransactionStatus {
    /// Labels seen in Zoho, Salesforce, 纷享销客 and ERP exports (compared lower-cased).
    static let defaultLabels: [String: TransactionStatus] = [
        "paid": .paid, "completed": .paid, "complete": .paid, "closed won": .paid, "settled": .paid, "invoiced": .paid,
        "已付款": .paid, "已支付": .paid, "已完成": .paid, "完成": .paid, "成交": .paid,
        "refund": .refund, "refunded": .refund, "returned": .refund, "return": .refund, "credit note": .refund,
        "退款": .refund, "已退款": .refund, "退货": .refund,
        "cancelled": .cancelled, "canceled": .cancelled, "void": .cancelled, "voided": .cancelled,
        "取消": .cancelled, "已取消": .cancelled, "作废": .cancelled,
        "open": .open, "quote": .open, "quotation": .open, "proposal": .open, "draft": .open,
        "报价": .open, "报价单": .open, "草稿": .open,
    ]
}

extension InteractionType {
    static let defaultLabels: [String: InteractionType] = {
        var map: [String: InteractionType] = [:]
        for t in InteractionType.allCases { map[t.rawValue] = t }
        let extra: [String: InteractionType] = [
            "phone": .call, "phone call": .call, "电话": .call, "邮件": .email, "e-mail": .email,
            "会议": .meeting, "拜访": .visit, "site visit": .visit, "活动": .event, "培训": .training,
            "技术支持": .support, "支持": .support, "ticket": .support, "项目": .project, "投诉": .complaint,
            "满意度调查": .survey, "调研": .survey, "nps": .survey, "竞品": .competitor, "竞争对手": .competitor,
            "competitor mention": .competitor,
        ]
        map.merge(extra) { a, _ in a }
        return map
    }()
}
