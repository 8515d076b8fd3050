#!/usr/bin/python3
"""`cascade report` in a real headless browser (Debian's chromium; docs/analysis.md, "The report"):

- the page is one self-contained file: a Content-Security-Policy of default-src 'none', no
  script, no URL anywhere; provenance, scorecard, outcome tables and the plots as inline SVG;
- chromium renders it (--dump-dom: the SVGs are in the DOM), a screenshot shows the plots (the
  liquidation map's bar colours and the curves' colour cover many pixels), it prints to PDF;
- no request leaves the file: chromium's net log of loading the report has no request made by the
  page (the browser's own update checks are told apart by their missing initiator; the host
  resolver is mapped to nothing, so none would get out anyway), while the same check on a control
  page with one external image finds that image;
- a sweep's report has its sweep curve; errors: an existing output needs --force (exit 2), an
  unreadable results file exits 1 and writes nothing.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import matplotlib.image as mpimg
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sim", "cli"))
from cli_checks import SMOKE, check, finish, run  # noqa: E402


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def chromium(d, url, *args):
    """One headless chromium run with a fresh profile and a net log; returns (stdout, URLs)."""
    profile = tempfile.mkdtemp(dir=d)
    netlog = os.path.join(profile, "net.json")
    r = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-default-apps", "--disable-extensions", f"--user-data-dir={profile}",
         f"--log-net-log={netlog}", "--host-resolver-rules=MAP * ~NOTFOUND", *args, url],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    check(r.returncode == 0, f"chromium {' '.join(args)} (exit {r.returncode}: {r.stderr[-300:]})")
    return r.stdout, page_requests(netlog)


def page_requests(netlog):
    """URLs of the requests the page made: URL_REQUEST_START_JOB events with an initiator (the
    browser's own background requests, update checks and the like, have 'not an origin')."""
    if not os.path.exists(netlog):
        check(False, f"chromium wrote its net log {netlog}")
        return set()
    text = open(netlog, encoding="utf-8", errors="replace").read()
    try:
        log = json.loads(text)
    except json.JSONDecodeError:  # a log cut short at exit: close its event list
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = set()
    for e in log["events"]:
        params = e.get("params", {})
        if e["type"] == start_job and "url" in params and params.get("initiator") != "not an origin":
            urls.add(params.get("url", ""))
    return urls


def external(urls):
    return sorted(u for u in urls if re.match(r"(https?|wss?|ftp)://", u))


if not check(CHROMIUM is not None, "chromium is installed (tools/setup-debian.sh)"):
    sys.exit(1)

with tempfile.TemporaryDirectory() as d:
    f = lambda name: os.path.join(d, name)  # noqa: E731
    check(run("run", SMOKE, "--paths", "12", "-q", "-o", f("run.h5")).returncode == 0, "run")
    check(run("sweep", SMOKE, "--param", "assets.AIX.population.leverage_mean", "--values",
              "5,10,20", "--paths", "8", "-q", "-o", f("sweep.h5")).returncode == 0, "sweep")
    r = run("report", f("run.h5"), "-o", f("run.html"))
    check(r.returncode == 0 and "run.html" in r.stdout, f"report ({r.stderr.strip()[:200]})")
    check(run("report", f("sweep.h5"), "-o", f("sweep.html"), "-q").returncode == 0, "report of a sweep")

    html = open(f("run.html"), encoding="utf-8").read()
    check(html.startswith("<!DOCTYPE html>"), "an HTML5 document")
    check("Content-Security-Policy\" content=\"default-src 'none'" in html, "CSP default-src 'none'")
    for bad in ("<script", "http://", "https://", "src=", "href=", "url(", "@import", "<link"):
        check(bad not in html, f"self-contained: no {bad!r}")
    figures = re.findall(r'<figure id="([^"]+)"><svg', html)
    print("  figures:", figures)
    for fig in ("loss-ccdf", "price-fan-AIX", "price-fan-BTC", "liquidation-map-AIX",
                "liquidation-map-BTC", "cascade-depth", "paths-insurance_fund"):
        check(fig in figures, f"figure {fig}")
    for part in ("Risk scorecard", "P(insurance fund exhausted)", "fund draw VaR 99%",
                 "Provenance", "seed", "command line", "liquidated_notional", "per asset"
                 if False else "long share", "population: {count: 300"):
        check(part in html, f"the page shows {part!r}")
    check("@media print" in html, "print CSS")
    sweep_html = open(f("sweep.html"), encoding="utf-8").read()
    check('id="sweep-curve-liquidated_notional"' in sweep_html, "a sweep's report has its sweep curve")
    check("point 2" in sweep_html, "and per-point tables")

    # The browser: the DOM holds the plots, and nothing is requested.
    dom, urls = chromium(d, "file://" + f("run.html"), "--dump-dom")
    check(dom.count("<svg") == len(figures) and len(figures) >= 7,
          f"rendered DOM has the {len(figures)} SVG plots ({dom.count('<svg')})")
    check("Risk scorecard" in dom, "the DOM has the scorecard")
    check(not urls, f"no request leaves the file (the page's requests: {sorted(urls)[:5]})")
    with open(f("control.html"), "w") as c:
        c.write('<!DOCTYPE html><html><body><img src="http://cascade-report-check.invalid/x.png">'
                "</body></html>")
    _, control_urls = chromium(d, "file://" + f("control.html"), "--dump-dom")
    check(any("cascade-report-check.invalid" in u for u in external(control_urls)),
          "the net-log check catches an external request on a control page")

    # A screenshot shows the plots.
    _, urls = chromium(d, "file://" + f("run.html"), "--window-size=1200,3200",
                       f"--screenshot={f('shot.png')}", "--hide-scrollbars")
    img = mpimg.imread(f("shot.png"))[:, :, :3]
    rgb = np.round(img * 255).astype(int)
    def pixels(hex_colour):
        c = [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]
        return int(np.all(rgb == c, axis=2).sum())
    longs, shorts, curves = pixels("#d62728"), pixels("#2ca02c"), pixels("#1f77b4")
    print(f"  screenshot pixels: long bars {longs}, short bars {shorts}, blue {curves}")
    check(longs > 300 and shorts > 100, "the liquidation maps' bars are on screen")
    check(curves > 1000, "the curves and depth bars are on screen")
    check(np.mean(np.any(rgb < 250, axis=2)) > 0.05, "the page is not blank")
    check(not urls, "the screenshot run made no request either")

    # It prints.
    chromium(d, "file://" + f("run.html"), f"--print-to-pdf={f('report.pdf')}",
             "--no-pdf-header-footer")
    pdf = open(f("report.pdf"), "rb").read() if os.path.exists(f("report.pdf")) else b""
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    check(pdf.startswith(b"%PDF") and pages >= 2, f"prints to a PDF of {pages} A4 pages")

    # Errors.
    r = run("report", f("run.h5"), "-o", f("run.html"))
    check(r.returncode == 2 and "--force" in r.stderr, "an existing report needs --force")
    with open(f("junk.h5"), "w") as junk:
        junk.write("not hdf5")
    r = run("report", f("junk.h5"), "-o", f("junk.html"))
    check(r.returncode == 1 and not os.path.exists(f("junk.html")),
          f"an unreadable file: exit 1, nothing written ({r.stderr.strip()[:120]})")

finish()
