//! The camera over a layout: world (layout units) to screen (CSS pixels) as
//! `screen = world · scale + offset`. Pan, zoom about a point, fit, the visible world
//! rectangle for culling, and a size-independent view for syncing two different layouts.

use super::Rect;

/// Closest and farthest zoom, relative to the scale that fits the whole layout.
const MIN_OF_FIT: f64 = 0.5;
const MAX_SCALE: f64 = 8.0;
/// Fitting never magnifies a small graph beyond this: boxes stay box-sized.
const MAX_FIT: f64 = 1.5;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Camera {
    pub scale: f64,
    pub tx: f64,
    pub ty: f64,
}

impl Default for Camera {
    fn default() -> Camera {
        Camera { scale: 1.0, tx: 0.0, ty: 0.0 }
    }
}

/// A view independent of the layout's size: the centre as a fraction of the bounds,
/// and the zoom relative to the fitting scale. Lets before and after (different graphs)
/// move together.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RelativeView {
    pub cx: f64,
    pub cy: f64,
    pub zoom: f64,
}

/// The scale at which `bounds` fills a `w`×`h` screen less `margin` on each side.
pub fn fit_scale(bounds: Rect, w: f64, h: f64, margin: f64) -> f64 {
    let bw = (bounds.width as f64).max(1.0);
    let bh = (bounds.height as f64).max(1.0);
    let s = ((w - 2.0 * margin).max(1.0) / bw).min((h - 2.0 * margin).max(1.0) / bh);
    if s.is_finite() && s > 0.0 { s.min(MAX_FIT) } else { 1.0 }
}

impl Camera {
    /// Shows all of `bounds`, centred.
    pub fn fit(bounds: Rect, w: f64, h: f64, margin: f64) -> Camera {
        let scale = fit_scale(bounds, w, h, margin);
        let mut c = Camera { scale, tx: 0.0, ty: 0.0 };
        c.center_on(bounds.x as f64 + bounds.width as f64 / 2.0, bounds.y as f64 + bounds.height as f64 / 2.0, w, h);
        c
    }

    /// Shows `rect` (found nodes and their neighbours) centred, as large as fits but no
    /// closer than `max_scale` (reading size): one node is centred at reading size, a
    /// spread-out set is zoomed out until all of it is on screen.
    pub fn frame(rect: Rect, w: f64, h: f64, margin: f64, max_scale: f64) -> Camera {
        let bw = (rect.width as f64).max(1.0);
        let bh = (rect.height as f64).max(1.0);
        let s = ((w - 2.0 * margin).max(1.0) / bw).min((h - 2.0 * margin).max(1.0) / bh);
        let scale = if s.is_finite() && s > 0.0 { s.min(max_scale).min(MAX_SCALE) } else { 1.0 };
        let mut c = Camera { scale, tx: 0.0, ty: 0.0 };
        c.center_on(rect.x as f64 + rect.width as f64 / 2.0, rect.y as f64 + rect.height as f64 / 2.0, w, h);
        c
    }

    /// Whether all of `rect` is on a `w`×`h` screen.
    pub fn shows(&self, rect: Rect, w: f64, h: f64) -> bool {
        let (x0, y0) = self.to_screen(rect.x as f64, rect.y as f64);
        let (x1, y1) = self.to_screen((rect.x + rect.width) as f64, (rect.y + rect.height) as f64);
        let eps = 0.5;
        x0 >= -eps && y0 >= -eps && x1 <= w + eps && y1 <= h + eps
    }

    pub fn to_screen(&self, x: f64, y: f64) -> (f64, f64) {
        (x * self.scale + self.tx, y * self.scale + self.ty)
    }

    pub fn to_world(&self, sx: f64, sy: f64) -> (f64, f64) {
        ((sx - self.tx) / self.scale, (sy - self.ty) / self.scale)
    }

    pub fn pan(&mut self, dx: f64, dy: f64) {
        self.tx += dx;
        self.ty += dy;
    }

    /// Puts world point (x, y) at the middle of a `w`×`h` screen.
    pub fn center_on(&mut self, x: f64, y: f64, w: f64, h: f64) {
        self.tx = w / 2.0 - x * self.scale;
        self.ty = h / 2.0 - y * self.scale;
    }

    /// Multiplies the scale by `factor`, keeping the world point under (sx, sy) fixed;
    /// the result stays between half the fitting scale and `MAX_SCALE`.
    pub fn zoom_at(&mut self, sx: f64, sy: f64, factor: f64, fit: f64) {
        let (wx, wy) = self.to_world(sx, sy);
        let lo = (fit * MIN_OF_FIT).min(MAX_SCALE);
        let next = (self.scale * factor).clamp(lo, MAX_SCALE);
        if !next.is_finite() {
            return;
        }
        self.scale = next;
        self.tx = sx - wx * next;
        self.ty = sy - wy * next;
    }

    /// The world rectangle a `w`×`h` screen shows.
    pub fn visible(&self, w: f64, h: f64) -> Rect {
        let (x0, y0) = self.to_world(0.0, 0.0);
        let (x1, y1) = self.to_world(w, h);
        Rect { x: x0 as f32, y: y0 as f32, width: (x1 - x0) as f32, height: (y1 - y0) as f32 }
    }

    pub fn relative(&self, bounds: Rect, w: f64, h: f64) -> RelativeView {
        let (cx, cy) = self.to_world(w / 2.0, h / 2.0);
        let fit = fit_scale(bounds, w, h, 0.0);
        RelativeView {
            cx: (cx - bounds.x as f64) / (bounds.width as f64).max(1.0),
            cy: (cy - bounds.y as f64) / (bounds.height as f64).max(1.0),
            zoom: self.scale / fit,
        }
    }

    pub fn from_relative(v: RelativeView, bounds: Rect, w: f64, h: f64) -> Camera {
        let scale = (fit_scale(bounds, w, h, 0.0) * v.zoom).clamp(1e-6, MAX_SCALE);
        let mut c = Camera { scale, tx: 0.0, ty: 0.0 };
        let x = bounds.x as f64 + v.cx * (bounds.width as f64).max(1.0);
        let y = bounds.y as f64 + v.cy * (bounds.height as f64).max(1.0);
        c.center_on(x, y, w, h);
        c
    }
}

/// Whether two rectangles (top-left origin) overlap.
pub fn intersects(a: Rect, b: Rect) -> bool {
    a.x <= b.x + b.width && b.x <= a.x + a.width && a.y <= b.y + b.height && b.y <= a.y + a.height
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(x: f32, y: f32, w: f32, h: f32) -> Rect {
        Rect { x, y, width: w, height: h }
    }

    #[test]
    fn fit_centres_and_shows_everything() {
        let b = rect(0.0, 0.0, 1000.0, 500.0);
        let c = Camera::fit(b, 500.0, 500.0, 10.0);
        assert!((c.scale - 0.48).abs() < 1e-9);
        let v = c.visible(500.0, 500.0);
        assert!(v.x <= 0.0 && v.y <= 0.0 && v.x + v.width >= 1000.0 && v.y + v.height >= 500.0);
        let (sx, sy) = c.to_screen(500.0, 250.0);
        assert!((sx - 250.0).abs() < 1e-9 && (sy - 250.0).abs() < 1e-9);
    }

    #[test]
    fn small_graphs_are_not_blown_up() {
        let c = Camera::fit(rect(0.0, 0.0, 50.0, 20.0), 1000.0, 800.0, 0.0);
        assert_eq!(c.scale, MAX_FIT);
    }

    #[test]
    fn zoom_keeps_the_point_under_the_cursor_and_clamps() {
        let mut c = Camera { scale: 1.0, tx: 10.0, ty: 20.0 };
        let before = c.to_world(100.0, 80.0);
        c.zoom_at(100.0, 80.0, 2.0, 0.1);
        let after = c.to_world(100.0, 80.0);
        assert!((before.0 - after.0).abs() < 1e-9 && (before.1 - after.1).abs() < 1e-9);
        c.zoom_at(0.0, 0.0, 1e9, 0.1);
        assert_eq!(c.scale, MAX_SCALE);
        c.zoom_at(0.0, 0.0, 1e-9, 0.1);
        assert!((c.scale - 0.05).abs() < 1e-12);
        c.zoom_at(0.0, 0.0, f64::NAN, 0.1);
        assert!(c.scale.is_finite());
    }

    #[test]
    fn frame_shows_the_whole_rect_no_closer_than_asked() {
        let r = rect(5000.0, 200.0, 3000.0, 100.0);
        let c = Camera::frame(r, 800.0, 600.0, 20.0, 1.0);
        assert!(c.shows(r, 800.0, 600.0));
        assert!((c.scale - 760.0 / 3000.0).abs() < 1e-9);
        let one = rect(10.0, 10.0, 80.0, 30.0);
        let c = Camera::frame(one, 800.0, 600.0, 20.0, 1.0);
        assert_eq!(c.scale, 1.0);
        let (sx, sy) = c.to_screen(50.0, 25.0);
        assert!((sx - 400.0).abs() < 1e-9 && (sy - 300.0).abs() < 1e-9);
        assert!(!Camera::default().shows(r, 800.0, 600.0));
    }

    #[test]
    fn pan_and_round_trip() {
        let mut c = Camera { scale: 2.0, tx: 0.0, ty: 0.0 };
        c.pan(30.0, -10.0);
        let (wx, wy) = c.to_world(50.0, 50.0);
        let (sx, sy) = c.to_screen(wx, wy);
        assert!((sx - 50.0).abs() < 1e-9 && (sy - 50.0).abs() < 1e-9);
    }

    #[test]
    fn relative_views_carry_between_layouts() {
        let a = rect(0.0, 0.0, 100.0, 100.0);
        let b = rect(0.0, 0.0, 10_000.0, 400.0);
        let mut c = Camera::fit(a, 400.0, 300.0, 0.0);
        c.zoom_at(200.0, 150.0, 3.0, 1.0);
        let rel = c.relative(a, 400.0, 300.0);
        assert!((rel.zoom - 3.0).abs() < 1e-9 && (rel.cx - 0.5).abs() < 1e-9);
        let other = Camera::from_relative(rel, b, 400.0, 300.0);
        let back = other.relative(b, 400.0, 300.0);
        assert!((back.cx - rel.cx).abs() < 1e-9 && (back.cy - rel.cy).abs() < 1e-9 && (back.zoom - 3.0).abs() < 1e-9);
    }

    #[test]
    fn degenerate_bounds_do_not_divide_by_zero() {
        let c = Camera::fit(Rect::default(), 0.0, 0.0, 20.0);
        assert!(c.scale.is_finite() && c.tx.is_finite());
        assert!(intersects(rect(0.0, 0.0, 1.0, 1.0), rect(1.0, 1.0, 1.0, 1.0)));
        assert!(!intersects(rect(0.0, 0.0, 1.0, 1.0), rect(2.0, 0.0, 1.0, 1.0)));
    }
}
