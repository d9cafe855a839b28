//! Colours for the canvas, read from the page's CSS variables at draw time so the
//! light and dark themes apply to the graph too; node fills from the shared
//! colour-blind-safe palettes.

use planscope_core::cluster::{categorical, sequential};

pub struct Theme {
    pub bg: String,
    pub text: String,
    pub muted: String,
    pub edge: String,
    pub accent: String,
    pub warn: String,
    pub error: String,
    pub surface: String,
    /// The rewrite's marks: added, moved, changed in place, removed.
    pub added: String,
    pub moved: String,
    pub changed: String,
    pub removed: String,
}

fn var(style: &Option<web_sys::CssStyleDeclaration>, name: &str, fallback: &str) -> String {
    style
        .as_ref()
        .and_then(|s| s.get_property_value(name).ok())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| fallback.to_string())
}

impl Theme {
    pub fn read() -> Theme {
        let style = web_sys::window().and_then(|w| {
            let root = w.document()?.document_element()?;
            w.get_computed_style(&root).ok().flatten()
        });
        Theme {
            bg: var(&style, "--surface", "#ffffff"),
            text: var(&style, "--text", "#17212b"),
            muted: var(&style, "--muted", "#5b6b7c"),
            edge: var(&style, "--dag-edge", "#8a96a3"),
            accent: var(&style, "--accent", "#0072b2"),
            warn: var(&style, "--warn", "#e69f00"),
            error: var(&style, "--error", "#c0392b"),
            surface: var(&style, "--idle", "#e4e9ef"),
            added: var(&style, "--dag-added", "#009e73"),
            moved: var(&style, "--dag-moved", "#56b4e9"),
            changed: var(&style, "--dag-changed", "#e69f00"),
            removed: var(&style, "--dag-removed", "#d55e00"),
        }
    }
}

impl Theme {
    /// The colour and glyph marking a node the rewrite touched (the glyph reads without colour).
    pub fn change(&self, a: planscope_core::rewrite::Action) -> (&str, &'static str) {
        use planscope_core::rewrite::Action;
        match a {
            Action::Add => (&self.added, "+"),
            Action::Move => (&self.moved, "→"),
            Action::Change => (&self.changed, "~"),
            Action::Remove | Action::Rewire => (&self.removed, "−"),
        }
    }
}

/// How nodes are coloured.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorBy {
    #[default]
    Gpu,
    Stage,
}

impl ColorBy {
    pub fn key(self) -> &'static str {
        match self {
            ColorBy::Gpu => "gpu",
            ColorBy::Stage => "stage",
        }
    }
}

/// Fill for a node on `gpu` (of `gpus` in the plan) or in pipeline stage `stage`:
/// cividis along the GPU ids, Tol's muted set for stages; None = no colour known.
pub fn fill(by: ColorBy, gpu: Option<u32>, max_gpu: u32, stage: Option<u32>) -> Option<String> {
    match by {
        ColorBy::Gpu => gpu.map(|g| sequential(if max_gpu == 0 { 0.5 } else { g as f64 / max_gpu as f64 })),
        ColorBy::Stage => stage.map(|s| categorical(s).to_string()),
    }
}

/// Dark or light text, whichever reads on `fill` (`#rrggbb`).
pub fn ink_on(fill: &str) -> &'static str {
    let hex = fill.trim_start_matches('#');
    let ch = |i: usize| hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()).unwrap_or(128) as f64;
    let lum = 0.2126 * ch(0) + 0.7152 * ch(2) + 0.0722 * ch(4);
    if lum > 140.0 { "#111820" } else { "#f5f7fa" }
}
