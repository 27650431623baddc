"""The one stylesheet of every HTML page the program writes: the monthly statement
(``report --format html``, the claim) and the agent's status page.

Inline only (the status page's Content-Security-Policy allows inline styles and
nothing else, and a statement must open the same anywhere, years later), so it is one
string that each page puts in its ``<style>``. Colours say the same thing everywhere:
green is up or met, red is down, missed or late, blue is maintenance, grey is unknown.
The day bar's cells use the statement timeline's colours: red a counted outage, amber
short outages only, blue maintenance, grey missing evidence.
"""

from __future__ import annotations

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:80rem;padding:0 1rem;
color:#1d2430;background:#f6f7f9}
h1{font-size:1.45rem;margin:0 0 .2rem}h2{font-size:1.2rem;margin:0 0 .6rem}
h3{font-size:.95rem;margin:1.1rem 0 .35rem;color:#3b4553}
.meta{color:#5a6472;margin:0 0 1.2rem}
section{background:#fff;border:1px solid #d9dde3;border-radius:6px;padding:1rem 1.25rem;
margin:0 0 1.25rem}
table{border-collapse:collapse;width:100%;margin:.25rem 0}
th,td{text-align:left;padding:.3rem .55rem;border-bottom:1px solid #e6e9ee;vertical-align:top}
th{font-weight:600;color:#3b4553;background:#f0f2f5}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.local{display:block;color:#5a6472;font-size:.9em}
td.t{white-space:nowrap}
.badge{display:inline-block;padding:.05rem .55rem;border-radius:1rem;font-weight:600;
font-size:.85em;vertical-align:middle}
.met{background:#dff3e4;color:#17642d}.missed{background:#fbe0e0;color:#9b1c1c}
.late{background:#fbe0e0;color:#9b1c1c}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.5rem}
.figure{border:1px solid #e6e9ee;border-radius:5px;padding:.45rem .65rem}
.figure b{display:block;font-size:1.15rem;font-variant-numeric:tabular-nums}
.figure span{color:#5a6472;font-size:.85em}
svg.timeline{width:100%;height:auto;display:block;font:9px system-ui,sans-serif}
svg .lane{fill:#f3f5f7}svg .grid{stroke:#dde1e6;stroke-width:.5}
svg .weekend{fill:#f7f8fa}svg .label{fill:#3b4553;font-size:10px}
svg .day{fill:#5a6472}svg .asof{stroke:#1d2430;stroke-dasharray:3 2}
.legend{display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;margin:.35rem 0 0;padding:0;
list-style:none;color:#3b4553;font-size:.9em}
.swatch{display:inline-block;width:.9rem;height:.9rem;border-radius:2px;margin-right:.35rem;
vertical-align:-.15rem}
.none{color:#5a6472;margin:.25rem 0}
footer{color:#5a6472;font-size:.85em}
.up{background:#dff3e4;color:#17642d}.down{background:#fbe0e0;color:#9b1c1c}
.maint{background:#e3ecfb;color:#1d4d9b}.unknown{background:#eceef1;color:#4b5563}
a.more{font-size:.8em;font-weight:400;margin-left:.5rem}
.daybar{display:flex;align-items:center;gap:.75rem;margin:.25rem 0 .5rem}
.daybar .cells{display:flex;flex:1;gap:1px;min-width:0;height:1.6rem}
.daybar .n{white-space:nowrap;font-variant-numeric:tabular-nums;color:#3b4553}
.cell{flex:1;min-width:1px;border-radius:1px}
.cell.clear{background:#3fae5b}.cell.short{background:#f0a020}
.cell.counted{background:#b42318}.cell.maintenance{background:#3d7bd9}
.cell.missing{background:#c3c8cf}
.legend .cell{display:inline-block;width:.7rem;height:.9rem;margin-right:.3rem;
vertical-align:-.15rem}
@media (max-width:40rem){body{margin:.75rem auto;padding:0 .5rem}
section{padding:.75rem .6rem}
table{display:block;overflow-x:auto;white-space:nowrap}th,td{padding:.25rem .4rem}
.daybar{flex-wrap:wrap}.daybar .cells{flex-basis:100%}}
"""
