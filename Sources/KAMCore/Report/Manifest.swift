import Foundation

/// Builds `manifest.json`: what was read (with checksums and the reconciliation of every
/// input), what was fitted, what was chosen and why, and how long each stage took.
enum Manifest {
    static func control(_ t: ControlTotal) -> JSONValue {
        .object([
            ("rows", .int(t.rows)),
            ("by_currency", .object(t.byCurrency.keys.sorted().map { ($0, .exactMoney(t.byCurrency[$0]!)) })),
            ("base", .exactMoney(t.base)),
            ("rows_without_rate", .int(t.unconvertedRows)),
        ])
    }

    /// Each reject reason's most frequent values (`"待审核": 901`), so a single run shows what
    /// to map.
    static func examples(_ examples: [RejectReason: RejectExamples]) -> JSONValue {
        .object(examples.keys.sorted().map { reason in
            let e = examples[reason]!
            var pairs = e.top().map { ($0.value, JSONValue.int($0.count)) }
            if e.others > 0 { pairs.append(("(other values, not counted one by one)", .int(e.others))) }
            return (reason.rawValue, .object(pairs))
        })
    }

    static func input(
        _ kind: InputKind, _ ledger: InputLedger, _ file: InputFileInfo, examples: [RejectReason: RejectExamples], config: PipelineConfig
    ) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("path", .string(file.path)), ("bytes", .int(file.bytes)), ("sha256", .string(file.sha256)),
            ("encoding", .string(file.encoding)), ("byte_order_mark", .bool(file.hadByteOrderMark)),
            ("delimiter", .string(file.delimiter)), ("title_lines_skipped", .int(file.titleLinesSkipped)),
            ("header", .array(file.header.map(JSONValue.string))),
            ("rows_read", .int(ledger.rowsRead)), ("rows_accepted", .int(ledger.rowsAccepted)),
            ("rows_rejected", .int(ledger.rowsRejected)), ("duplicates_merged", .int(ledger.duplicatesMerged)),
            ("excluded_after_as_of", .int(ledger.excludedAfterAsOf)), ("excluded_open", .int(ledger.excludedOpen)),
            ("reconciles", .bool(ledger.balances)),
            ("reject_rate", .double(ledger.rejectRate)),
            ("rejects_by_reason", .object(ledger.rejectsByReason.keys.sorted().map { ($0.rawValue, .int(ledger.rejectsByReason[$0]!)) })),
            ("reject_examples", Self.examples(examples)),
        ]
        if kind == .costs {
            pairs.append(("control_totals", controlTotals(ledger, open: false, note: "amounts per currency as the export wrote them, exact to four decimals; base = converted to \(config.baseCurrency) at the rate of the row's day; read = accepted + rejected + duplicates_merged + excluded_after_as_of")))
        }
        if kind == .transactions {
            let window = (config.asOf - 364)...config.asOf
            pairs += [
                (
                    "control_totals",
                    controlTotals(ledger, open: true, note: "amounts per currency as the export wrote them (a refund with the sign it was given), exact to four decimals so that they add up as printed; base = converted to \(config.baseCurrency); read = accepted + rejected + duplicates_merged + excluded_after_as_of + excluded_open")
                ),
                (
                    "accepted_lines",
                    .object([
                        ("paid", .int(ledger.paidLines)), ("refund", .int(ledger.refundLines)), ("cancelled", .int(ledger.cancelledLines)),
                        ("paid_base", .exactMoney(ledger.paidBase)), ("refunded_base", .exactMoney(ledger.refundedBase)),
                        ("cancelled_base_excluded_from_revenue", .exactMoney(ledger.cancelledBase)),
                        ("net_revenue_base", .exactMoney(ledger.netRevenueBase)),
                        ("net_revenue_base_12m", .exactMoney(ledger.netRevenue(in: window))),
                    ])
                ),
            ]
        }
        return .object(pairs)
    }

    /// An input's amount control totals per bucket (transactions also have open lines).
    static func controlTotals(_ ledger: InputLedger, open: Bool, note: String) -> JSONValue {
        .object(
            [
                ("currency_note", .string(note)), ("read", control(ledger.read)), ("accepted", control(ledger.accepted)),
                ("rejected", control(ledger.rejected)), ("duplicates_merged", control(ledger.merged)),
                ("excluded_after_as_of", control(ledger.excluded)),
            ] + (open ? [("excluded_open", control(ledger.open))] : []) + [("reconciles", .bool(ledger.amountsBalance))])
    }

    /// The manifest of `<output>.failed/`: why the run stopped and where every row of every
    /// input went.
    static func failed(_ failures: [GateFailure], clean: CleanData, config: PipelineConfig, runId: String, started: String) -> JSONValue {
        .object([
            ("run_id", .string(runId)), ("status", .string("failed")), ("pipeline", .string(config.name)),
            ("pipeline_file", .string(config.file)), ("as_of", .string(config.asOf.iso)), ("tool", .string("kam")),
            ("tool_version", .string(KAMVersion.current)), ("started_utc", .string(started)),
            (
                "failures",
                .array(failures.map { .object([("input", .string($0.input.rawValue)), ("reason", .string($0.reason))]) })
            ),
            (
                "inputs",
                .object(clean.ledgers.keys.sorted().map { k in
                    (k.rawValue, input(k, clean.ledgers[k]!, clean.files[k]!, examples: clean.rejects.examples(k), config: config))
                })
            ),
            ("outputs", .array(["manifest.json", "rejects.csv"].map(JSONValue.string))),
        ])
    }

    /// Every FX rate kam had (inline `fx:` and the `fx_rates` input): currency, the day it is
    /// valid from (null: every day no dated rate covers), the rate, and how many transaction
    /// rows it converted to the base currency.
    static func fxRates(_ clean: CleanData) -> JSONValue {
        .array(clean.fx.rates.map { key, rate in
            .object([
                ("currency", .string(key.currency)), ("valid_from", key.validFrom.map { .string($0.iso) } ?? .null),
                ("rate", .double(rate.double)), ("rows_converted", .int(clean.rowsConverted[key] ?? 0)),
            ])
        })
    }

    static func fit(_ d: FitDiagnostics, params: [(String, Double)], unit: TimeUnit?) -> JSONValue {
        var pairs: [(String, JSONValue)] = params.map { ($0.0, .double($0.1)) }
        pairs += [
            ("log_likelihood", .double(d.logLikelihood)), ("status", .string(d.status)), ("evidence", .string(d.evidence)),
            ("optimizer_converged", .bool(d.converged)), ("iterations", .int(d.iterations)),
            ("starts", .int(d.starts)), ("accounts", .int(d.accounts)), ("distinct_summaries", .int(d.distinct)),
            ("parameters_at_bound", .array(d.parametersAtBound.map(JSONValue.string))),
            ("parameters_near_bound", .array(d.parametersNearBound.map(JSONValue.string))),
            ("weakly_identified", .array(d.weaklyIdentified.map(JSONValue.string))),
            ("standard_errors_of_log_parameters", .object(zip(d.names, d.standardErrors).map { ($0, $1.map(JSONValue.double) ?? .null) })),
            ("usable", .bool(d.isUsable)), ("problem", d.problem.map(JSONValue.string) ?? .null),
        ]
        if let unit { pairs.append(("time_unit", .string(unit.rawValue))) }
        return .object(pairs)
    }

    /// Each stage's time and rows, in the order the graph was given them.
    static func stages(_ timings: [StageGraph.Timing]) -> JSONValue {
        .array(
            timings.map {
                .object([("name", .string($0.name)), ("seconds", .double(($0.seconds * 1000).rounded() / 1000)), ("rows", .int($0.rows))])
            })
    }

    /// The entry of a purchase model left unfitted because the pipeline configures the other.
    static func notFitted(_ config: PipelineConfig) -> JSONValue {
        .object([
            ("fitted", .bool(false)),
            ("reason", .string("clv.model is configured as \(config.clv.model.rawValue) and its fit is usable, so this model was not fitted")),
        ])
    }

    static func models(_ v: ValueResult, config: PipelineConfig) -> JSONValue {
        .object([
            ("bgnbd", v.bgnbd.map { m in fit(v.bgnbdFit!, params: [("r", m.r), ("alpha", m.alpha), ("a", m.a), ("b", m.b)], unit: config.timeUnit) } ?? notFitted(config)),
            ("pareto_nbd", v.pareto.map { m in fit(v.paretoFit!, params: [("r", m.r), ("alpha", m.alpha), ("s", m.s), ("beta", m.beta)], unit: config.timeUnit) } ?? notFitted(config)),
            ("gamma_gamma", fit(v.gammaGammaFit, params: [("p", v.gammaGamma.p), ("q", v.gammaGamma.q), ("gamma", v.gammaGamma.gamma)], unit: nil)),
            ("used", .string(v.modelUsed.rawValue)), ("reason", .string(v.modelReason)), ("spend_policy", .string(v.spendPolicy)),
            ("interval_policy", v.intervalPolicy.map(JSONValue.string) ?? .null),
            (
                "clv",
                .object([
                    ("horizon_months", .int(config.clv.horizonMonths)), ("monthly_discount_rate", .double(config.clv.monthlyDiscountRate)),
                    ("margin", config.clv.margin.map(JSONValue.double) ?? .null),
                    ("margin_policy", .string(ProfitColumns.marginPolicy(config))),
                    ("cost_to_serve_policy", .string(ProfitColumns.costToServePolicy(config))),
                    ("month_length_days", .double(365.25 / 12)),
                ])
            ),
        ])
    }

    static func churn(_ c: ChurnResult, config: PipelineConfig) -> JSONValue {
        .object([
            ("used", .string(c.used.rawValue)), ("reason", .string(c.reason)), ("horizon_days", .int(config.churn.horizonDays)),
            (
                "risk_bands",
                .object([
                    ("low", .string("churn_probability < \(config.churn.mediumFrom)")),
                    ("medium", .string("\(config.churn.mediumFrom) ≤ churn_probability < \(config.churn.highFrom)")),
                    ("high", .string("churn_probability ≥ \(config.churn.highFrom)")),
                ])
            ),
            (
                "training",
                .object([
                    ("features_as_of", .string(c.trainingDay.iso)), ("label", .string("no purchase day in (\(c.trainingDay.iso), \(config.asOf.iso)]")),
                    ("accounts", .int(c.trainingAccounts)), ("churned", .int(c.trainingChurned)),
                    ("retained", .int(c.trainingAccounts - c.trainingChurned)),
                ])
            ),
            ("model_based_holdout", c.modelHoldout?.json ?? .null),
            ("supervised_holdout", c.supervisedHoldout?.json ?? .null),
            ("coefficients", .object(c.coefficients.map { ($0.0, .double($0.1)) })),
        ])
    }
}
