#!/usr/bin/env python3
"""Copies one harness run (results.md, and jmh.json when present) into docs/performance.md,
between the markers <!-- bench:results:begin --> / end and <!-- bench:jmh:begin --> / end.
Everything else in the page (analysis, tuning notes) is left as written. The run's chart
(chart.svg) becomes docs/performance-chart.svg, which the page shows."""
import argparse
import json
import os
import re


def jmh_table(path):
    with open(path) as f:
        runs = json.load(f)
    rows = ["| benchmark | ns/op | ± | B/op (gc.alloc.rate.norm) |", "|---|---|---|---|"]
    for run in runs:
        name = run["benchmark"].rsplit(".", 2)
        name = ".".join(name[-2:])
        params = run.get("params")
        if params:
            name += " (" + ", ".join(f"{k}={v}" for k, v in params.items()) + ")"
        primary = run["primaryMetric"]
        unit = primary["scoreUnit"]
        score, error = primary["score"], primary["scoreError"]
        if unit.startswith("us/"):
            score, error = score * 1000, error * 1000
        alloc = run.get("secondaryMetrics", {}).get("·gc.alloc.rate.norm") or \
            run.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
        alloc_text = f"{alloc['score']:.0f}" if alloc else "–"
        err = f"{error:.1f}" if error == error else "–"   # NaN with one iteration
        rows.append(f"| {name} | {score:.1f} | {err} | {alloc_text} |")
    return "\n".join(rows) + "\n"


def replace(doc, marker, body):
    begin, end = f"<!-- bench:{marker}:begin -->", f"<!-- bench:{marker}:end -->"
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
    if not pattern.search(doc):
        raise SystemExit(f"docs/performance.md has no {begin} ... {end} section")
    return pattern.sub(lambda m: f"{begin}\n{body}\n{end}", doc)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    parser.add_argument("--doc", required=True)
    args = parser.parse_args()
    with open(args.doc) as f:
        doc = f.read()
    with open(os.path.join(args.work, "results.md")) as f:
        doc = replace(doc, "results", f.read())
    jmh = os.path.join(args.work, "jmh.json")
    if os.path.exists(jmh):
        doc = replace(doc, "jmh", jmh_table(jmh))
    with open(args.doc, "w") as f:
        f.write(doc)
    chart = os.path.join(args.work, "chart.svg")
    if os.path.exists(chart):
        with open(chart) as f, open(os.path.join(os.path.dirname(args.doc), "performance-chart.svg"), "w") as out:
            out.write(f.read())


if __name__ == "__main__":
    main()
