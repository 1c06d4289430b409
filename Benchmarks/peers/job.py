#!/usr/bin/env python3
"""kam's nightly job as an analyst would write it without kam (make bench-peers).

Reads the generated export set (transactions, interactions, fx_rates), applies kam's cleaning
rules for these exports (trimmed ids, ISO dates, exact amounts with optional thousands
separators, the status labels, FX to CNY, duplicates by txn_id + line_no merged when equal and
all rejected when they conflict, rows after as_of excluded), builds each account's purchase
summary, RFM scores and ABC tiers, fits BG/NBD and Gamma-Gamma with the `lifetimes` package,
and writes two CSVs: accounts.csv (per account) and tiers.csv (accounts and revenue per tier).

The cleaning and aggregation run in DuckDB SQL (--engine duckdb) or pandas (--engine pandas);
the model step is the same lifetimes code for both.

usage: job.py --engine duckdb|pandas DATA_DIR OUT_DIR AS_OF
"""
import argparse
import os
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")

PAID = ["paid", "completed", "complete", "closed won", "settled", "invoiced", "已付款", "已支付", "已完成", "完成", "成交"]
REFUND = ["refund", "refunded", "returned", "return", "credit note", "退款", "已退款", "退货"]
CANCELLED = ["cancelled", "canceled", "void", "voided", "取消", "已取消", "作废"]
CONTACT_TYPES = ["call", "phone", "phone call", "电话", "email", "e-mail", "邮件", "meeting", "会议", "visit", "site visit", "拜访",
                 "event", "活动", "training", "培训", "support", "ticket", "支持", "技术支持", "project", "项目"]
TX_COLUMNS = ["txn_id", "line_no", "account_id", "txn_date", "amount", "currency", "status", "note"]
GROUPED = r"-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]{1,4})?"
PLAIN = r"-?[0-9]+(\.[0-9]{1,4})?"
MARGIN, MONTHS, DISCOUNT, HORIZON_DAYS = 0.35, 12, 0.01, 90


def sql_list(values):
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def duckdb_summaries(data, as_of):
    """Per-account summaries and contact counts, cleaned and aggregated in DuckDB SQL."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads TO {os.cpu_count()}")
    names = "[" + sql_list(TX_COLUMNS) + "]"
    con.execute(f"""
        CREATE TEMP TABLE fx AS SELECT upper(trim(currency)) AS currency, CAST(rate AS DECIMAL(18, 8)) AS rate
        FROM read_csv('{data}/fx_rates.csv', header = true, all_varchar = true)""")
    con.execute(f"""
        CREATE TEMP TABLE norm AS
        SELECT trim(txn_id) AS txn_id, trim(line_no) AS line_no, trim(account_id) AS account_id,
               CAST(try_strptime(trim(txn_date), '%Y-%m-%d') AS DATE) AS day,
               CASE WHEN regexp_full_match(trim(amount), '{GROUPED}') THEN TRY_CAST(replace(trim(amount), ',', '') AS DECIMAL(18, 4))
                    WHEN regexp_full_match(trim(amount), '{PLAIN}') THEN TRY_CAST(trim(amount) AS DECIMAL(18, 4)) END AS amount,
               upper(coalesce(nullif(trim(currency), ''), 'CNY')) AS currency,
               CASE WHEN lower(trim(status)) IN ({sql_list(PAID)}) THEN 'paid'
                    WHEN lower(trim(status)) IN ({sql_list(REFUND)}) THEN 'refund'
                    WHEN lower(trim(status)) IN ({sql_list(CANCELLED)}) THEN 'cancelled' END AS status
        FROM read_csv('{data}/transactions.csv', header = true, all_varchar = true, names = {names}, quote = '"', escape = '"')""")
    con.execute(f"""
        CREATE TEMP TABLE valid AS
        SELECT n.*, round(CAST(n.amount AS DECIMAL(38, 4)) * CAST(fx.rate AS DECIMAL(38, 8)), 4) AS base FROM norm n JOIN fx USING (currency)
        WHERE n.account_id <> '' AND n.day IS NOT NULL AND n.amount IS NOT NULL AND n.status IS NOT NULL
          AND NOT (n.status = 'paid' AND n.amount < 0)""")
    # Duplicates: one row per (txn_id, line_no) when every copy agrees, none when they conflict.
    con.execute(f"""
        CREATE TEMP TABLE clean AS
        SELECT any_value(account_id) AS account_id, any_value(day) AS day, any_value(status) AS status, any_value(base) AS base
        FROM valid GROUP BY txn_id, line_no
        HAVING count(DISTINCT (account_id, day, amount, currency, status)) = 1 AND any_value(day) <= DATE '{as_of}'""")
    summaries = con.execute(f"""
        WITH days AS (
            SELECT account_id, day, bool_or(status = 'paid') AS purchase,
                   sum(CASE status WHEN 'paid' THEN base WHEN 'refund' THEN -abs(base) ELSE 0 END) AS net
            FROM clean GROUP BY account_id, day),
        firsts AS (SELECT account_id, min(day) FILTER (WHERE purchase) AS first_day, max(day) FILTER (WHERE purchase) AS last_day FROM days GROUP BY account_id)
        SELECT d.account_id,
               CAST(coalesce(sum(net) FILTER (WHERE d.day > DATE '{as_of}' - 365), 0) AS DOUBLE) AS revenue_12m,
               count(*) FILTER (WHERE purchase AND d.day > DATE '{as_of}' - 365) AS purchase_days_12m,
               DATE '{as_of}' - any_value(last_day) AS days_since_last_purchase,
               count(*) FILTER (WHERE purchase) - 1 AS repeat_purchase_days,
               (any_value(last_day) - any_value(first_day)) / 7.0 AS purchase_span_weeks,
               (DATE '{as_of}' - any_value(first_day)) / 7.0 AS age_weeks,
               CAST(avg(net) FILTER (WHERE purchase AND d.day > first_day) AS DOUBLE) AS mean_repeat_spend
        FROM days d JOIN firsts f USING (account_id)
        WHERE first_day IS NOT NULL GROUP BY d.account_id""").df()
    contacts = con.execute(f"""
        SELECT trim(account_id) AS account_id, count(*) AS contacts_90d
        FROM read_csv('{data}/interactions.csv', header = true, all_varchar = true, quote = '"', escape = '"')
        WHERE trim(account_id) <> '' AND lower(trim(type)) IN ({sql_list(CONTACT_TYPES)})
          AND CAST(try_strptime(trim(date), '%Y-%m-%d') AS DATE) > DATE '{as_of}' - 90
          AND CAST(try_strptime(trim(date), '%Y-%m-%d') AS DATE) <= DATE '{as_of}'
        GROUP BY 1""").df()
    return summaries, contacts


def pandas_summaries(data, as_of):
    """The same, in pandas."""
    end = pd.Timestamp(as_of)
    fx = pd.read_csv(f"{data}/fx_rates.csv", dtype=str)
    rates = dict(zip(fx["currency"].str.strip().str.upper(), fx["rate"].astype(float)))
    tx = pd.read_csv(f"{data}/transactions.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False, names=TX_COLUMNS, header=0)
    for c in ["txn_id", "line_no", "account_id", "txn_date", "amount", "currency", "status"]:
        tx[c] = tx[c].str.strip()
    tx["day"] = pd.to_datetime(tx["txn_date"], format="%Y-%m-%d", errors="coerce")
    grouped, plain = tx["amount"].str.fullmatch(GROUPED), tx["amount"].str.fullmatch(PLAIN)
    tx["amount_value"] = pd.to_numeric(tx["amount"].where(plain, tx["amount"].str.replace(",", "", regex=False).where(grouped)), errors="coerce")
    labels = tx["status"].str.lower()
    tx["state"] = np.select([labels.isin(PAID), labels.isin(REFUND), labels.isin(CANCELLED)], ["paid", "refund", "cancelled"], default="")
    tx["currency"] = tx["currency"].replace("", "CNY").str.upper()
    tx["rate"] = tx["currency"].map(rates)
    ok = (tx["account_id"] != "") & tx["day"].notna() & tx["amount_value"].notna() & (tx["state"] != "") & tx["rate"].notna()
    ok &= ~((tx["state"] == "paid") & (tx["amount_value"] < 0))
    tx = tx[ok].copy()
    tx["base"] = (tx["amount_value"] * tx["rate"]).round(4)
    # Duplicates: merged when every copy agrees, all rejected when they conflict.
    content = ["account_id", "day", "amount_value", "currency", "state"]
    distinct = tx.drop_duplicates(["txn_id", "line_no"] + content)
    conflicted = distinct.duplicated(["txn_id", "line_no"], keep=False)
    clean = distinct[~conflicted]
    clean = clean[clean["day"] <= end]
    clean = clean.assign(net=np.where(clean["state"] == "paid", clean["base"], np.where(clean["state"] == "refund", -clean["base"].abs(), 0.0)),
                         purchase=clean["state"] == "paid")
    days = clean.groupby(["account_id", "day"], sort=False).agg(purchase=("purchase", "any"), net=("net", "sum")).reset_index()
    bought = days[days["purchase"]]
    firsts = bought.groupby("account_id")["day"].agg(first_day="min", last_day="max")
    days = days.join(firsts, on="account_id", how="inner")
    recent = days["day"] > end - pd.Timedelta(days=365)
    repeat = days["purchase"] & (days["day"] > days["first_day"])
    g = days.assign(net_12m=days["net"].where(recent, 0.0), p12=(days["purchase"] & recent).astype(int),
                    p=days["purchase"].astype(int), repeat_net=days["net"].where(repeat), repeat=repeat.astype(int)).groupby("account_id")
    s = g.agg(revenue_12m=("net_12m", "sum"), purchase_days_12m=("p12", "sum"), purchases=("p", "sum"), repeat_sum=("repeat_net", "sum"),
              repeats=("repeat", "sum"), first_day=("first_day", "first"), last_day=("last_day", "first")).reset_index()
    s["days_since_last_purchase"] = (end - s["last_day"]).dt.days
    s["repeat_purchase_days"] = s["purchases"] - 1
    s["purchase_span_weeks"] = (s["last_day"] - s["first_day"]).dt.days / 7.0
    s["age_weeks"] = (end - s["first_day"]).dt.days / 7.0
    s["mean_repeat_spend"] = (s["repeat_sum"] / s["repeats"]).where(s["repeats"] > 0)
    ix = pd.read_csv(f"{data}/interactions.csv", dtype=str, keep_default_na=False, usecols=["account_id", "date", "type"])
    ix["account_id"] = ix["account_id"].str.strip()
    ix["day"] = pd.to_datetime(ix["date"].str.strip(), format="%Y-%m-%d", errors="coerce")
    ix = ix[(ix["account_id"] != "") & ix["type"].str.strip().str.lower().isin(CONTACT_TYPES)
            & (ix["day"] > end - pd.Timedelta(days=90)) & (ix["day"] <= end)]
    contacts = ix.groupby("account_id").size().rename("contacts_90d").reset_index()
    return s[["account_id", "revenue_12m", "purchase_days_12m", "days_since_last_purchase", "repeat_purchase_days", "purchase_span_weeks",
              "age_weeks", "mean_repeat_spend"]], contacts


def quintile_scores(values):
    """kam's RFM scores: p = (mid-rank + ½)/n over 0-based average ranks, score = 1 + ⌊5p⌋."""
    n = len(values)
    midrank = values.rank(method="average") - 1
    return np.minimum(5, 1 + np.floor(5 * (midrank + 0.5) / n)).astype(int)


def abc_tiers(s):
    ordered = s[s["revenue_12m"] > 0].sort_values(["revenue_12m", "account_id"], ascending=[False, True])
    before = ordered["revenue_12m"].cumsum().shift(fill_value=0) / ordered["revenue_12m"].sum()
    tiers = pd.Series(np.where(before < 0.8 - 1e-12, "A", np.where(before < 0.95 - 1e-12, "B", "C")), index=ordered.index)
    return tiers.reindex(s.index).fillna("C")


def model(s):
    """BG/NBD and Gamma-Gamma with lifetimes: P(alive), CLV at margin, churn in the horizon."""
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    x, tx, T = s["repeat_purchase_days"], s["purchase_span_weeks"], s["age_weeks"]
    bgf = BetaGeoFitter(penalizer_coef=0.0).fit(x, tx, T)
    m = s["mean_repeat_spend"].fillna(0)
    repeat = (x > 0) & (m > 0)
    ggf = GammaGammaFitter(penalizer_coef=0.0).fit(x[repeat], m[repeat])
    clv = ggf.customer_lifetime_value(bgf, x, tx, T, m.where(repeat, 0), time=MONTHS, discount_rate=DISCOUNT, freq="W")
    alive = bgf.conditional_probability_alive(x, tx, T)
    r, alpha, a, b = (bgf.params_[k] for k in ("r", "alpha", "a", "b"))
    t = HORIZON_DAYS / 7.0
    churn = 1 - alive * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x))
    return alive, MARGIN * clv, churn


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["duckdb", "pandas"], required=True)
    parser.add_argument("data")
    parser.add_argument("out")
    parser.add_argument("as_of")
    args = parser.parse_args()
    s, contacts = (duckdb_summaries if args.engine == "duckdb" else pandas_summaries)(args.data, args.as_of)
    s = s.sort_values("account_id").reset_index(drop=True)
    s["rfm_r"] = quintile_scores(-s["days_since_last_purchase"].astype(float))
    s["rfm_f"] = quintile_scores(s["purchase_days_12m"].astype(float))
    s["rfm_m"] = quintile_scores(s["revenue_12m"].astype(float).round(4))
    s["tier"] = abc_tiers(s)
    s["p_alive"], s["clv"], s["churn_probability_model"] = model(s)
    s = s.merge(contacts, on="account_id", how="left").fillna({"contacts_90d": 0})
    os.makedirs(args.out, exist_ok=True)
    s.to_csv(f"{args.out}/accounts.csv", index=False, float_format="%.4f")
    s.groupby("tier").agg(accounts=("account_id", "size"), revenue_12m=("revenue_12m", "sum")).reset_index().to_csv(
        f"{args.out}/tiers.csv", index=False, float_format="%.2f")


if __name__ == "__main__":
    main()
