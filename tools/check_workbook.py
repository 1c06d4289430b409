#!/usr/bin/env python3
"""Reads a run folder's finance.xlsx with openpyxl and checks each sheet against the CSV it
mirrors: same header, same rows, every number equal to the CSV's printed value to its last
digit (money to the cent), numbers stored as numbers, text as text (make review-check).

usage: check_workbook.py RUN_FOLDER
"""
import csv
import datetime
import os
import sys

import openpyxl

MIRRORS = {
    "KPI summary": "kpi_summary.csv", "By tier": "kpi_by_tier.csv", "By industry": "kpi_by_industry.csv",
    "By region": "kpi_by_region.csv", "By size": "kpi_by_size.csv", "By manager": "kpi_by_manager.csv",
    "By lifecycle": "kpi_by_lifecycle.csv", "By health": "kpi_by_health.csv", "Ranked accounts": "ranked_accounts.csv",
    "Key accounts": "key_accounts.csv",
}
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def same(cell, printed):
    if cell is None:
        return printed == ""
    if isinstance(cell, str):
        return printed == cell or (cell.startswith(FORMULA_TRIGGERS) and printed == "'" + cell)
    if isinstance(cell, datetime.datetime):
        return cell.date().isoformat() == printed
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return f"{cell:.{decimals}f}" == printed


def main():
    run = sys.argv[1]
    book = openpyxl.load_workbook(os.path.join(run, "finance.xlsx"), read_only=True)
    problems, numbers = [], 0
    for sheet, file in MIRRORS.items():
        with open(os.path.join(run, file), encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        cells = [list(r) for r in book[sheet].iter_rows(values_only=True)]
        if len(cells) != len(rows):
            problems.append(f"{sheet}: {len(cells)} rows, {file}: {len(rows)}")
        # Each sheet column is found in the CSV by name (the account sheet holds some of them).
        header = [h for h in cells[0] if h is not None]
        missing = [h for h in header if h not in rows[0]]
        if missing:
            problems.append(f"{sheet}: columns {missing} are not in {file}")
            continue
        mapping = [(j, rows[0].index(h)) for j, h in enumerate(header)]
        for i, (got, want) in enumerate(zip(cells[1:], rows[1:]), 2):
            got = got + [None] * (len(header) - len(got))
            for j, k in mapping:
                numbers += isinstance(got[j], (int, float))
                if not same(got[j], want[k]):
                    problems.append(f"{sheet} row {i} column {header[j]}: {got[j]!r} against {want[k]!r} in {file}")
    for p in problems[:20]:
        print("FAIL", p)
    print(f"finance.xlsx: {len(MIRRORS)} sheets checked against their CSV files, {numbers:,} numbers, {len(problems)} differences")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
