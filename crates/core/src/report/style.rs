//! The report's inline stylesheet: the page's palette and typography (www/style.css),
//! light and dark by `prefers-color-scheme`, and a print stylesheet (light, no shadows,
//! colours kept, one column, cards not split across pages).

pub const CSS: &str = r#":root {
  --bg: #f5f7fa; --surface: #ffffff; --surface-2: #eef2f7; --text: #17212b; --muted: #5b6b7c;
  --border: #d7dee7; --accent: #0072b2; --warn: #e69f00; --error: #c0392b; --error-bg: #fdecea;
  --ok: #009e73; --idle: #e4e9ef; --unknown: #b8c2cc; --before: #9aa5b1; --after: #0072b2;
  --shadow: 0 1px 2px rgba(16, 24, 40, 0.06), 0 4px 16px rgba(16, 24, 40, 0.06);
  --radius: 10px;
  --mono: ui-monospace, "SF Mono", "JetBrains Mono", Menlo, Consolas, monospace;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color-scheme: light;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f141a; --surface: #161d26; --surface-2: #1d2632; --text: #e6edf3; --muted: #93a1b0;
    --border: #2a3543; --accent: #56b4e9; --error: #ff8a80; --error-bg: #3a1d1d; --idle: #222b36;
    --unknown: #3d4856; --before: #8a96a3; --after: #56b4e9;
    --shadow: 0 1px 2px rgba(0, 0, 0, 0.4), 0 4px 16px rgba(0, 0, 0, 0.3);
    color-scheme: dark;
  }
}
* { box-sizing: border-box; }
html, body { margin: 0; }
body { background: var(--bg); color: var(--text); font: 15px/1.5 var(--sans); }
h1, h2, h3 { margin: 0; font-weight: 650; letter-spacing: -0.01em; }
code, .mono { font-family: var(--mono); }
.muted { color: var(--muted); }
.small { font-size: 12px; }
.page { min-height: 100vh; display: flex; flex-direction: column; }
.masthead {
  display: flex; align-items: center; justify-content: space-between; flex-wrap: wrap; gap: 12px;
  padding: 14px 24px; background: var(--surface); border-bottom: 1px solid var(--border);
}
.brand { display: flex; align-items: baseline; gap: 10px; flex-wrap: wrap; }
.brand h1 { font-size: 20px; }
.logo { color: var(--accent); font-size: 20px; }
.tagline { color: var(--muted); font-size: 13px; }
.file-chip { font: 12px var(--mono); color: var(--muted); background: var(--surface-2); padding: 2px 8px; border-radius: 999px; max-width: 60ch; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.content { flex: 1; padding: 20px 24px 32px; display: flex; flex-direction: column; gap: 16px; }
.card { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); box-shadow: var(--shadow); padding: 16px 20px; }
.summary-head { display: flex; justify-content: space-between; align-items: flex-start; gap: 12px; }
.summary .file-name { font: 600 16px var(--mono); word-break: break-all; }
.verdict-line { margin: 6px 0 0; font-size: 13px; display: flex; align-items: center; gap: 6px; flex-wrap: wrap; }
.facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(130px, 1fr)); gap: 12px; margin: 14px 0 0; }
.facts div { background: var(--surface-2); border-radius: 8px; padding: 10px 12px; }
.facts dt { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.05em; }
.facts dd { margin: 2px 0 0; font: 600 20px var(--sans); font-variant-numeric: tabular-nums; word-break: break-word; }
.facts dd .mono { font-size: 16px; }
.section-head { display: flex; align-items: baseline; justify-content: space-between; gap: 8px; margin-bottom: 10px; flex-wrap: wrap; }
.section-head h2 { font-size: 15px; }

.workspace { display: grid; grid-template-columns: minmax(300px, 380px) minmax(0, 1fr); gap: 16px; align-items: start; }
.main-area { display: flex; flex-direction: column; gap: 16px; min-width: 0; }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 20px; margin-top: 12px; }
.side { min-width: 0; margin: 0; }
.side-title { font-size: 13px; margin-bottom: 2px; }

.legend { display: inline-flex; align-items: center; gap: 6px; font-size: 12px; flex-wrap: wrap; }
.legend-gradient { display: inline-block; width: 120px; height: 10px; border-radius: 3px; }
.legend-scale { display: inline-flex; gap: 2px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 3px; vertical-align: middle; }
.idle-swatch { background: var(--idle); border: 1px dashed var(--unknown); margin-left: 8px; }
.unknown-swatch { background: repeating-linear-gradient(45deg, var(--unknown) 0 1.5px, var(--idle) 1.5px 4px); }
.before-swatch { background: var(--before); }
.after-swatch { background: var(--after); }

.gpu-grid-wrap figcaption { font-size: 12px; margin-bottom: 6px; }
.gpu-grid { width: 100%; height: auto; display: block; }
.server-box { fill: var(--surface-2); stroke: var(--border); stroke-width: 0.6; }
.server-label { fill: var(--muted); font: 8px var(--sans); }
.cell { stroke: rgba(0, 0, 0, 0.08); stroke-width: 0.5; }
@media (prefers-color-scheme: dark) { .cell.used { stroke: rgba(255, 255, 255, 0.35); stroke-width: 0.7; } }
.cell.idle { fill: var(--idle); stroke: var(--unknown); stroke-dasharray: 1.5 1.5; stroke-width: 0.6; }
.cell.beyond { stroke: var(--error); stroke-width: 1.6; stroke-dasharray: 2 1.2; }

.findings { padding: 14px 16px; }
.findings-side + .findings-side, .findings-side + .refused { margin-top: 18px; padding-top: 14px; border-top: 1px solid var(--border); }
.findings-head { display: flex; align-items: center; justify-content: space-between; gap: 8px; }
.findings-head h2 { font-size: 15px; }
.verdict { font: 700 12px var(--sans); letter-spacing: 0.06em; padding: 2px 10px; border-radius: 999px; }
.verdict.fail { background: var(--error-bg); color: var(--error); border: 1px solid var(--error); }
.verdict.pass { background: color-mix(in srgb, var(--ok) 15%, transparent); color: var(--ok); border: 1px solid var(--ok); }
.tally { font-size: 12px; margin: 4px 0 10px; }
.finding-group h3 { font-size: 12px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); margin: 14px 0 6px; display: flex; gap: 6px; align-items: center; }
.finding-group .count { background: var(--surface-2); border-radius: 999px; padding: 0 7px; font-size: 11px; }
.finding { border: 1px solid var(--border); border-left: 4px solid var(--border); border-radius: 8px; padding: 8px 10px; margin-bottom: 8px; background: var(--surface); font-size: 13px; break-inside: avoid; }
.error .finding { border-left-color: var(--error); }
.warning .finding { border-left-color: var(--warn); }
.info .finding { border-left-color: var(--accent); }
.finding-code { font: 700 11px var(--mono); letter-spacing: 0.02em; }
.finding-message { margin: 4px 0; overflow-wrap: anywhere; }
.finding-nodes, .finding-gpus { margin: 2px 0; font-size: 12px; overflow-wrap: anywhere; }
.finding-nodes code, .finding-gpus code { font-size: 11.5px; }
.finding-fix { margin: 6px 0 0; font-size: 12.5px; overflow-wrap: anywhere; }
.fix-tag { display: inline-block; font: 700 10px var(--sans); text-transform: uppercase; letter-spacing: 0.06em; color: var(--ok); border: 1px solid var(--ok); border-radius: 4px; padding: 0 4px; margin-right: 6px; }
.refused { border: 1px solid var(--error); background: var(--error-bg); border-radius: 8px; padding: 10px 12px; font-size: 13px; }
.refused-head { margin: 0; display: flex; gap: 8px; align-items: center; font-weight: 600; overflow-wrap: anywhere; }
.refused ul { margin: 6px 0 0; padding-left: 20px; }
.refused li { overflow-wrap: anywhere; }
.banner-icon { flex: none; width: 20px; height: 20px; border-radius: 50%; background: var(--error); color: var(--surface); display: inline-flex; align-items: center; justify-content: center; font-weight: 700; font-size: 13px; }

.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; margin-bottom: 12px; }
.stat { background: var(--surface-2); border-radius: 8px; padding: 8px 12px; display: flex; flex-direction: column; }
.stat-title { color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: 0.05em; }
.stat-before { font: 600 18px var(--sans); font-variant-numeric: tabular-nums; }
.stat-alert { margin-top: 4px; font: 600 12px var(--sans); color: var(--error); }
.stat-note { margin-top: 4px; font-size: 11px; }
.delta { font: 600 13px var(--sans); font-variant-numeric: tabular-nums; }
.delta.better { color: var(--ok); }
.delta.worse { color: var(--warn); }
.delta.same { color: var(--muted); }
.bars { margin: 8px 0 0; break-inside: avoid; }
.bars figcaption { font-size: 12px; margin-bottom: 4px; }
.bars-body { display: flex; gap: 6px; }
.bars-axis { display: flex; flex-direction: column; justify-content: space-between; font-size: 10px; width: 30px; text-align: right; }
.bars svg { flex: 1; height: 80px; display: block; min-width: 0; }
.bars-foot { display: flex; justify-content: space-between; font-size: 10px; padding-left: 36px; }
.bar.before { fill: var(--before); }
.bar.after { fill: var(--after); }
.bar.over { fill: var(--error); }
.tick { stroke: var(--border); stroke-width: 0.5; vector-effect: non-scaling-stroke; }

.modifications .mod-lead { margin: 0 0 6px; font-weight: 600; font-size: 13px; }
.modifications .mod-head { font-size: 12px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); margin: 12px 0 4px; display: flex; gap: 6px; align-items: center; }
.modifications .mod-head .count { background: var(--surface-2); border-radius: 999px; padding: 0 7px; font-size: 11px; }
.modifications ul { margin: 0; padding-left: 18px; }
.modifications li { margin: 2px 0; font: 12px/1.5 var(--mono); overflow-wrap: anywhere; }
.foot { padding: 0 24px 20px; font-size: 12px; }

@media (max-width: 1100px) { .workspace { grid-template-columns: 1fr; } }
@media (max-width: 900px) { .sides { grid-template-columns: 1fr; } }
@media (max-width: 700px) { .masthead, .content { padding-left: 14px; padding-right: 14px; } .tagline { display: none; } }
/* Drawings of the DAG and the step (views.rs): scroll when wider than the page; their
   colours are set in the drawings themselves (white ground), so both themes read them. */
.dag-figure { margin: 8px 0 16px; }
.dag-figure figcaption { font-weight: 600; margin: 0 0 6px; }
.dag-scroll { overflow: auto; max-height: 720px; border: 1px solid var(--border); border-radius: 6px; background: #ffffff; }
.dag-scroll svg { display: block; }
.step-view .dag-scroll svg { width: 100%; height: auto; }
@media print {
  :root {
    --bg: #ffffff; --surface: #ffffff; --surface-2: #f1f4f8; --text: #000000; --muted: #4a5866;
    --border: #c9d2dc; --accent: #0072b2; --error: #b03a2e; --error-bg: #fdecea; --idle: #e4e9ef;
    --unknown: #b8c2cc; --before: #9aa5b1; --after: #0072b2; --shadow: none;
    color-scheme: light;
  }
  body { font-size: 11pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .content { padding: 0; }
  .masthead { padding: 0 0 8px; border: 0; }
  .workspace { grid-template-columns: 1fr; }
  .card { box-shadow: none; break-inside: avoid-page; }
  .cell.used { stroke: rgba(0, 0, 0, 0.08); stroke-width: 0.5; }
  .findings, .modifications, .dag-views { break-inside: auto; }
  .dag-scroll { max-height: none; overflow: visible; }
  .dag-scroll svg { max-width: 100%; height: auto; }
  .foot { padding: 8px 0 0; }
}
"#;
