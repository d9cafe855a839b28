//! The header: brand, open controls, the strategy box with Rewrite, and the theme switch.

use super::state::{Chrome, Focus, Session};
use leptos::prelude::*;
use web_sys::HtmlInputElement;

#[component]
pub fn Header() -> impl IntoView {
    let session = expect_context::<Session>();
    let focus = expect_context::<Focus>();
    let chrome = expect_context::<Chrome>();
    let (pasting, set_pasting) = signal(false);
    let paste_ref = NodeRef::<leptos::html::Textarea>::new();
    let on_file = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        // A plan chosen with its config, hardware and launch files opens as a drop of them.
        session.open_files(super::file_io::files_of(input.files()));
        // Reset so choosing the same file again still fires `change`.
        input.set_value("");
    };
    let on_compare = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            session.compare_file(file);
        }
        input.set_value("");
    };
    let open_pasted = move |_| {
        if let Some(area) = paste_ref.get() {
            let text = area.value();
            if text.trim().is_empty() {
                return;
            }
            session.open_text("pasted text", &text);
        }
    };
    // Close the paste panel once a plan opens (an error leaves it open to fix the text).
    Effect::new(move |_| {
        session.opened.track();
        set_pasting.set(false);
    });
    let file_name = move || session.opened.with(|o| o.as_ref().map(|o| o.file_name.clone()).unwrap_or_default());

    view! {
        <header class="masthead">
            <div class="brand">
                <span class="logo" aria-hidden="true">"◈"</span>
                <h1>"planscope"</h1>
                <span class="file-chip" title="The open plan">{file_name}</span>
            </div>
            <form
                class="strategy-box"
                on:submit=move |ev| {
                    ev.prevent_default();
                    session.rewrite();
                }
            >
                <label for="strategy">"Target"</label>
                <input
                    id="strategy"
                    data-testid="strategy"
                    placeholder="e.g. EP64_TP2"
                    title="The strategy both sides are held to: EP, TP, PP, DP degrees such as EP64_TP2"
                    spellcheck="false"
                    autocomplete="off"
                    prop:value=move || session.target_text.get()
                    on:input=move |ev| session.target_text.set(event_target_value(&ev))
                />
                <button type="submit" class="button primary" data-testid="rewrite">"Rewrite"</button>
                <button
                    type="button"
                    class="button"
                    data-testid="suggest"
                    title="Rank the valid EP×TP×PP×DP choices for this cluster"
                    on:click=move |_| super::advisor::run(session, chrome)
                >
                    "Suggest"
                </button>
            </form>
            <nav class="toolbar" aria-label="Open a plan">
                <label class="button">
                    "Open file…"
                    <input
                        type="file"
                        class="visually-hidden"
                        multiple
                        accept=".json,.dot,.gv,.txt,.gz,.yaml,.yml,.toml,.sh,application/json,text/vnd.graphviz"
                        data-testid="file-input"
                        on:change=on_file
                    />
                </label>
                <label class="button" title="Open a second plan of your own (e.g. its fix) as the after side">
                    "Compare…"
                    <input
                        type="file"
                        class="visually-hidden"
                        accept=".json,.dot,.gv,.txt,application/json,text/vnd.graphviz"
                        data-testid="compare-input"
                        on:change=on_compare
                    />
                </label>
                <button class="button" data-testid="paste-toggle" on:click=move |_| set_pasting.update(|p| *p = !*p)>
                    "Paste…"
                </button>
                <button class="button" data-testid="load-example" on:click=move |_| session.open_example()>
                    "Example"
                </button>
                <super::export::ExportMenu />
                <button class="button" data-testid="review-open" title="Review findings (r)" on:click=move |_| super::review::open(session, focus, chrome)>
                    "Review"
                </button>
                <button class="button icon" data-testid="help-open" aria-label="Keyboard shortcuts (?)" on:click=move |_| chrome.toggle_help()>
                    "?"
                </button>
                <ThemeToggle />
            </nav>
        </header>
        <Show when=move || pasting.get()>
            <div class="paste-panel">
                <textarea
                    node_ref=paste_ref
                    data-testid="paste-text"
                    aria-label="Plan text"
                    placeholder="Paste a JSON plan or a Graphviz digraph here"
                    spellcheck="false"
                ></textarea>
                <div class="paste-actions">
                    <button class="button primary" data-testid="paste-load" on:click=open_pasted>
                        "Open pasted plan"
                    </button>
                    <button class="button" on:click=move |_| set_pasting.set(false)>"Cancel"</button>
                </div>
            </div>
        </Show>
    }
}

/// Light/dark switch; the system's preference holds until the user chooses.
#[component]
fn ThemeToggle() -> impl IntoView {
    let chrome = expect_context::<Chrome>();
    let dark = chrome.dark;
    view! {
        <button
            class="button icon"
            data-testid="theme"
            aria-label=move || if dark.get() { "Switch to light theme" } else { "Switch to dark theme" }
            on:click=move |_| chrome.toggle_theme()
        >
            {move || if dark.get() { "☀" } else { "☾" }}
        </button>
    }
}
