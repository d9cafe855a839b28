//! Open, paste and example controls.

use super::app::Actions;
use leptos::prelude::*;
use web_sys::HtmlInputElement;

#[component]
pub fn Toolbar(actions: Actions) -> impl IntoView {
    let (pasting, set_pasting) = signal(false);
    let paste_ref = NodeRef::<leptos::html::Textarea>::new();

    let on_file = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            actions.open_file(file);
        }
        // Reset so choosing the same file again still fires `change`.
        input.set_value("");
    };
    let open_pasted = move |_| {
        if let Some(area) = paste_ref.get() {
            let text = area.value();
            if text.trim().is_empty() {
                return;
            }
            actions.open_text("pasted text", &text);
            if actions.error.get_untracked().is_none() {
                set_pasting.set(false);
            }
        }
    };

    view! {
        <nav class="toolbar" aria-label="Open a plan">
            <label class="button primary">
                "Open file…"
                <input
                    type="file"
                    class="visually-hidden"
                    accept=".json,.dot,.gv,.txt,application/json,text/vnd.graphviz"
                    data-testid="file-input"
                    on:change=on_file
                />
            </label>
            <button class="button" data-testid="paste-toggle" on:click=move |_| set_pasting.update(|p| *p = !*p)>
                "Paste…"
            </button>
            <button class="button" data-testid="load-example" on:click=move |_| actions.open_example()>
                "Load example"
            </button>
        </nav>
        <Show when=move || pasting.get()>
            <div class="paste-panel">
                <textarea
                    node_ref=paste_ref
                    data-testid="paste-text"
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
