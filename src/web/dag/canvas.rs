//! Drawing a pane on its <canvas>: only what the viewport shows (spatial-index
//! culling), with level of detail — below reading size no labels, below a few pixels
//! edges drawn straight and boxes as plain fills batched by colour.

use super::labels;
use super::pane::{FINDING, MATCH, ON_GPU, Pane, SELECTED};
use super::theme::{Theme, ink_on};
use planscope_core::layout::declutter::{Candidate, place};
use planscope_core::layout::wrap::LINE;
use planscope_core::layout::{Item, ItemId, Rect};
use planscope_core::model::NodeKind;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::CanvasRenderingContext2d;

/// Scale from which labels are drawn (12px text reads at ≥ 7px).
const LABEL_SCALE: f64 = 0.55;
/// Scale from which boxes get their kind's shape and edges their bends.
const SHAPE_SCALE: f64 = 0.12;
const ARROW_SCALE: f64 = 0.35;

pub fn context(canvas: &web_sys::HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into::<CanvasRenderingContext2d>().ok()
}

/// Sizes the backing store for the device pixel ratio; returns the CSS size and ratio.
pub fn prepare(canvas: &web_sys::HtmlCanvasElement) -> (f64, f64, f64) {
    let dpr = web_sys::window().map(|w| w.device_pixel_ratio()).filter(|d| *d > 0.0).unwrap_or(1.0);
    let (w, h) = (canvas.client_width() as f64, canvas.client_height() as f64);
    let (bw, bh) = ((w * dpr).round() as u32, (h * dpr).round() as u32);
    if canvas.width() != bw {
        canvas.set_width(bw);
    }
    if canvas.height() != bh {
        canvas.set_height(bh);
    }
    (w, h, dpr)
}

fn dash(ctx: &CanvasRenderingContext2d, on: f64, off: f64) {
    let arr = js_sys::Array::new();
    if on > 0.0 {
        arr.push(&JsValue::from_f64(on));
        arr.push(&JsValue::from_f64(off));
    }
    let _ = ctx.set_line_dash(&arr);
}

/// Traces an item's outline by its kind: rectangle (compute), ellipse (communication),
/// parallelogram (aggregation/routing), trapezoids (input wide on top, output below).
fn shape(ctx: &CanvasRenderingContext2d, it: &Item, kind: Option<NodeKind>) {
    let (x0, y0, w, h) =
        ((it.x - it.width / 2.0) as f64, (it.y - it.height / 2.0) as f64, it.width as f64, it.height as f64);
    let k = (h * 0.35).min(w * 0.2);
    let poly = |pts: &[(f64, f64)]| {
        for (i, &(x, y)) in pts.iter().enumerate() {
            if i == 0 { ctx.move_to(x, y) } else { ctx.line_to(x, y) }
        }
        ctx.close_path();
    };
    match kind {
        Some(NodeKind::Communication) => {
            ctx.move_to(x0 + w, y0 + h / 2.0);
            let _ = ctx.ellipse(x0 + w / 2.0, y0 + h / 2.0, w / 2.0, h / 2.0, 0.0, 0.0, std::f64::consts::TAU);
        }
        Some(NodeKind::Aggregation) => poly(&[(x0 + k, y0), (x0 + w, y0), (x0 + w - k, y0 + h), (x0, y0 + h)]),
        Some(NodeKind::Input) => poly(&[(x0, y0), (x0 + w, y0), (x0 + w - k, y0 + h), (x0 + k, y0 + h)]),
        Some(NodeKind::Output) => poly(&[(x0 + k, y0), (x0 + w - k, y0), (x0 + w, y0 + h), (x0, y0 + h)]),
        _ => ctx.rect(x0, y0, w, h),
    }
}

/// Labels drawn beside boxes too small to hold their own, at most.
const SMALL_LABELS: usize = 300;
/// Items considered for those labels, at most (stacks and marked items first).
const SMALL_CANDIDATES: usize = 8_000;
/// The collapse button on an expanded stack, in CSS pixels.
const CHIP_W: f64 = 92.0;
const CHIP_H: f64 = 26.0;

/// Draws the pane; false when there is nothing to draw on (no canvas, no 2D context, no layout).
pub fn draw(p: &mut Pane, theme: &Theme) -> bool {
    let Some(canvas) = p.canvas.clone() else { return false };
    let Some(ctx) = context(&canvas) else { return false };
    let (w, h, dpr) = prepare(&canvas);
    if w > 0.0 && h > 0.0 {
        p.size = (w, h);
    }
    let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
    ctx.set_fill_style_str(&theme.bg);
    ctx.fill_rect(0.0, 0.0, canvas.width() as f64, canvas.height() as f64);
    let Some(v) = &p.view else { return false };
    let cam = p.camera;
    let s = cam.scale;
    let _ = ctx.set_transform(dpr * s, 0.0, 0.0, dpr * s, dpr * cam.tx, dpr * cam.ty);
    let px = 1.0 / s;
    let pad = 8.0 / s as f32;
    let vis = cam.visible(w, h);
    let vis = Rect { x: vis.x - pad, y: vis.y - pad, width: vis.width + 2.0 * pad, height: vis.height + 2.0 * pad };
    let plan = &p.plan;
    let layout = &v.layout;

    // Expanded groups: a dashed frame with the group's name, clicked to collapse.
    ctx.set_line_width(px);
    dash(&ctx, 4.0 * px, 3.0 * px);
    ctx.set_stroke_style_str(&theme.muted);
    ctx.set_fill_style_str(&theme.muted);
    ctx.set_font("11px system-ui, sans-serif");
    for g in &layout.groups {
        if let Some(b) = g.bounds
            && planscope_core::layout::viewport::intersects(b, vis)
        {
            let m = 6.0;
            ctx.stroke_rect(
                b.x as f64 - m,
                b.y as f64 - m - 12.0,
                b.width as f64 + 2.0 * m,
                b.height as f64 + 2.0 * m + 12.0,
            );
            if s >= LABEL_SCALE {
                let _ = ctx.fill_text(&g.label, b.x as f64 - m + 3.0, b.y as f64 - 8.0);
            }
        }
    }

    // Edges: one path for plain edges, one in the warning colour for cycle-closing ones.
    let mut ids = Vec::new();
    v.edges.query(vis, &mut ids);
    let detailed = s >= SHAPE_SCALE;
    for reversed in [false, true] {
        ctx.begin_path();
        for &e in &ids {
            let Some(edge) = layout.edges.get(e) else { continue };
            if edge.reversed != reversed || edge.points.len() < 2 {
                continue;
            }
            let pts = &edge.points;
            ctx.move_to(pts[0].0 as f64, pts[0].1 as f64);
            if detailed {
                for &(x, y) in &pts[1..] {
                    ctx.line_to(x as f64, y as f64);
                }
            } else if let Some(&(x, y)) = pts.last() {
                ctx.line_to(x as f64, y as f64);
            }
        }
        if reversed {
            ctx.set_stroke_style_str(&theme.warn);
            ctx.set_line_width(2.0 * px);
            dash(&ctx, 6.0 * px, 3.0 * px);
        } else {
            ctx.set_stroke_style_str(&theme.edge);
            ctx.set_line_width(px.max(0.0));
            dash(&ctx, 0.0, 0.0);
        }
        ctx.stroke();
    }
    dash(&ctx, 0.0, 0.0);
    if s >= ARROW_SCALE {
        for reversed in [false, true] {
            ctx.begin_path();
            for &e in &ids {
                let Some(edge) = layout.edges.get(e) else { continue };
                if edge.reversed != reversed || edge.points.len() < 2 {
                    continue;
                }
                let n = edge.points.len();
                let (a, b) = (edge.points[n - 2], edge.points[n - 1]);
                let (dx, dy) = ((b.0 - a.0) as f64, (b.1 - a.1) as f64);
                let len = (dx * dx + dy * dy).sqrt().max(1e-6);
                let (ux, uy) = (dx / len, dy / len);
                let (bx, by) = (b.0 as f64, b.1 as f64);
                ctx.move_to(bx, by);
                ctx.line_to(bx - 7.0 * ux + 3.5 * uy, by - 7.0 * uy - 3.5 * ux);
                ctx.line_to(bx - 7.0 * ux - 3.5 * uy, by - 7.0 * uy + 3.5 * ux);
                ctx.close_path();
            }
            ctx.set_fill_style_str(if reversed { &theme.warn } else { &theme.edge });
            ctx.fill();
        }
        // Mark cycle edges where they start, so the warning reads without colour too.
        if s >= LABEL_SCALE {
            ctx.set_fill_style_str(&theme.warn);
            ctx.set_font("bold 12px system-ui, sans-serif");
            for &e in &ids {
                if let Some(edge) = layout.edges.get(e)
                    && edge.reversed
                    && let Some(&(x, y)) = edge.points.get(edge.points.len() / 2)
                {
                    let _ = ctx.fill_text("↺ cycle", x as f64 + 4.0, y as f64);
                }
            }
        }
    }

    // Items.
    let mut ids = Vec::new();
    v.items.query(vis, &mut ids);
    let kind_of = |it: &Item| it.node.and_then(|n| plan.nodes.get(n.ix())).map(|n| n.kind);
    if detailed {
        ctx.set_line_width(px);
        for &i in &ids {
            let Some(it) = layout.items.get(i) else { continue };
            let fill = v.color.get(i).and_then(|&c| v.colors.get(c as usize)).unwrap_or(&theme.surface);
            // Collapsed groups: two offset boxes behind read as a stack.
            if it.group.is_some() {
                for k in [2.0f32, 1.0] {
                    let off = 4.0 * k;
                    let back = Item { x: it.x + off, y: it.y - off, ..it.clone() };
                    ctx.begin_path();
                    shape(&ctx, &back, None);
                    ctx.set_fill_style_str(&theme.bg);
                    ctx.fill();
                    ctx.set_stroke_style_str(&theme.muted);
                    ctx.stroke();
                }
            }
            ctx.begin_path();
            let kind = kind_of(it);
            shape(&ctx, it, if it.group.is_some() { None } else { kind });
            ctx.set_fill_style_str(fill);
            ctx.fill();
            ctx.set_stroke_style_str(&theme.text);
            if kind == Some(NodeKind::Communication) {
                dash(&ctx, 4.0 * px, 2.0 * px);
                ctx.stroke();
                dash(&ctx, 0.0, 0.0);
            } else {
                ctx.stroke();
            }
        }
    } else {
        // Tiny: plain squares, one fill call per colour.
        let mut by_color: Vec<(u16, ItemId)> =
            ids.iter().map(|&i| (v.color.get(i).copied().unwrap_or(u16::MAX), i)).collect();
        planscope_core::sort::unstable(&mut by_color);
        let min = 1.5 * px as f32;
        let mut at = 0;
        while at < by_color.len() {
            let c = by_color[at].0;
            ctx.begin_path();
            while at < by_color.len() && by_color[at].0 == c {
                if let Some(it) = layout.items.get(by_color[at].1) {
                    let (iw, ih) = (it.width.max(min), it.height.max(min));
                    ctx.rect((it.x - iw / 2.0) as f64, (it.y - ih / 2.0) as f64, iw as f64, ih as f64);
                }
                at += 1;
            }
            ctx.set_fill_style_str(v.colors.get(c as usize).unwrap_or(&theme.muted));
            ctx.fill();
        }
    }

    // Marks, over the boxes: search matches, the selected GPU, a finding's nodes, the selection.
    for (bit, color, width) in [
        (MATCH, &theme.warn, 3.0f64),
        (ON_GPU, &theme.accent, 2.0),
        (FINDING, &theme.error, 3.0),
        (SELECTED, &theme.text, 3.0),
    ] {
        ctx.begin_path();
        let mut any = false;
        for &i in &ids {
            if p.marks.get(i).is_some_and(|m| m & bit != 0)
                && let Some(it) = layout.items.get(i)
            {
                let g = ((3.0 + 2.0 * width) * px) as f32;
                let (mw, mh) = (it.width.max(4.0 * px as f32) + g, it.height.max(4.0 * px as f32) + g);
                ctx.rect((it.x - mw / 2.0) as f64, (it.y - mh / 2.0) as f64, mw as f64, mh as f64);
                any = true;
            }
        }
        if any {
            ctx.set_stroke_style_str(color);
            ctx.set_line_width(width * px);
            ctx.stroke();
        }
    }

    // What the rewrite did: a corner badge with a glyph (+ added, → moved, ~ changed,
    // − removed), so the mark reads without colour too.
    if detailed && !p.item_changes.is_empty() {
        ctx.set_font("bold 12px system-ui, sans-serif");
        ctx.set_text_align("center");
        ctx.set_text_baseline("middle");
        for &i in &ids {
            let (Some(Some(a)), Some(it)) = (p.item_changes.get(i), layout.items.get(i)) else { continue };
            let (color, glyph) = theme.change(*a);
            let r = (7.0 * px).max(7.0).min(it.height as f64 * 0.45);
            let (cx, cy) = ((it.x - it.width / 2.0) as f64, (it.y - it.height / 2.0) as f64);
            ctx.begin_path();
            let _ = ctx.arc(cx, cy, r, 0.0, std::f64::consts::TAU);
            ctx.set_fill_style_str(color);
            ctx.fill();
            if s >= LABEL_SCALE {
                ctx.set_fill_style_str(ink_on(color));
                let _ = ctx.fill_text(glyph, cx, cy + 0.5);
            }
        }
        ctx.set_text_align("start");
        ctx.set_text_baseline("alphabetic");
    }

    let labelled;
    if s >= LABEL_SCALE {
        labelled = ids.len();
        ctx.set_font("12px system-ui, sans-serif");
        ctx.set_text_align("center");
        ctx.set_text_baseline("middle");
        for &i in &ids {
            let Some(it) = layout.items.get(i) else { continue };
            let node = it.node.and_then(|n| plan.nodes.get(n.ix()));
            let group =
                it.group.as_ref().and_then(|g| layout.groups.iter().find(|x| &x.id == g)).map(|g| g.label.as_str());
            let lines = labels::lines(it, node, group);
            let fill = v.color.get(i).and_then(|&c| v.colors.get(c as usize));
            ctx.set_fill_style_str(fill.map(|f| ink_on(f)).unwrap_or(&theme.text));
            let n = lines.len() as f64;
            for (k, line) in lines.iter().enumerate() {
                let y = it.y as f64 + (k as f64 - (n - 1.0) / 2.0) * 15.0;
                let _ = ctx.fill_text(line, it.x as f64, y);
            }
        }
        // Collapsed groups: the member count as a badge on the stack's corner.
        ctx.set_font("bold 11px system-ui, sans-serif");
        for &i in &ids {
            let Some(it) = layout.items.get(i) else { continue };
            if it.group.is_none() {
                continue;
            }
            let text = format!("×{}", it.members);
            let bw = 8.0 + 7.0 * text.chars().count() as f64;
            let (bx, by) = ((it.x + it.width / 2.0) as f64 + 8.0 - bw / 2.0, (it.y - it.height / 2.0) as f64 - 8.0);
            ctx.begin_path();
            ctx.rect(bx - bw / 2.0, by - 8.0, bw, 16.0);
            ctx.set_fill_style_str(&theme.accent);
            ctx.fill();
            ctx.set_fill_style_str(ink_on(&theme.accent));
            let _ = ctx.fill_text(&text, bx, by);
        }
        ctx.set_text_align("start");
        ctx.set_text_baseline("alphabetic");
    } else {
        labelled = small_labels(&ctx, p, &ids, theme, (w, h, dpr));
    }
    let chips = collapse_chips(&ctx, p, vis, theme, (w, h, dpr));
    report(&canvas, p, labelled, chips);
    true
}

/// What a test (or a curious reader of the DOM) can check about the frame just drawn:
/// the scale, whether the whole graph shows, how many selected items there are and how
/// many of them are on screen, how many labels were drawn.
fn report(canvas: &web_sys::HtmlCanvasElement, p: &Pane, labels: usize, chips: usize) {
    let (w, h) = p.size;
    let Some(v) = &p.view else { return };
    let mut selected = 0;
    let mut in_view = 0;
    for (i, m) in p.marks.iter_enumerated() {
        if m & SELECTED != 0
            && let Some(it) = v.layout.items.get(i)
        {
            selected += 1;
            let r = Rect { x: it.x - it.width / 2.0, y: it.y - it.height / 2.0, width: it.width, height: it.height };
            if p.camera.shows(r, w, h) {
                in_view += 1;
            }
        }
    }
    let set = |k: &str, v: String| {
        let _ = canvas.set_attribute(k, &v);
    };
    set("data-scale", format!("{:.4}", p.camera.scale));
    set("data-whole", p.shows_all().to_string());
    // Where the drawing's top edge is on the canvas (CSS px): a fitted graph starts below
    // the pane's title.
    set("data-top", format!("{:.1}", p.camera.to_screen(0.0, f64::from(v.layout.bounds.y)).1));
    set("data-selected", selected.to_string());
    set("data-selected-in-view", in_view.to_string());
    set("data-labels", labels.to_string());
    set("data-chips", chips.to_string());
    set("data-items", v.layout.items.len().to_string());
}

/// Below reading size: labels beside the boxes, in screen pixels, where they overlap no
/// other: marked items first, then stacks (the larger first), then single nodes.
/// Returns how many were drawn.
fn small_labels(
    ctx: &CanvasRenderingContext2d,
    p: &Pane,
    ids: &[ItemId],
    theme: &Theme,
    screen: (f64, f64, f64),
) -> usize {
    let (w, h, dpr) = screen;
    let Some(v) = &p.view else { return 0 };
    let layout = &v.layout;
    let plan = &p.plan;
    let priority = |i: ItemId, it: &Item| -> u32 {
        let m = p.marks.get(i).copied().unwrap_or(0);
        let marked = if m & SELECTED != 0 {
            4_000_000
        } else if m & (MATCH | FINDING) != 0 {
            3_000_000
        } else {
            0
        };
        let stack = if it.group.is_some() { 1_000_000 + it.members.min(999_999) } else { 0 };
        marked + stack
    };
    let mut order: Vec<(u32, ItemId)> =
        ids.iter().filter_map(|&i| layout.items.get(i).map(|it| (priority(i, it), i))).collect();
    if order.len() > SMALL_CANDIDATES {
        order.select_nth_unstable_by(SMALL_CANDIDATES, |a, b| b.0.cmp(&a.0));
        order.truncate(SMALL_CANDIDATES);
    }
    // Sized from the text's length (its first line is at most `LINE` characters); the
    // text itself is only made for the labels chosen.
    let width = |text: &str| 6.0 * text.chars().take(LINE).count() as f64 + 8.0;
    let mut sources: Vec<&str> = Vec::with_capacity(order.len());
    let mut cands: Vec<Candidate> = Vec::with_capacity(order.len());
    ctx.set_font("11px system-ui, sans-serif");
    for &(prio, i) in &order {
        let Some(it) = layout.items.get(i) else { continue };
        // A series' label already says how many it folds ("… ×128").
        let text = match &it.group {
            Some(g) => layout.groups.iter().find(|x| &x.id == g).map(|x| x.label.as_str()).unwrap_or(g),
            None => {
                it.node.and_then(|n| plan.nodes.get(n.ix())).map(|n| n.label.as_deref().unwrap_or(&n.id)).unwrap_or("")
            }
        };
        if text.trim().is_empty() {
            continue;
        }
        // Beside the box, on its right, so the box and its edges stay visible.
        let (sx, sy) = p.camera.to_screen((it.x + it.width / 2.0) as f64, it.y as f64);
        let tw = width(text);
        cands.push(Candidate { x: sx + 3.0 + tw / 2.0, y: sy, width: tw, height: 16.0, priority: prio });
        sources.push(text);
    }
    // Expanded stacks' captions, over their frames.
    for g in &layout.groups {
        if let Some(b) = g.bounds {
            let (sx, sy) = p.camera.to_screen(b.x as f64 - 6.0, b.y as f64 - 18.0);
            let tw = width(&g.label);
            cands.push(Candidate { x: sx + tw / 2.0, y: sy - 9.0, width: tw, height: 16.0, priority: 3_500_000 });
            sources.push(&g.label);
        }
    }
    let chosen = place(&cands, w, h, SMALL_LABELS);
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    ctx.set_text_align("center");
    ctx.set_text_baseline("middle");
    for &k in &chosen {
        let c = &cands[k];
        ctx.set_global_alpha(0.85);
        ctx.set_fill_style_str(&theme.bg);
        ctx.fill_rect(c.x - c.width / 2.0, c.y - c.height / 2.0, c.width, c.height);
        ctx.set_global_alpha(1.0);
        ctx.set_fill_style_str(&theme.text);
        let _ = ctx.fill_text(&labels::first_line(sources[k]), c.x, c.y);
    }
    ctx.set_text_align("start");
    ctx.set_text_baseline("alphabetic");
    chosen.len()
}

/// Each expanded stack on screen gets a "Collapse" button at its frame's top-right, the
/// same size at any zoom. Remembered in `p.chips` for the click. Returns how many.
fn collapse_chips(
    ctx: &CanvasRenderingContext2d,
    p: &mut Pane,
    vis: Rect,
    theme: &Theme,
    screen: (f64, f64, f64),
) -> usize {
    let (w, h, dpr) = screen;
    p.chips.clear();
    let Some(v) = &p.view else { return 0 };
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    ctx.set_font("bold 12px system-ui, sans-serif");
    ctx.set_text_align("center");
    ctx.set_text_baseline("middle");
    let mut chips = Vec::new();
    for g in &v.layout.groups {
        let Some(b) = g.bounds else { continue };
        if !planscope_core::layout::viewport::intersects(b, vis) {
            continue;
        }
        let (_, y0) = p.camera.to_screen(b.x as f64, b.y as f64 - 18.0);
        let (x1, _) = p.camera.to_screen((b.x + b.width) as f64 + 6.0, 0.0);
        let x = (x1 - CHIP_W).clamp(2.0, (w - CHIP_W - 2.0).max(2.0));
        let y = (y0 - CHIP_H - 2.0).clamp(2.0, (h - CHIP_H - 2.0).max(2.0));
        ctx.set_fill_style_str(&theme.accent);
        ctx.fill_rect(x, y, CHIP_W, CHIP_H);
        ctx.set_fill_style_str(ink_on(&theme.accent));
        let _ = ctx.fill_text("▴ Collapse", x + CHIP_W / 2.0, y + CHIP_H / 2.0);
        chips.push((Rect { x: x as f32, y: y as f32, width: CHIP_W as f32, height: CHIP_H as f32 }, g.id.clone()));
        if chips.len() >= 64 {
            break;
        }
    }
    ctx.set_text_align("start");
    ctx.set_text_baseline("alphabetic");
    let n = chips.len();
    p.chips = chips;
    n
}
