//! The minimap: the whole graph small, with the viewport as a rectangle. The graph is
//! rendered once per layout into an offscreen canvas; each frame copies it and draws
//! the rectangle. Pressing or dragging on it centres the view there.

use super::canvas::{context, prepare};
use super::pane::Pane;
use super::theme::Theme;
use planscope_core::layout::ItemId;
use wasm_bindgen::JsCast;

/// Minimap scale and offset: world to minimap CSS pixels.
fn transform(p: &Pane, w: f64, h: f64) -> Option<(f64, f64, f64)> {
    let b = p.view.as_ref()?.layout.bounds;
    let s = ((w - 8.0) / (b.width as f64).max(1.0)).min((h - 8.0) / (b.height as f64).max(1.0));
    if !(s.is_finite() && s > 0.0) {
        return None;
    }
    Some((s, (w - b.width as f64 * s) / 2.0 - b.x as f64 * s, (h - b.height as f64 * s) / 2.0 - b.y as f64 * s))
}

fn render_bg(p: &Pane, w: f64, h: f64, dpr: f64, theme: &Theme) -> Option<web_sys::HtmlCanvasElement> {
    let v = p.view.as_ref()?;
    let (s, ox, oy) = transform(p, w, h)?;
    let doc = web_sys::window()?.document()?;
    let bg = doc.create_element("canvas").ok()?.dyn_into::<web_sys::HtmlCanvasElement>().ok()?;
    bg.set_width((w * dpr).round() as u32);
    bg.set_height((h * dpr).round() as u32);
    let ctx = context(&bg)?;
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    ctx.set_fill_style_str(&theme.bg);
    ctx.fill_rect(0.0, 0.0, w, h);
    let mut order: Vec<(u16, ItemId)> = v.color.iter_enumerated().map(|(i, &c)| (c, i)).collect();
    planscope_core::sort::unstable(&mut order);
    let mut at = 0;
    while at < order.len() {
        let c = order[at].0;
        ctx.begin_path();
        while at < order.len() && order[at].0 == c {
            if let Some(it) = v.layout.items.get(order[at].1) {
                let (iw, ih) = ((it.width as f64 * s).max(1.0), (it.height as f64 * s).max(1.0));
                ctx.rect(ox + it.x as f64 * s - iw / 2.0, oy + it.y as f64 * s - ih / 2.0, iw, ih);
            }
            at += 1;
        }
        ctx.set_fill_style_str(v.colors.get(c as usize).unwrap_or(&theme.muted));
        ctx.fill();
    }
    Some(bg)
}

pub fn draw(p: &mut Pane, theme: &Theme) {
    let Some(mini) = p.minimap.clone() else { return };
    let Some(ctx) = context(&mini) else { return };
    let (w, h, dpr) = prepare(&mini);
    if w <= 0.0 || h <= 0.0 {
        return;
    }
    let fresh = p.minimap_bg.as_ref().is_none_or(|bg| bg.width() != mini.width() || bg.height() != mini.height());
    if fresh {
        p.minimap_bg = render_bg(p, w, h, dpr, theme);
    }
    let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, mini.width() as f64, mini.height() as f64);
    if let Some(bg) = &p.minimap_bg {
        let _ = ctx.draw_image_with_html_canvas_element(bg, 0.0, 0.0);
    }
    let Some((s, ox, oy)) = transform(p, w, h) else { return };
    let vis = p.camera.visible(p.size.0, p.size.1);
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    ctx.set_stroke_style_str(&theme.accent);
    ctx.set_line_width(1.5);
    let (x, y) = (ox + vis.x as f64 * s, oy + vis.y as f64 * s);
    let (rw, rh) = ((vis.width as f64 * s).max(3.0), (vis.height as f64 * s).max(3.0));
    ctx.stroke_rect(x.clamp(-rw + 2.0, w - 2.0), y.clamp(-rh + 2.0, h - 2.0), rw, rh);
}

/// Centres the pane's view on the world point under minimap position (mx, my).
pub fn jump(p: &mut Pane, mx: f64, my: f64) {
    let Some(mini) = &p.minimap else { return };
    let (w, h) = (mini.client_width() as f64, mini.client_height() as f64);
    let Some((s, ox, oy)) = transform(p, w, h) else { return };
    let (cw, ch) = p.measure();
    p.camera.center_on((mx - ox) / s, (my - oy) / s, cw, ch);
}
