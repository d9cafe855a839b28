//! The Conditions panel: the model and hardware both sides are held to, with the target
//! strategy (the header's Target box). Constants come from presets, from config files
//! chosen or dropped here (`planscope_core::conditions::read`: HF config.json, DeepSeek's
//! reference config, Megatron flags, llm-analysis and aiconfigurator hardware files,
//! planscope meta), or typed field by field (`planscope_core::conditions_form`). Every
//! change analyses both sides again (`Session::set_conditions`).

use super::expert_load::ExpertLoadInput;
use super::state::{ConfigReads, Session};
use leptos::prelude::*;
use leptos::task::spawn_local;
use planscope_core::conditions::{hardware_presets, model_presets};
use planscope_core::conditions_form::{self as form, FIELDS, Field, Section};
use planscope_core::model::Meta;
use web_sys::HtmlInputElement;

#[component]
fn FieldInput(field: &'static Field) -> impl IntoView {
    let session = expect_context::<Session>();
    // What the plan itself declares, shown as the placeholder: typing overrides it.
    let declared = move || {
        session
            .opened
            .with(|o| o.as_ref().and_then(|o| form::get(&o.before.plan.meta, field.key)))
            .map_or_else(|| "not given".to_string(), |v| format!("plan: {v}"))
    };
    let value = move || session.conditions.with(|m| form::get(m, field.key)).unwrap_or_default();
    let on_change = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        let current = session.conditions.get_untracked();
        match form::set(&current, field, &input.value()) {
            // Nothing changed (the same value committed again): nothing to analyse.
            Ok(meta) if meta == current => {}
            Ok(meta) => {
                session.error.set(None);
                session.set_conditions(meta);
            }
            Err(e) => {
                session.error.set(Some(e.to_string()));
                // The field shows what is in force again: a refused entry changes nothing.
                input.set_value(&value());
            }
        }
    };
    let id = format!("cond-{}", field.key.replace('.', "-"));
    let label_for = id.clone();
    view! {
        <label class="cond-field" for=label_for>
            <span>{field.label}</span>
            <input
                id=id
                data-field=field.key
                spellcheck="false"
                autocomplete="off"
                placeholder=declared
                prop:value=value
                on:change=on_change
            />
        </label>
    }
}

fn section(which: Section) -> impl IntoView {
    FIELDS.iter().filter(|f| f.section == which).map(|f| view! { <FieldInput field=f /> }).collect_view()
}

#[component]
pub fn ConditionsPanel() -> impl IntoView {
    let session = expect_context::<Session>();
    let ConfigReads { loaded, reading } = session.config_reads;
    let (over, set_over) = signal(false);
    let summary = move || {
        let c = session.conditions.get();
        let mut parts = Vec::new();
        if let Some(n) = c.model.name.clone() {
            parts.push(n);
        }
        if let Some(g) = c.cluster.gpu_name.clone() {
            parts.push(g);
        }
        let declared = FIELDS.iter().filter(|f| form::get(&c, f.key).is_some()).count();
        if declared > 0 {
            parts.push(format!("{} declared", planscope_core::units::plural(declared, "constant")));
        } else {
            parts.push("none declared: the plan's own and documented defaults".into());
        }
        if let Some(t) = session.after.with(|a| a.as_ref().and_then(|r| r.target)) {
            parts.push(format!("target {}", t.short()));
        }
        parts.join(" · ")
    };
    let on_file = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        for f in super::file_io::files_of(input.files()) {
            session.load_config_file(f);
        }
        input.set_value("");
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        // Dropped here, a file is a config, not a plan: the page's own drop must not see it.
        ev.prevent_default();
        ev.stop_propagation();
        set_over.set(false);
        for f in super::file_io::files_of(ev.data_transfer().and_then(|dt| dt.files())) {
            session.load_config_file(f);
        }
    };
    // A model preset's config.json is read in the readers' worker, as a user's would be.
    let pick_model = move |ev: leptos::ev::Event| {
        let id = event_target_value(&ev);
        let Some(p) = model_presets().iter().find(|p| p.id == id) else { return };
        spawn_local(async move {
            reading.set(Some(format!("Reading the {} preset…", p.name)));
            let read = super::readers::read_preset(p.id).await;
            reading.set(None);
            match read {
                Ok(read) => {
                    loaded.update(|l| l.push(format!("{} — model preset", p.name)));
                    session.error.set(None);
                    session.set_conditions(session.conditions.get_untracked().merged_with_file(&read.meta));
                }
                Err(e) => session.error.set(Some(format!("Conditions › {}: {e}", p.name))),
            }
        });
    };
    let pick_gpu = move |ev: leptos::ev::Event| {
        let id = event_target_value(&ev);
        if let Some(p) = hardware_presets().iter().find(|p| p.id == id) {
            let over = Meta { cluster: p.spec(), ..Meta::default() };
            loaded.update(|l| l.push(format!("{} — GPU preset", p.name)));
            session.set_conditions(session.conditions.get_untracked().merged_with_file(&over));
        }
    };
    let new_from_config = move |_| session.new_from_config();
    let clear = move |_| {
        loaded.set(Vec::new());
        session.set_conditions(Meta::default());
    };
    let target = move || {
        session
            .after
            .with(|a| a.as_ref().and_then(|r| r.target))
            .map_or_else(|| "none: type one in the Target box above".to_string(), |t| t.to_string())
    };
    view! {
        <details
            class="card conditions"
            class:drag-over=over
            data-testid="conditions"
            on:dragover=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                ev.stop_propagation();
                set_over.set(true);
            }
            on:dragleave=move |_| set_over.set(false)
            on:drop=on_drop
        >
            <summary>
                <span class="cond-title">"Conditions"</span>
                <span class="muted cond-summary" data-testid="conditions-summary">{summary}</span>
            </summary>
            <div class="cond-bar">
                <label class="cond-preset">
                    <span>"Model preset"</span>
                    <select data-testid="model-preset" on:change=pick_model>
                        <option value="">"—"</option>
                        {model_presets().iter().map(|p| view! { <option value=p.id>{p.name}</option> }).collect_view()}
                    </select>
                </label>
                <label class="cond-preset">
                    <span>"GPU preset"</span>
                    <select data-testid="hardware-preset" on:change=pick_gpu>
                        <option value="">"—"</option>
                        {hardware_presets().iter().map(|p| view! { <option value=p.id>{p.name}</option> }).collect_view()}
                    </select>
                </label>
                <label class="button">
                    "Load config…"
                    <input
                        type="file"
                        multiple
                        class="visually-hidden"
                        accept=".json,.yaml,.yml,.toml,.sh,.txt"
                        data-testid="conditions-input"
                        on:change=on_file
                    />
                </label>
                <button type="button" class="button" data-testid="conditions-clear" on:click=clear>"Clear"</button>
                <button
                    type="button"
                    class="button primary"
                    data-testid="new-from-config"
                    title="Generate a correct deployment of this model and hardware for the target, and open it"
                    on:click=new_from_config
                >
                    "New from config"
                </button>
            </div>
            // Always there, so screen readers announce what it says.
            <p class="cond-reading" role="status" data-testid="conditions-reading">
                {move || reading.get().unwrap_or_default()}
            </p>
            <p class="muted cond-help">
                "Drop a Hugging Face config.json, DeepSeek or Megatron config, or an llm-analysis / aiconfigurator \
                 hardware file here, pick presets, or type values. What you declare wins over the plan's own \
                 (placeholders show the plan's); both sides and the report follow at once."
            </p>
            <p class="cond-strategy">
                <span class="muted">"Strategy (the Target box): "</span>
                <code data-testid="conditions-target">{target}</code>
            </p>
            <div class="cond-sections">
                <fieldset>
                    <legend>"Model"</legend>
                    <div class="cond-grid">{section(Section::Model)}</div>
                </fieldset>
                <fieldset>
                    <legend>"Hardware"</legend>
                    <div class="cond-grid">{section(Section::Hardware)}</div>
                </fieldset>
            </div>
            <ExpertLoadInput />
            <Show when=move || !loaded.with(Vec::is_empty)>
                <ul class="cond-loaded" data-testid="conditions-loaded">
                    {move || loaded.get().into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
                </ul>
            </Show>
        </details>
    }
}
