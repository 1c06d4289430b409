# Times the Python lifetimes package on the same summaries kam-bench fits (make bench).
import sys, time, warnings
warnings.filterwarnings("ignore")
import pandas as pd
from lifetimes import BetaGeoFitter, ParetoNBDFitter, GammaGammaFitter
df = pd.read_csv(sys.argv[1])
t0 = time.time()
bg = BetaGeoFitter().fit(df["frequency"], df["recency"], df["T"])
t1 = time.time()
pn = ParetoNBDFitter().fit(df["frequency"], df["recency"], df["T"])
t2 = time.time()
rep = df[(df["frequency"] > 0) & (df["monetary_value"] > 0)]
gg = GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"])
t3 = time.time()
p = bg.params_; q = pn.params_; g = gg.params_
print(f"lifetimes: BG/NBD {t1-t0:.2f} s, Pareto/NBD {t2-t1:.2f} s, Gamma-Gamma {t3-t2:.2f} s, total {t3-t0:.2f} s")
print(f"  BG/NBD r={p['r']:.4f} α={p['alpha']:.4f} a={p['a']:.4f} b={p['b']:.4f}; Pareto/NBD r={q['r']:.4f} α={q['alpha']:.4f} s={q['s']:.4f} β={q['beta']:.4f}; GG p={g['p']:.4f} q={g['q']:.4f} γ={g['v']:.4f}")
