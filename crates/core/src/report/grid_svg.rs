//! The cluster grids as inline SVG: servers as blocks, every GPU a cell coloured by the
//! metric, idle cells grey with a dashed outline, each cell titled with its numbers (a
//! native tooltip, no script). Same geometry as the page's grid.

use super::After;
use super::escape::esc;
use super::findings::refused;
use crate::analysis::Analysis;
use crate::cluster::geometry::{CELL, Geometry, LABEL, PAD};
use crate::cluster::{ClusterModel, GpuCell, Metric, Shade, categorical, sequential, unknown_pattern_id};
use crate::model::Strategy;
use crate::units;
use std::fmt::Write;

pub fn section(
    out: &mut String,
    before: &Analysis,
    after: Option<&Result<After, crate::rewrite::RewriteError>>,
    target: Option<Strategy>,
    metric: Metric,
) {
    out.push_str("<section class=\"card cluster\" aria-label=\"GPU cluster\">\n<header class=\"section-head\">");
    let _ =
        writeln!(out, "<h2>GPU cluster</h2><span class=\"muted small\">coloured by {}</span></header>", metric.label());
    legend(out, metric);
    out.push_str("<div class=\"sides\">\n");
    side(out, "before", "Before", &before.cluster, metric);
    let target_name = target.map_or_else(String::new, |s| s.short());
    match after {
        Some(Ok(a)) => side(out, "after", &format!("After · {target_name}"), &a.analysis.cluster, metric),
        Some(Err(why)) => {
            out.push_str("<div class=\"side\" data-side=\"after\"><h3 class=\"side-title\">After</h3>");
            refused(out, &crate::view::Refusal::of(why));
            out.push_str("</div>\n");
        }
        None => out.push_str(
            "<div class=\"side\" data-side=\"after\"><h3 class=\"side-title\">After</h3><p class=\"muted\">No target \
             strategy: the plan declares none and none was given (<code>--strategy</code>).</p></div>\n",
        ),
    }
    out.push_str("</div>\n</section>\n");
}

fn legend(out: &mut String, metric: Metric) {
    out.push_str("<div class=\"legend\" aria-label=\"Colour scale\">");
    if metric.is_categorical() {
        out.push_str("<span class=\"legend-scale\">");
        for i in 0..9u32 {
            let _ = write!(out, "<span class=\"swatch\" style=\"background:{}\"></span>", categorical(i));
        }
        let _ = write!(out, "</span><span class=\"muted\">{} (colours repeat after 9)</span>", metric.label());
    } else {
        let stops: Vec<String> = (0..=8).map(|i| sequential(i as f64 / 8.0)).collect();
        let max = if matches!(metric, Metric::Memory | Metric::Busy) { "100%" } else { "max" };
        let _ = write!(
            out,
            "<span class=\"muted\">0</span><span class=\"legend-gradient\" style=\"background:linear-gradient(90deg,{})\">\
             </span><span class=\"muted\">{max}</span>",
            stops.join(",")
        );
    }
    out.push_str(
        "<span class=\"swatch idle-swatch\"></span><span class=\"muted\">idle</span>\
         <span class=\"swatch unknown-swatch\"></span><span class=\"muted\">used, value unknown</span></div>\n",
    );
}

fn side(out: &mut String, key: &str, title: &str, c: &ClusterModel, metric: Metric) {
    let geo = Geometry::of(c);
    let used = c.used();
    let caption = crate::cluster::caption::caption(c);
    let _ = writeln!(
        out,
        "<figure class=\"side gpu-grid-wrap\" data-side=\"{key}\"><h3 class=\"side-title\">{}</h3>\
         <figcaption class=\"muted\">{}</figcaption>",
        esc(title),
        esc(&caption)
    );
    let _ = writeln!(
        out,
        "<svg class=\"gpu-grid\" data-side=\"{key}\" data-used=\"{used}\" data-cells=\"{}\" viewBox=\"0 0 {:.0} {:.0}\" \
         preserveAspectRatio=\"xMidYMin meet\" role=\"img\" aria-label=\"GPU cluster, {key}: {used} of {} in use\">",
        c.cells.len(),
        geo.width.max(1.0),
        geo.height.max(1.0),
        units::count(c.gpus as u64, "GPU", "GPUs")
    );
    let _ = writeln!(
        out,
        "<defs><pattern id=\"{}\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\" \
         patternTransform=\"rotate(45)\"><rect width=\"4\" height=\"4\" fill=\"var(--idle)\"/>\
         <rect width=\"1.5\" height=\"4\" fill=\"var(--unknown)\"/></pattern></defs>",
        unknown_pattern_id(key)
    );
    for s in 0..c.servers() {
        let (x, y) = geo.block_origin(s);
        let _ = writeln!(
            out,
            "<rect class=\"server-box\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"4\"/>\
             <text class=\"server-label\" x=\"{:.1}\" y=\"{:.1}\">server {s}</text>",
            geo.block_w,
            geo.block_h,
            x + PAD,
            y + LABEL - 2.0
        );
    }
    for cell in &c.cells {
        let (x, y) = geo.cell_origin(cell.gpu);
        let (class, fill) = match Shade::of(cell, metric, c) {
            Shade::Idle => ("cell idle", String::new()),
            Shade::Unknown => ("cell used unknown", format!(" fill=\"url(#{})\"", unknown_pattern_id(key))),
            Shade::Scale(t) => ("cell used", format!(" fill=\"{}\"", sequential(t))),
            Shade::Category(i) => ("cell used", format!(" fill=\"{}\"", categorical(i))),
        };
        let beyond = c.beyond_cluster(cell.gpu);
        let _ = writeln!(
            out,
            "<rect class=\"{class}{}\" data-gpu=\"{}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{CELL}\" height=\"{CELL}\" \
             rx=\"2.5\"{fill}><title>{}</title></rect>",
            if beyond { " beyond" } else { "" },
            cell.gpu,
            esc(&cell_title(cell, beyond))
        );
    }
    out.push_str("</svg>\n</figure>\n");
}

fn cell_title(c: &GpuCell, beyond: bool) -> String {
    let mut parts = vec![format!("GPU {}", c.gpu), format!("server {}", c.server)];
    if beyond {
        parts.push("beyond the declared cluster".into());
    }
    if !c.used {
        parts.push("idle".into());
        return parts.join(" · ");
    }
    if let Some(b) = c.busy_fraction {
        parts.push(format!("busy {}", units::percent(b)));
    }
    if let Some(m) = c.memory_gb {
        let pct = c.memory_percent.map(|p| format!(" ({})", units::percent(p / 100.0))).unwrap_or_default();
        parts.push(format!("memory {}{pct}", units::gigabytes(m)));
    }
    if c.flops > 0.0 {
        parts.push(units::flops(c.flops));
    }
    if c.expert_shards > 0 {
        parts.push(format!("{} expert shards", c.expert_shards));
    }
    if let (Some(ep), Some(tp)) = (c.ep, c.tp) {
        parts.push(format!("EP {ep} · TP {tp} · PP {} · DP {}", c.pp.unwrap_or(0), c.dp.unwrap_or(0)));
    }
    let mut text = parts.join(" · ");
    if !c.sample_nodes.is_empty() {
        let more = if c.nodes as usize > c.sample_nodes.len() { " …" } else { "" };
        let _ = write!(text, "\n{} nodes: {}{more}", c.nodes, c.sample_nodes.join(", "));
    }
    text
}
