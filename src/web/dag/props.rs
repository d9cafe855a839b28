//! The selected node's properties: every field, attrs as key/value. All values are
//! rendered as text nodes, so ids or labels holding markup stay text.

use super::Selection;
use crate::web::state::Side;
use leptos::prelude::*;
use planscope_core::model::{Node, Plan};
use std::sync::Arc;

fn rows(n: &Node) -> Vec<(&'static str, String)> {
    let opt = |v: Option<u32>| v.map(|x| x.to_string()).unwrap_or_else(|| "—".into());
    let shapes = |v: &[planscope_core::model::Shape]| {
        if v.is_empty() { "—".to_string() } else { v.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ") }
    };
    let r = &n.ranks;
    let ranks = [("EP", r.ep), ("TP", r.tp), ("PP", r.pp), ("DP", r.dp)]
        .iter()
        .filter_map(|(k, v)| v.map(|x| format!("{k} {x}")))
        .collect::<Vec<_>>()
        .join(" · ");
    vec![
        ("id", n.id.clone()),
        ("label", n.label.clone().unwrap_or_else(|| "—".into())),
        ("kind", n.kind.as_str().to_string()),
        ("op", n.op.as_ref().map(|o| o.name().to_string()).unwrap_or_else(|| "—".into())),
        ("placement", n.placement.to_string()),
        ("inputs", shapes(&n.inputs)),
        ("output", n.output.as_ref().map(|s| s.to_string()).unwrap_or_else(|| "—".into())),
        ("layer", opt(n.layer)),
        ("expert", opt(n.expert)),
        ("ranks", if ranks.is_empty() { "—".into() } else { ranks }),
        ("group", n.group.clone().unwrap_or_else(|| "—".into())),
    ]
}

fn attr_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[component]
pub fn Props(selection: RwSignal<Selection>, before: Arc<Plan>, after: Signal<Option<Arc<Plan>>>) -> impl IntoView {
    let body = move || {
        let sel = selection.get();
        let (side, idx) = sel.primary?;
        let plan = match side {
            Side::Before => before.clone(),
            Side::After => after.get()?,
        };
        let node = plan.nodes.get(idx as usize)?.clone();
        let others = if side == Side::Before { sel.after.len() } else { sel.before.len() };
        let other_name = if side == Side::Before { "after" } else { "before" };
        let fields = rows(&node)
            .into_iter()
            .map(|(k, v)| view! { <div><dt>{k}</dt><dd data-field=k>{v}</dd></div> })
            .collect_view();
        let attrs = node
            .attrs
            .iter()
            .map(|(k, v)| view! { <div><dt>{k.clone()}</dt><dd>{attr_text(v)}</dd></div> })
            .collect_view();
        Some(view! {
            <header class="dag-props-head">
                <h3>{format!("{} node", if side == Side::Before { "Before" } else { "After" })}</h3>
                <button class="dag-props-close" aria-label="Close" on:click=move |_| selection.set(Default::default())>
                    "×"
                </button>
            </header>
            <dl class="dag-props-fields">{fields}</dl>
            <h4>"attrs"</h4>
            <dl class="dag-props-fields dag-attrs">{attrs}</dl>
            <p class="muted" data-testid="dag-counterparts">
                {format!("{others} counterpart{} on the {other_name} side", if others == 1 { "" } else { "s" })}
            </p>
        })
    };
    // Always present (a hint when empty), so selecting never reflows the panes.
    view! {
        <aside class="dag-props" data-testid="dag-props" aria-live="polite">
            {move || body().map(|b| b.into_any()).unwrap_or_else(|| {
                view! { <p class="muted">"Click a node, or find one (Ctrl+F), to see its properties."</p> }.into_any()
            })}
        </aside>
    }
}
