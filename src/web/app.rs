//! Page layout and state: the open plan, the last error, and the drop overlay.

use super::file_io::read_file_text;
use super::loaded::{Loaded, load_text};
use super::summary_view::SummaryView;
use super::toolbar::Toolbar;
use crate::examples::SEED_EP64_TP2;
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::File;

/// Everything the page's controls can do to the state, in one place.
#[derive(Clone, Copy)]
pub struct Actions {
    set_loaded: WriteSignal<Option<Loaded>>,
    pub error: ReadSignal<Option<String>>,
    set_error: WriteSignal<Option<String>>,
}

impl Actions {
    /// Opens text as a plan. On failure the error is shown and the open plan stays.
    pub fn open_text(&self, file_name: &str, text: &str) {
        match load_text(file_name, text) {
            Ok(l) => {
                self.set_loaded.set(Some(l));
                self.set_error.set(None);
            }
            Err(msg) => self.set_error.set(Some(msg)),
        }
    }

    pub fn open_file(&self, file: File) {
        let this = *self;
        spawn_local(async move {
            match read_file_text(&file).await {
                Ok(text) => this.open_text(&file.name(), &text),
                Err(msg) => this.set_error.set(Some(msg)),
            }
        });
    }

    pub fn open_example(&self) {
        self.open_text(SEED_EP64_TP2.file_name, SEED_EP64_TP2.text);
    }

    pub fn dismiss_error(&self) {
        self.set_error.set(None);
    }
}

#[component]
pub fn App() -> impl IntoView {
    let (loaded, set_loaded) = signal(None::<Loaded>);
    let (error, set_error) = signal(None::<String>);
    let actions = Actions { set_loaded, error, set_error };
    actions.open_example();

    let (dragging, set_dragging) = signal(false);
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        set_dragging.set(false);
        let file = ev.data_transfer().and_then(|dt| dt.files()).and_then(|files| files.get(0));
        match file {
            Some(f) => actions.open_file(f),
            None => {
                // Text dragged from an editor arrives as a string, not a file.
                let text = ev.data_transfer().and_then(|dt| dt.get_data("text/plain").ok()).unwrap_or_default();
                if text.trim().is_empty() {
                    set_error.set(Some("Nothing to open: drop a .json, .dot or .gv file".into()));
                } else {
                    actions.open_text("dropped text", &text);
                }
            }
        }
    };

    view! {
        <div
            class="page"
            data-testid="drop-zone"
            on:dragover=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                set_dragging.set(true);
            }
            on:dragleave=move |ev: web_sys::DragEvent| {
                // Leaving a child fires dragleave too; only the page's edge counts.
                if ev.related_target().is_none() {
                    set_dragging.set(false);
                }
            }
            on:drop=on_drop
        >
            <header class="masthead">
                <div class="brand">
                    <span class="logo" aria-hidden="true">"◈"</span>
                    <h1>"planscope"</h1>
                    <span class="tagline">"check and repair MoE deployment plans — in your browser, nothing uploaded"</span>
                </div>
                <Toolbar actions=actions />
            </header>
            <Show when=move || error.get().is_some()>
                <div class="banner error" role="alert" data-testid="error">
                    <span class="banner-icon" aria-hidden="true">"!"</span>
                    <span class="banner-text">{move || error.get().unwrap_or_default()}</span>
                    <button class="banner-close" aria-label="Dismiss" on:click=move |_| actions.dismiss_error()>
                        "×"
                    </button>
                </div>
            </Show>
            <main class="content">
                {move || match loaded.get() {
                    Some(l) => view! { <SummaryView loaded=l /> }.into_any(),
                    None => view! { <p class="empty">"Drop a plan file anywhere on this page."</p> }.into_any(),
                }}
            </main>
            <Show when=move || dragging.get()>
                <div class="drop-overlay" aria-hidden="true">
                    <div class="drop-card">"Drop a JSON or DOT plan to open it"</div>
                </div>
            </Show>
        </div>
    }
}
