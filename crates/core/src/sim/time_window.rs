//! The part of a simulated step the timeline shows: zoomed about a point, panned, and
//! always inside the step (never narrower than a millionth of it).

/// Seconds shown, from `t0` to `t1`, within a step of `step` seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeWindow {
    pub t0: f64,
    pub t1: f64,
    pub step: f64,
}

impl TimeWindow {
    /// The whole step.
    pub fn whole(step: f64) -> TimeWindow {
        TimeWindow { t0: 0.0, t1: step, step }
    }

    pub fn span(&self) -> f64 {
        self.t1 - self.t0
    }

    /// Scales the span by `factor`, keeping the time at fraction `at` (0..1) of the
    /// window where it is.
    pub fn zoom(self, factor: f64, at: f64) -> TimeWindow {
        let span = (self.span() * factor).clamp(self.step * 1e-6, self.step);
        let pivot = self.t0 + self.span() * at;
        self.starting_at(pivot - span * at, span)
    }

    /// Moves by `frac` of the span (negative: earlier).
    pub fn pan(self, frac: f64) -> TimeWindow {
        let span = self.span();
        self.starting_at(self.t0 + span * frac, span)
    }

    /// The same span starting at `t0`, kept inside the step.
    pub fn starting_at(self, t0: f64, span: f64) -> TimeWindow {
        let a = t0.clamp(0.0, (self.step - span).max(0.0));
        TimeWindow { t0: a, t1: a + span, step: self.step }
    }

    /// The time at fraction `f` (0..1) across the window.
    pub fn time_at(&self, f: f64) -> f64 {
        self.t0 + self.span() * f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zooming_in_keeps_the_pivot_in_place() {
        let w = TimeWindow::whole(10.0).zoom(0.5, 0.5);
        assert_eq!((w.t0, w.t1), (2.5, 7.5));
        let w = TimeWindow::whole(10.0).zoom(0.5, 0.0);
        assert_eq!((w.t0, w.t1), (0.0, 5.0));
    }

    #[test]
    fn zooming_out_stops_at_the_whole_step_and_in_at_a_millionth() {
        assert_eq!(TimeWindow::whole(10.0).zoom(0.5, 0.3).zoom(4.0, 0.5), TimeWindow::whole(10.0));
        let mut w = TimeWindow::whole(10.0);
        for _ in 0..40 {
            w = w.zoom(0.5, 0.5);
        }
        assert!((w.span() - 1e-5).abs() < 1e-12);
    }

    #[test]
    fn panning_stays_inside_the_step() {
        let w = TimeWindow::whole(10.0).zoom(0.5, 0.0);
        assert_eq!(w.pan(0.2).t0, 1.0);
        assert_eq!(w.pan(-0.2).t0, 0.0);
        let far = w.pan(5.0);
        assert_eq!((far.t0, far.t1), (5.0, 10.0));
        assert_eq!(w.time_at(0.5), 2.5);
    }
}
