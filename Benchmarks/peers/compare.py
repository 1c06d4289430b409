#!/usr/bin/env python3
"""Checks that a peer job's accounts.csv agrees with kam's ranked_accounts.csv, so that the
benchmark compares the same work (make bench-peers). Exits 1 when a tolerance is not met.

Tolerances, over the accounts with a purchase (both sides must have the same set):
- exact: repeat purchase days, purchase days in 12 months, days since the last purchase, RFM
  scores, ABC tier, contacts in 90 days; revenue_12m to the cent;
- purchase span and age in weeks to 1e-3;
- P(alive) and the model churn probability within 0.01 absolute for 99 % of accounts;
- CLV within 2 % relative (or 1.00 absolute) for 98 % of accounts, and Spearman ≥ 0.999
  (lifetimes counts a month as 4.345 weeks, kam as 365.25/12 days) — when kam's spend per
  purchase is Gamma-Gamma's, as lifetimes' is; when kam found that fit unusable and used its
  credibility estimate (manifest `models.spend_policy`), the CLVs differ by design and only the
  purchase model's columns above are held to tolerance.

usage: compare.py KAM_RUN_FOLDER PEER_OUT_FOLDER
"""
import json
import sys

import pandas as pd


def main():
    kam = pd.read_csv(f"{sys.argv[1]}/ranked_accounts.csv", dtype={"account_id": str}, keep_default_na=False, na_values=[""])
    peer = pd.read_csv(f"{sys.argv[2]}/accounts.csv", dtype={"account_id": str})
    kam = kam[kam["repeat_purchase_days"].notna()]
    contact_columns = [f"{t}_90d" for t in ("calls", "emails", "meetings", "visits", "events", "trainings", "support", "projects")]
    kam = kam.assign(contacts_90d=kam[contact_columns].fillna(0).sum(axis=1))
    both = kam.merge(peer, on="account_id", suffixes=("_kam", "_peer"), how="outer", indicator=True)
    problems = []
    only = both["_merge"] != "both"
    if only.any():
        problems.append(f"{only.sum()} accounts on one side only, e.g. {both.loc[only, 'account_id'].head(5).tolist()}")
    both = both[~only]

    def share(mask):
        return mask.mean() if len(mask) else 1.0

    for column in ["repeat_purchase_days", "purchase_days_12m", "days_since_last_purchase", "rfm_r", "rfm_f", "rfm_m", "contacts_90d"]:
        equal = share(both[f"{column}_kam"].astype(float) == both[f"{column}_peer"].astype(float))
        if equal < 1:
            problems.append(f"{column}: equal for {equal:.4%} of accounts")
    tier = share(both["tier_kam"] == both["tier_peer"])
    if tier < 1:
        problems.append(f"tier: equal for {tier:.4%}")
    cents = share((both["revenue_12m_kam"] - both["revenue_12m_peer"]).abs() < 0.005 + 1e-9)
    if cents < 1:
        problems.append(f"revenue_12m: equal to the cent for {cents:.4%}")
    for column in ["purchase_span_weeks", "age_weeks"]:
        close = share((both[f"{column}_kam"] - both[f"{column}_peer"]).abs() < 1e-3)
        if close < 1:
            problems.append(f"{column}: within 1e-3 for {close:.4%}")
    for column in ["p_alive", "churn_probability_model"]:
        close = share((both[f"{column}_kam"] - both[f"{column}_peer"]).abs() <= 0.01)
        if close < 0.99:
            problems.append(f"{column}: within 0.01 for {close:.4%} (< 99 %)")
    diff = (both["clv_kam"] - both["clv_peer"]).abs()
    clv = share((diff <= 0.02 * both["clv_peer"].abs()) | (diff <= 1.0))
    rho = both["clv_kam"].rank().corr(both["clv_peer"].rank())
    with open(f"{sys.argv[1]}/manifest.json", encoding="utf-8") as f:
        policy = json.load(f)["models"]["spend_policy"]
    gamma_gamma = policy.startswith("Gamma-Gamma")
    if gamma_gamma and (clv < 0.98 or rho < 0.999):
        problems.append(f"clv: within 2 % for {clv:.4%} (< 98 %), Spearman {rho:.5f}")
    if not gamma_gamma:
        print(f"  kam's spend policy is not Gamma-Gamma ({policy[:60]}…): CLV not held to tolerance")
    print(f"  agreement with kam over {len(both):,} accounts: "
          + ("all tolerances met" if not problems else "; ".join(problems))
          + f" (CLV within 2 %: {clv:.2%}, Spearman {rho:.5f})")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
