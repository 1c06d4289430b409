# CLV as a ranking of realised revenue, kam against the Python lifetimes package (make bench-clv).
#
# Reads a kam backtest folder: backtest_accounts.csv holds, per account, the summaries at the
# cutoff (repeat_purchase_days = x, purchase_span_<unit>s = t_x, age_<unit>s = T,
# mean_repeat_spend), kam's CLV, the trailing 12-month revenue at the cutoff and the net revenue
# realised in (cutoff, until] (actual_spend). Fits lifetimes' BG/NBD and Gamma-Gamma on the same
# summaries, computes its CLV over the same horizon and discount, and prints Spearman's rho and
# the top-decile revenue share for the three rankings.
import csv, sys, json, warnings
warnings.filterwarnings("ignore")
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter

folder, months, monthly_rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
df = pd.read_csv(f"{folder}/backtest_accounts.csv")
unit = df["time_unit"].iloc[0]
x, tx, T = df["repeat_purchase_days"], df[f"purchase_span_{unit}s"], df[f"age_{unit}s"]
m = df["mean_repeat_spend"].fillna(0)
bgf = BetaGeoFitter(penalizer_coef=0.0).fit(x, tx, T)
rep = (x > 0) & (m > 0)
ggf = GammaGammaFitter(penalizer_coef=0.0).fit(x[rep], m[rep])
# lifetimes' `freq` is the unit of T in days' terms: "W" for weeks, "D" for days.
freq = {"week": "W", "day": "D"}[unit]
clv = ggf.customer_lifetime_value(bgf, x, tx, T, m.where(rep, 0), time=months, discount_rate=monthly_rate, freq=freq)

def ranks(s):
    return s.rank(method="average")

def metrics(key):
    rho = ranks(key).corr(ranks(df["actual_spend"]))
    order = sorted(range(len(df)), key=lambda i: (-key.iloc[i], df["account_id"].iloc[i]))
    top = (len(df) + 9) // 10
    share = df["actual_spend"].iloc[order[:top]].sum() / df["actual_spend"].sum()
    return rho, share

kam = json.load(open(f"{folder}/backtest.json"))["clv_ranking"]
rows = [("kam CLV", metrics(df["clv"])), ("lifetimes CLV (BG/NBD + Gamma-Gamma)", metrics(clv)),
        ("trailing 12-month revenue", metrics(df["revenue_12m_at_cutoff"]))]
print(f"{kam['realised']}, {len(df)} accounts")
for label, (rho, share) in rows:
    print(f"  {label:40s} Spearman {rho:.4f}   top-decile share {share:.4f}")
print(f"  (backtest.json: kam {kam['by_clv']['spearman']:.4f} / {kam['by_clv']['top_decile_share']:.4f}, "
      f"trailing {kam['by_revenue_12m']['spearman']:.4f} / {kam['by_revenue_12m']['top_decile_share']:.4f})")
