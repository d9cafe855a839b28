//! Pointer, wheel and keyboard navigation of a pane: drag pans, the wheel zooms about
//! the cursor, two pointers pinch; a press that barely moved is a click. One finger on a
//! touch screen is the page's (it scrolls, `touch-action: pan-x pan-y`); two pan and pinch.

use super::pane::Pane;

/// Pixels a press may move and still count as a click.
const CLICK_SLOP: f64 = 5.0;
pub const KEY_PAN: f64 = 80.0;
pub const KEY_ZOOM: f64 = 1.25;

pub fn down(p: &mut Pane, id: i32, x: f64, y: f64, touch: bool) {
    p.pointer.touch = touch;
    p.pointer.down.retain(|d| d.0 != id);
    p.pointer.down.push((id, x, y));
    if p.pointer.down.len() == 1 {
        p.pointer.travel = 0.0;
    } else {
        // A second finger makes it a pinch, never a click.
        p.pointer.travel = f64::INFINITY;
    }
}

/// Returns true when the view changed.
pub fn moved(p: &mut Pane, id: i32, x: f64, y: f64) -> bool {
    let Some(k) = p.pointer.down.iter().position(|d| d.0 == id) else { return false };
    let (_, ox, oy) = p.pointer.down[k];
    if p.pointer.down.len() >= 2 {
        let other = p.pointer.down[if k == 0 { 1 } else { 0 }];
        let before = ((ox - other.1).powi(2) + (oy - other.2).powi(2)).sqrt();
        let after = ((x - other.1).powi(2) + (y - other.2).powi(2)).sqrt();
        p.pointer.down[k] = (id, x, y);
        if before > 1.0 && after > 1.0 {
            let fit = p.fit_scale();
            p.camera.zoom_at((x + other.1) / 2.0, (y + other.2) / 2.0, after / before, fit);
            p.camera.pan((x - ox) / 2.0, (y - oy) / 2.0);
            return true;
        }
        return false;
    }
    p.pointer.down[k] = (id, x, y);
    p.pointer.travel += (x - ox).abs() + (y - oy).abs();
    if p.pointer.touch {
        return false;
    }
    p.camera.pan(x - ox, y - oy);
    true
}

/// Returns true when this release ends a click.
pub fn up(p: &mut Pane, id: i32) -> bool {
    let was = p.pointer.down.len();
    p.pointer.down.retain(|d| d.0 != id);
    was == 1 && p.pointer.down.is_empty() && p.pointer.travel < CLICK_SLOP
}

pub fn wheel(p: &mut Pane, x: f64, y: f64, delta_y: f64, delta_mode: u32) {
    // Lines and pages to pixels, then a smooth exponential zoom.
    let px = match delta_mode {
        1 => delta_y * 16.0,
        2 => delta_y * 400.0,
        _ => delta_y,
    };
    let fit = p.fit_scale();
    p.camera.zoom_at(x, y, (-px * 0.0015).exp(), fit);
}

pub fn zoom_center(p: &mut Pane, factor: f64) {
    let (w, h) = p.measure();
    let fit = p.fit_scale();
    p.camera.zoom_at(w / 2.0, h / 2.0, factor, fit);
}
