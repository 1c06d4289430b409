#!/usr/bin/env python3
"""Renders a run folder's review pack in headless Chromium and checks it (make review-check).

For each page (review/index.html, review/index.zh-CN.html): a PNG of the first screen, an A4
PDF and a PNG of every PDF page (pdftoppm) under OUT; fails on a console message from the page,
on a PDF page that is not A4, on a layout wider than A4's printable width (186 mm, 703 CSS px:
Chromium would shrink such a page to fit), or on text printed beyond the page (pdftotext -bbox).
Prints each page's bytes, render time and page count. Standard library only.

usage: review_check.py RUN_FOLDER OUT
"""
import os
import re
import shutil
import subprocess
import sys
import time

A4_POINTS = (595.3, 841.9)
# 210 mm less the print style's two 12 mm margins, at 96 CSS px per inch.
PRINTABLE_PX = 703

WRAPPER = """<!DOCTYPE html><html><body>
<iframe id="f" src="{src}" style="width:{width}px;height:900px;border:0"></iframe><pre id="result">not measured</pre>
<script>
const f = document.getElementById('f');
f.onload = () => {{
  const d = f.contentDocument.documentElement;
  document.getElementById('result').textContent = 'scroll ' + d.scrollWidth + ' client ' + d.clientWidth;
}};
</script></body></html>"""


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("review-check: no chromium on PATH (Debian: apt-get install chromium fonts-noto-cjk)")


def render(browser, page, args):
    """Runs headless Chromium on the page; returns (seconds, console messages)."""
    started = time.monotonic()
    run = subprocess.run(
        [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-pdf-header-footer",
         "--enable-logging=stderr", "--v=0", "--allow-file-access-from-files", *args, "file://" + os.path.abspath(page)],
        capture_output=True, text=True, timeout=180)
    seconds = time.monotonic() - started
    console = [line for line in run.stderr.splitlines() if ":CONSOLE" in line or "Failed to load resource" in line]
    if run.returncode != 0:
        console.append(f"chromium exited with {run.returncode}: {run.stderr[-400:]}")
    return seconds, console


def overflow(browser, page, out):
    """(scrollWidth, clientWidth) of the page laid out at the printable width, measured by a
    wrapper page of this script's (the review pack itself has no script)."""
    wrapper = os.path.join(out, "measure-width.html")
    with open(wrapper, "w", encoding="utf-8") as f:
        f.write(WRAPPER.format(src="file://" + os.path.abspath(page), width=PRINTABLE_PX))
    dom = subprocess.run(
        [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
         "--virtual-time-budget=10000", "--dump-dom", "file://" + os.path.abspath(wrapper)],
        capture_output=True, text=True, timeout=180).stdout
    os.remove(wrapper)
    m = re.search(r"scroll (\d+) client (\d+)", dom)
    return (int(m.group(1)), int(m.group(2))) if m else None


def pdf_pages(pdf):
    """Page sizes in points, from pdfinfo."""
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "9999", pdf], capture_output=True, text=True, check=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]


def widest_text(pdf):
    """The right edge of the rightmost word on any page, in points, from pdftotext -bbox."""
    html = subprocess.run(["pdftotext", "-bbox", pdf, "-"], capture_output=True, text=True, check=True).stdout
    edges = [float(x) for x in re.findall(r'xMax="([\d.]+)"', html)]
    return max(edges) if edges else 0.0


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    run, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    browser = chromium()
    problems = []
    print(f"{'page':<22} {'bytes':>10} {'render s':>9} {'pdf s':>7} {'A4 pages':>9}  screenshots")
    for name in ("index.html", "index.zh-CN.html"):
        page = os.path.join(run, "review", name)
        if not os.path.exists(page):
            problems.append(f"{page}: missing")
            continue
        stem = os.path.join(out, name.replace(".html", "").replace("index", "review"))
        shot_seconds, console = render(browser, page, ["--window-size=1100,1600", f"--screenshot={stem}.png"])
        pdf_seconds, more = render(browser, page, [f"--print-to-pdf={stem}.pdf"])
        problems += [f"{name}: console: {line}" for line in console + more]
        sizes = pdf_pages(stem + ".pdf")
        for i, (w, h) in enumerate(sizes, 1):
            if abs(w - A4_POINTS[0]) > 2 or abs(h - A4_POINTS[1]) > 2:
                problems.append(f"{name}: PDF page {i} is {w} x {h} pt, not A4")
        measured = overflow(browser, page, out)
        if measured is None:
            problems.append(f"{name}: its width at {PRINTABLE_PX} px could not be measured")
        elif measured[0] > measured[1]:
            problems.append(f"{name}: {measured[0]} px wide at A4's printable width of {measured[1]} px")
        right = widest_text(stem + ".pdf")
        if right > A4_POINTS[0]:
            problems.append(f"{name}: text reaches x = {right:.0f} pt, beyond the A4 page's {A4_POINTS[0]:.0f} pt")
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-r", "60", "-png", stem + ".pdf", stem + "-page"], check=True)
        print(f"{name:<22} {os.path.getsize(page):>10,} {shot_seconds:>9.2f} {pdf_seconds:>7.2f} {len(sizes):>9}  {stem}.png, {stem}-page-*.png")
    for p in problems:
        print("FAIL", p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
