//! The open plan: the file as opened with its before side, and the after side — the
//! rewrite to the target strategy, or a second plan of the user's own to compare with.
//! The target and the conditions (the Conditions panel's constants) are the page's single
//! source of truth: both sides are analysed against them (`analysis::sides`), and a change
//! of either analyses both again, so every finding, the review, the report and the
//! permalink follow at once. Every operation leaves the open plan untouched when it fails.

mod dropped;

use super::{Chrome, ConfigReads, Focus};
use crate::web::file_io::{read_file_bytes, read_file_text, yield_to_paint};
use crate::web::readers::{read_conditions, read_launch};
use leptos::prelude::*;
use leptos::task::spawn_local;
use planscope_core::analysis::{
    After, Analysis, Request, analyze_paced, compare_side, default_metric, holds, sides_paced, target_of,
};
use planscope_core::check::declared::{Readings, launch_key, reads_as_launch};
use planscope_core::check::{Code, Finding};
use planscope_core::conditions::reply::Read;
use planscope_core::examples::SEED_EP64_TP2;
use planscope_core::expert_load::ExpertLoad;
use planscope_core::limits::Capacity;
use planscope_core::model::{Meta, Plan, Strategy};
use planscope_core::pace::{self, Pause, Paused};
use planscope_core::read::{
    Fault, Inflated, MAX_INPUT_BYTES, Progress, ReadError, inflate, is_gzip, plan_text, read_plan, text_of,
};
use planscope_core::rewrite::{BrokenRule, RewriteError};
use planscope_core::share::{SharedPlan, ViewState};
use planscope_core::summary::Summary;
use planscope_core::units;
use planscope_core::write::json::write_json_within;
use std::sync::Arc;
use web_sys::File;

/// The plan as opened: the file and its before side (the plan as written, verified).
pub struct Opened {
    pub file_name: String,
    /// The text as loaded, so a permalink reproduces the user's own file; none for a
    /// compressed plan too large to inflate as text (no link could hold it).
    pub text: Option<Arc<str>>,
    pub summary: Summary,
    pub before: Analysis,
}

impl Opened {
    pub fn findings(&self) -> &[Finding] {
        &self.before.report.findings
    }
}

/// The after side: the target strategy (the one asked for, else the declared one) and
/// the rewrite to it, or why it can't be done; or the compared plan (whose target may be
/// none).
#[derive(Clone)]
pub struct Rewrite {
    pub target: Option<Strategy>,
    pub outcome: Result<Arc<After>, RewriteError>,
}

/// A second plan of the user's own, opened as the after side instead of the rewrite.
pub struct Compared {
    pub file_name: String,
    /// The text as loaded, for the permalink.
    pub text: Arc<str>,
    pub plan: Arc<Plan>,
}

impl Rewrite {
    pub fn ok(&self) -> Option<&After> {
        self.outcome.as_ref().ok().map(|a| a.as_ref())
    }
}

#[derive(Clone, Copy)]
pub struct Session {
    pub opened: RwSignal<Option<Arc<Opened>>>,
    /// None: no target yet (the plan declares no strategy and none was asked for).
    pub after: RwSignal<Option<Rewrite>>,
    /// The target strategy box's text.
    pub target_text: RwSignal<String>,
    /// The target both sides are held to, as asked for (None: the plan's declared one).
    pub target: RwSignal<Option<Strategy>>,
    /// The Conditions panel's constants, merged over both plans' meta.
    pub conditions: RwSignal<Meta>,
    /// The Conditions panel's expert load: the rewrite places experts by it and both sides
    /// are simulated under it (`Request::expert_load`).
    pub expert_load: RwSignal<Option<Arc<ExpertLoad>>>,
    /// The compared plan, when the after side is a file of the user's own.
    pub compared: RwSignal<Option<Arc<Compared>>>,
    pub error: RwSignal<Option<String>>,
    /// What a load is doing, while it runs.
    pub busy: RwSignal<Option<String>>,
    /// Why the address bar holds no permalink (the plan is too large for a link).
    pub link_note: RwSignal<Option<String>>,
    /// What the page did with what it was given, until dismissed or the next drop: the
    /// files of a drop it left unopened, a file given as a plan read into the conditions.
    pub note: RwSignal<Option<String>>,
    /// The config files read into the conditions.
    pub config_reads: ConfigReads,
    /// Counts opens, so a slow load that a newer one overtook is dropped.
    load_seq: RwSignal<u64>,
    /// Declared strategies written as launch lines, read by the readers' worker (the page
    /// links no launch reader): the verifier reads them from here (`Request::launch`).
    launch: StoredValue<Arc<Readings>>,
    /// Reset when another plan opens, and set from a permalink's view.
    focus: Focus,
    chrome: Chrome,
}

impl Session {
    pub fn new(focus: Focus, chrome: Chrome) -> Session {
        Session {
            opened: RwSignal::new(None),
            after: RwSignal::new(None),
            target_text: RwSignal::new(String::new()),
            target: RwSignal::new(None),
            conditions: RwSignal::new(Meta::default()),
            expert_load: RwSignal::new(None),
            compared: RwSignal::new(None),
            error: RwSignal::new(None),
            busy: RwSignal::new(None),
            link_note: RwSignal::new(None),
            note: RwSignal::new(None),
            config_reads: ConfigReads::new(),
            load_seq: RwSignal::new(0),
            launch: StoredValue::new(Arc::default()),
            focus,
            chrome,
        }
    }

    /// Calls `f` with the open plan's findings, untracked (none when nothing is open).
    pub fn with_findings<R>(&self, f: impl FnOnce(&[Finding]) -> R) -> R {
        self.opened.with_untracked(|o| f(o.as_ref().map_or(&[], |o| o.findings())))
    }

    /// Opens text as a plan. On failure the error is shown and the open plan stays.
    /// Runs in slices (read, verify, rewrite), yielding to the browser between them so
    /// the progress shows and the page never freezes on a large plan.
    /// A new plan keeps the conditions (they describe the model and hardware, not the
    /// file) but not the target asked for nor the compared plan.
    pub fn open_text(&self, file_name: &str, text: &str) {
        self.open_shared(file_name, text, self.new_plan_restore());
    }

    /// What a new plan opens with: the conditions and the expert load (they describe the
    /// model and hardware, not the file), no target asked for, no compared plan.
    fn new_plan_restore(&self) -> Restore {
        Restore {
            conditions: self.conditions.get_untracked(),
            expert_load: self.expert_load.get_untracked(),
            ..Restore::default()
        }
    }

    /// Opens text with what a permalink restores: target, conditions, compared plan, view.
    pub fn open_shared(&self, file_name: &str, text: &str, shared: Restore) {
        self.open_source(file_name, Source::Text(text.to_string()), shared);
    }

    /// New from config: opens a correct deployment of the conditions' model on their
    /// hardware for the target, generated by the core (`gen::plan_from`), as `open_text`
    /// opens text. A launch line in the Target box is read first, in the readers' worker and
    /// into the conditions, as Rewrite reads it: the name parser alone would misread it.
    pub fn new_from_config(&self) {
        let typed = self.target_text.get_untracked();
        if reads_as_launch(&typed) {
            let this = *self;
            spawn_local(async move {
                match this.read_config("Target", &typed).await {
                    Ok(_) => this.open_generated(None),
                    Err(e) => this.error.set(Some(format!("Target `{}`: {e}", typed.trim()))),
                }
            });
            return;
        }
        self.open_generated(Strategy::parse(&typed).ok());
    }

    /// Opens the deployment generated from the conditions, for `typed` over their own
    /// strategy, named after the model and the strategy.
    fn open_generated(&self, typed: Option<Strategy>) {
        let mut meta = self.conditions.get_untracked();
        if typed.is_some() {
            meta.strategy = typed;
        }
        let model = meta.model.name.as_deref().unwrap_or("model").replace(char::is_whitespace, "-");
        let name = format!("{model}-{}.json", meta.strategy.map(|s| s.short()).unwrap_or_default());
        // Held to the strategy it was generated for.
        let restore = Restore { target: meta.strategy, ..self.new_plan_restore() };
        self.open_source(&name, Source::Generated(Box::new(meta)), restore);
    }

    /// Opens a file's bytes (compressed or text) as a plan, as `open_text` opens text.
    pub fn open_bytes(&self, file_name: &str, bytes: Vec<u8>) {
        self.open_source(file_name, Source::Bytes(bytes), self.new_plan_restore());
    }

    fn open_source(&self, file_name: &str, source: Source, shared: Restore) {
        let (this, name) = (*self, file_name.to_string());
        let seq = self.load_seq.get_untracked() + 1;
        self.load_seq.set(seq);
        // Cleared when a load starts, not when it ends, so a message set meanwhile (e.g. why
        // a link fell back to the example) survives the load. The note of an earlier drop
        // goes too.
        self.error.set(None);
        self.note.set(None);
        spawn_local(async move { this.open_in_slices(seq, name, source, shared).await });
    }

    /// The request both sides are analysed with.
    pub fn request(&self) -> Request {
        Request {
            strategy: self.target.get_untracked(),
            overrides: self.conditions.get_untracked(),
            expert_load: self.expert_load.get_untracked(),
            launch: Some(self.launch.get_value()),
            capacity: Capacity::PAGE,
            ..Request::default()
        }
    }

    /// The declared launch lines that verifying these sides read and found no reading for:
    /// the plan's, the compared plan's or the rewrite's (a launch line in the conditions is
    /// held to the rewrite's GPUs), by `check::declared::launch_key`.
    fn unread_launches(&self, req: &Request, before: &Analysis, after: Option<&Rewrite>) -> Vec<(String, Option<u64>)> {
        let readings = self.launch.get_value();
        let after = after.and_then(Rewrite::ok).map(|a| a.analysis.plan.as_ref());
        let mut keys: Vec<_> = [Some(before.plan.as_ref()), after]
            .into_iter()
            .flatten()
            .filter_map(|p| launch_key(p, req.gpus, &req.overrides))
            .filter(|k| !readings.has(k))
            .collect();
        keys.dedup();
        keys
    }

    /// Reads `keys` in the readers' worker and keeps the readings. One the worker cannot
    /// give is not kept: the verifier says it was not read, and the next analysis asks again.
    async fn read_launches(&self, keys: Vec<(String, Option<u64>)>) {
        for (name, gpus) in keys {
            if let Ok(reading) = read_launch(&name, gpus).await {
                self.launch.update_value(|r| Arc::make_mut(r).insert((name, gpus), reading));
            }
        }
    }

    /// [`analyse_paced`], with the declared launch lines it meets read in the worker first:
    /// when one had no reading, they are read and the sides analysed again with them.
    async fn analyse_reading(
        &self,
        plan: Arc<Plan>,
        req: &Request,
        compared: Option<&Compared>,
        pause: Pause<'_>,
    ) -> (Analysis, Option<Rewrite>) {
        let mut read_them = true;
        loop {
            // One await of the analysis, not two: each is a copy of its state machine.
            let req = Request { launch: Some(self.launch.get_value()), ..req.clone() };
            let (before, after) = analyse_paced(plan.clone(), &req, compared, pause).await;
            let unread = self.unread_launches(&req, &before, after.as_ref());
            if unread.is_empty() || !read_them {
                return (before, after);
            }
            self.read_launches(unread).await;
            read_them = false;
        }
    }

    /// The load in phases, each one slice of work with a status naming it: inflate (a
    /// compressed file), read, verify, draw (the views built from the analysis); the DAG
    /// pane then lays the plan out in a slice of its own. Between phases the browser paints and handles input. The open plan stays until
    /// the new one is ready, and stays when any phase fails.
    async fn open_in_slices(self, seq: u64, name: String, source: Source, shared: Restore) {
        // A newer open supersedes this one: drop its results.
        let current = move || self.load_seq.get_untracked() == seq;
        let fail = move |e: String| {
            if current() {
                self.busy.set(None);
                self.error.set(Some(e));
            }
        };
        let text = match source {
            Source::Text(text) => text,
            Source::Generated(meta) => {
                self.busy.set(Some(format!("Generating {name}…")));
                yield_to_paint().await;
                if !current() {
                    return;
                }
                // Built beside the open plan, which stays held until it opens.
                let held = self.opened.with_untracked(|o| o.as_ref().map_or(0, |o| o.before.plan.elements()));
                let plan = match planscope_core::r#gen::plan_from(&meta, Capacity::PAGE.beside(held)) {
                    Ok(plan) => plan,
                    Err(e) => return fail(format!("New from config: {e}")),
                };
                // Its canonical JSON, as if that file had been opened, for the permalink and
                // Save; none past the input limit (written up to it at most), as for a large
                // compressed plan.
                let text = write_json_within(&plan, MAX_INPUT_BYTES).map(Arc::from);
                return self.open_plan(seq, name, text, Ok(plan), shared).await;
            }
            Source::Bytes(bytes) if is_gzip(&bytes) => {
                self.busy.set(Some(format!("Inflating {name} ({} compressed)…", units::bytes(bytes.len()))));
                yield_to_paint().await;
                if !current() {
                    return;
                }
                match inflate(&bytes) {
                    Ok(Inflated::Text(text)) => text,
                    // Past the input limit the plan is read as it inflates, a slice at a time.
                    Ok(Inflated::Stream(mut stream)) => {
                        let plan = loop {
                            match stream.step(READ_SLICE) {
                                Ok(Progress::Reading { nodes, edges }) => {
                                    // Stopped as soon as it is past what the page analyses,
                                    // before the rest of it is held.
                                    if let Err(why) = holds(Capacity::PAGE, nodes, edges) {
                                        return fail(format!(
                                            "{name} is too large to analyse in the page: {why} (counted as it \
                                             was read: the file holds more)"
                                        ));
                                    }
                                    self.busy.set(Some(format!(
                                        "Reading {name}: {} nodes, {} edges so far…",
                                        units::thousands(nodes),
                                        units::thousands(edges)
                                    )));
                                    yield_to_paint().await;
                                    if !current() {
                                        return;
                                    }
                                }
                                Ok(Progress::Done(plan)) => break Ok(*plan),
                                Err(e) => break Err(e),
                            }
                        };
                        // The inflated head it held (up to the input limit) goes before verifying.
                        drop(stream);
                        return self.open_plan(seq, name, None, plan, shared).await;
                    }
                    Err(e) => return fail(e.with_file(&name)),
                }
            }
            Source::Bytes(bytes) => match text_of(&bytes) {
                Ok(_) => String::from_utf8(bytes).unwrap_or_default(),
                Err(e) => return fail(e.with_file(&name)),
            },
        };
        self.busy.set(Some(format!("Reading {name} ({})…", units::bytes(text.len()))));
        yield_to_paint().await;
        if !current() {
            return;
        }
        match read_plan(&text) {
            Err(e) if e.fault == Fault::NotAPlan => self.read_as_config(seq, name, text, e).await,
            plan => self.open_plan(seq, name, Some(text.into()), plan, shared).await,
        }
    }

    /// A file given as a plan that is none (a model's config.json, a hardware YAML, a launch
    /// script): read into the conditions, as the Conditions panel reads a file dropped on
    /// it, and the open plan stays. One the config readers cannot read either gets the plan
    /// reader's error and theirs.
    async fn read_as_config(self, seq: u64, name: String, text: String, not_plan: ReadError) {
        self.busy.set(Some(format!("{name} is not a plan: reading it as a config…")));
        let read = self.read_config(&name, &text).await;
        if self.load_seq.get_untracked() == seq {
            self.busy.set(None);
        }
        match read {
            Ok(read) => self.note.set(Some(format!(
                "{name} is not a plan, so it was read into the Conditions: {}, {}.",
                read.format,
                units::count(read.fields.len() as u64, "value", "values")
            ))),
            Err(e) => {
                self.error.set(Some(format!("{}. Nor is it a config planscope reads: {e}", not_plan.with_file(&name))))
            }
        }
    }

    /// Reads a config file in the readers' worker and merges what it states into the
    /// conditions (a later model replaces an earlier one: `Meta::merged_with_file`), which
    /// analyses both sides again. Says what it read, or why it read nothing.
    pub async fn read_config(self, name: &str, text: &str) -> Result<Read, String> {
        let ConfigReads { loaded, reading } = self.config_reads;
        reading.set(Some(format!("Reading {name}…")));
        let read = read_conditions(name, text).await;
        reading.set(None);
        let read = read?;
        loaded.update(|l| l.push(format!("{name} — {}: {}", read.format, read.fields.join(", "))));
        self.error.set(None);
        self.set_conditions(self.conditions.get_untracked().merged_with_file(&read.meta));
        // Read as written, and said: a file's strategy is kept as degrees, so no finding can.
        if let Some(why) = launch_broken(name, &read) {
            self.error.set(Some(why));
        }
        Ok(read)
    }

    /// [`read_config`](Self::read_config) of a file chosen or dropped as a config; one not
    /// understood says why and changes nothing.
    pub fn load_config_file(&self, file: File) {
        let this = *self;
        spawn_local(async move {
            let name = file.name();
            let text = match read_file_text(&file).await {
                Ok(text) => text,
                // The message names the file.
                Err(msg) => return this.error.set(Some(msg)),
            };
            if let Err(e) = this.read_config(&name, &text).await {
                this.error.set(Some(format!("Conditions › {name}: {e}")));
            }
        });
    }

    /// The phases after reading: verify (and rewrite or compare), then show.
    async fn open_plan(
        self,
        seq: u64,
        name: String,
        text: Option<Arc<str>>,
        plan: Result<Plan, ReadError>,
        shared: Restore,
    ) {
        let Restore { target, conditions, expert_load, compared, view } = shared;
        let current = move || self.load_seq.get_untracked() == seq;
        let plan = match plan {
            Ok(p) => p,
            Err(e) => {
                if current() {
                    self.busy.set(None);
                    self.error.set(Some(e.with_file(&name)));
                }
                return;
            }
        };
        if let Err(why) = holds(Capacity::PAGE, plan.nodes.len(), plan.edges.len()) {
            if current() {
                self.busy.set(None);
                self.error.set(Some(format!("{name} is too large to analyse in the page: {why}")));
            }
            return;
        }
        let summary = Summary::of(&plan);
        let plan = Arc::new(plan);
        let compared = match compared.map(|c| read_compared(&c, &plan)).transpose() {
            Ok(c) => c.map(Arc::new),
            Err(e) => {
                if current() {
                    self.busy.set(None);
                    self.error.set(Some(e));
                }
                return;
            }
        };
        let req = Request {
            strategy: target,
            overrides: conditions.clone(),
            expert_load: expert_load.clone(),
            capacity: Capacity::PAGE,
            // The launch readings: `analyse_reading` adds them.
            ..Request::default()
        };
        let shown = target_of(&plan, &req);
        let nodes = units::count(summary.nodes as u64, "node", "nodes");
        self.busy.set(Some(match (shown, &compared) {
            (_, Some(c)) => format!("Verifying {} and comparing with {}…", nodes, c.file_name),
            (Some(s), None) => {
                format!("Verifying {} against {} (and rewriting them if they break it)…", nodes, s.short())
            }
            (None, None) => format!("Verifying {}…", nodes),
        }));
        yield_to_paint().await;
        if !current() {
            return;
        }
        // A large plan is verified (and rewritten) in steps, the browser painting and
        // answering input between them.
        let mut pause = pacing(&plan);
        let (before, after) = self.analyse_reading(plan, &req, compared.as_deref(), &mut pause).await;
        if !current() {
            return;
        }
        // The views are built when the signals below change: a task of its own, after a paint.
        self.busy.set(Some(format!("Drawing {}…", nodes)));
        yield_to_paint().await;
        if !current() {
            return;
        }
        self.target.set(target);
        self.conditions.set(conditions);
        self.expert_load.set(expert_load);
        self.compared.set(compared);
        self.target_text.set(shown.map(|s| s.short()).unwrap_or_default());
        self.focus.reset();
        self.chrome.advice.set(None);
        self.chrome.metric.set(default_metric(&before));
        let opened = Arc::new(Opened { file_name: name, text, summary, before });
        self.after.set(after);
        self.opened.set(Some(opened.clone()));
        self.busy.set(None);
        if let Some(v) = view {
            self.chrome.apply_view(&v);
            self.focus.apply_view(&v, opened.findings());
        }
    }

    /// Opens one file: a plan, or a config read into the conditions.
    pub fn open_file(&self, file: File) {
        let this = *self;
        this.busy.set(Some(format!("Reading {}…", file.name())));
        spawn_local(async move {
            match read_file_bytes(&file).await {
                Ok(bytes) => this.open_bytes(&file.name(), bytes),
                Err(msg) => {
                    this.busy.set(None);
                    this.error.set(Some(msg));
                }
            }
        });
    }

    pub fn open_example(&self) {
        self.open_text(SEED_EP64_TP2.file_name, SEED_EP64_TP2.text);
    }

    /// Holds both sides to the strategy in the target box: the plan as written is verified
    /// against it and rewritten to it (a compared plan gives way to the rewrite). On a bad
    /// strategy nothing changes but the error, which says what to type.
    pub fn rewrite(&self) {
        let text = self.target_text.get_untracked();
        if text.trim().is_empty() {
            self.error.set(Some(
                "Type a target strategy in the Target box first, e.g. EP64_TP2 or EP4_DP32 (degrees EP, TP, PP, DP joined by _)".into(),
            ));
            return;
        }
        // A launch line means what its framework makes of it: read in the readers' worker,
        // into the conditions, whose strategy becomes the target (`set_conditions`).
        if reads_as_launch(&text) {
            let this = *self;
            spawn_local(async move {
                if let Err(e) = this.read_config("Target", &text).await {
                    this.error.set(Some(format!("Target `{}`: {e}", text.trim())));
                }
            });
            return;
        }
        let strategy = match Strategy::parse(&text) {
            Ok(s) => s,
            Err(e) => {
                self.error
                    .set(Some(format!("Target `{}`: {e}. Type degrees such as EP64_TP2 or EP4_DP32", text.trim())));
                return;
            }
        };
        let Some(opened) = self.opened.get_untracked() else { return };
        let req = Request { strategy: Some(strategy), ..self.request() };
        let nodes = units::count(opened.before.plan.nodes.len() as u64, "node", "nodes");
        let status = format!("Verifying {nodes} against {} (and rewriting them if they break it)…", strategy.short());
        self.analyse_open(&opened, req, None, status, move |this, opened, _, before, after| {
            this.rewritten(opened, strategy, before, after)
        });
    }

    /// Installs the sides held to a new target. A target the rewrite refuses changes nothing
    /// but the error: the workspace stays held to the target it had.
    fn rewritten(&self, opened: &Opened, strategy: Strategy, before: Analysis, after: Option<Rewrite>) {
        if let Some(Rewrite { outcome: Err(e), .. }) = &after {
            self.error.set(Some(e.to_string()));
            return;
        }
        self.target.set(Some(strategy));
        self.compared.set(None);
        self.error.set(None);
        self.install(opened, before, after);
    }

    /// Sets the conditions and analyses both sides again. A strategy the conditions state
    /// becomes the target.
    pub fn set_conditions(&self, meta: Meta) {
        if let Some(s) = meta.strategy {
            self.target.set(Some(s));
            self.target_text.set(s.short());
        }
        self.conditions.set(meta);
        self.reanalyse();
    }

    /// Sets (or clears) the expert load and analyses both sides again. A load that does not
    /// fit the model (its rows or experts), so that the verifier or the rewrite would refuse
    /// it, changes nothing but the error, which says why.
    pub fn set_expert_load(&self, load: Option<Arc<ExpertLoad>>) -> Result<(), String> {
        let Some(opened) = self.opened.get_untracked() else {
            self.expert_load.set(load);
            return Ok(());
        };
        let req = Request { expert_load: load.clone(), ..self.request() };
        let compared = self.compared.get_untracked();
        let (before, after) = analyse(opened.before.plan.clone(), &req, compared.as_deref());
        if let Some(f) = before.report.findings.iter().find(|f| f.code == Code::ExpertLoadMismatch) {
            return Err(f.message.clone());
        }
        if let Some(Rewrite { outcome: Err(e), .. }) = &after
            && e.rules.iter().any(BrokenRule::is_expert_load)
        {
            return Err(e.to_string());
        }
        self.expert_load.set(load);
        self.install(&opened, before, after);
        Ok(())
    }

    /// Opens a second plan of the user's own as the after side, instead of the rewrite.
    pub fn compare_text(&self, file_name: &str, text: &str) {
        let c = SharedPlan { file_name: file_name.to_string(), text: text.to_string() };
        let Some(opened) = self.opened.get_untracked() else {
            self.error.set(Some("Open a plan first: Compare… opens a second plan beside it, as the after side".into()));
            return;
        };
        match read_compared(&c, &opened.before.plan) {
            Ok(c) => {
                self.compared.set(Some(Arc::new(c)));
                self.error.set(None);
                self.reanalyse();
            }
            Err(e) => self.error.set(Some(e)),
        }
    }

    pub fn compare_file(&self, file: File) {
        let this = *self;
        spawn_local(async move {
            let name = file.name();
            // Read as bytes, so a gzip-compressed plan compares as its text would.
            let text = read_file_bytes(&file)
                .await
                .and_then(|bytes| plan_text(&bytes).map_err(|e| format!("Compare: {}", e.with_file(&name))));
            match text {
                Ok(text) => this.compare_text(&name, &text),
                Err(msg) => this.error.set(Some(msg)),
            }
        });
    }

    /// Back from comparing to the rewrite to the target.
    pub fn stop_comparing(&self) {
        self.compared.set(None);
        self.reanalyse();
    }

    /// Both sides again, for the current target, conditions and compared plan: the before
    /// side is replaced (same plan, new report), the after side too.
    fn reanalyse(&self) {
        let Some(opened) = self.opened.get_untracked() else { return };
        let req = self.request();
        let compared = self.compared.get_untracked();
        let nodes = units::count(opened.before.plan.nodes.len() as u64, "node", "nodes");
        let status = format!("Verifying {nodes} again (and rewriting them if they break the target)…");
        self.analyse_open(&opened, req, compared, status, |this, opened, req, before, after| {
            this.reanalysed(opened, req, before, after)
        });
    }

    /// Both sides of the open plan for `req`, then `done` with them. A `large` plan is
    /// analysed in steps, as when it opened (the rewrite
    /// itself is one), the status showing `status`; a load or a newer change meanwhile
    /// supersedes it. Smaller plans in one go, at once.
    fn analyse_open(
        &self,
        opened: &Arc<Opened>,
        req: Request,
        compared: Option<Arc<Compared>>,
        status: String,
        done: impl FnOnce(Session, &Opened, &Request, Analysis, Option<Rewrite>) + 'static,
    ) {
        let plan = opened.before.plan.clone();
        if !large(&plan) {
            let (before, after) = analyse(plan.clone(), &req, compared.as_deref());
            // A declared launch line with no reading yet: read in the worker, below.
            if self.unread_launches(&req, &before, after.as_ref()).is_empty() {
                done(*self, opened, &req, before, after);
                return;
            }
        }
        let (this, opened) = (*self, opened.clone());
        let seq = self.load_seq.get_untracked() + 1;
        self.load_seq.set(seq);
        self.busy.set(Some(status));
        spawn_local(async move {
            let current = move || this.load_seq.get_untracked() == seq;
            yield_to_paint().await;
            if !current() {
                return;
            }
            let mut pause = pacing(&plan);
            let (before, after) = this.analyse_reading(plan, &req, compared.as_deref(), &mut pause).await;
            if current() {
                this.busy.set(None);
                done(this, &opened, &req, before, after);
            }
        });
    }

    /// Installs a reanalysis: the target box shows the target it was held to when empty.
    fn reanalysed(&self, opened: &Opened, req: &Request, before: Analysis, after: Option<Rewrite>) {
        let shown = target_of(&before.plan, req);
        if self.target_text.with_untracked(|t| t.trim().is_empty()) {
            self.target_text.set(shown.map(|s| s.short()).unwrap_or_default());
        }
        self.install(opened, before, after);
    }

    /// Replaces both sides of the open plan (the same file, analysed again).
    fn install(&self, opened: &Opened, before: Analysis, after: Option<Rewrite>) {
        self.focus.close_review();
        self.after.set(after);
        self.opened.set(Some(Arc::new(Opened {
            file_name: opened.file_name.clone(),
            text: opened.text.clone(),
            summary: opened.summary.clone(),
            before,
        })));
    }

    pub fn dismiss_error(&self) {
        self.error.set(None);
    }
}

/// What a permalink (or a new open) brings besides the plan.
/// Nodes and edges read between two paints while a large compressed plan streams in: about
/// 0.1 s of work natively (the 1M-node plan reads 3M elements in some 2 s), a little more
/// in wasm.
const READ_SLICE: usize = 150_000;

/// Plans with more nodes and edges than this are verified in steps with the browser
/// painting between them; smaller ones in one go, since each pause costs a frame (~16 ms),
/// more than their steps take (100k nodes verify in ~0.4 s in all).
const PACE_ABOVE: usize = 50_000;

/// "train.sh: the launch breaks Megatron-LM: …; its strategy is the target as written",
/// when a launch file breaks its framework's rules.
pub(super) fn launch_broken(name: &str, read: &Read) -> Option<String> {
    (!read.launch_broken.is_empty()).then(|| {
        format!(
            "{name}: the launch breaks {}; its strategy is the target as written",
            read.launch_broken.join("; and ")
        )
    })
}

/// Whether `plan` is analysed in paced steps (past `PACE_ABOVE` nodes and edges).
fn large(plan: &Plan) -> bool {
    plan.nodes.len() + plan.edges.len() > PACE_ABOVE
}

/// The pause between analysis steps for `plan`: a paint and input for a large plan, none
/// for a small one.
fn pacing(plan: &Plan) -> impl FnMut() -> Paused + 'static {
    let paced = large(plan);
    move || if paced { Box::pin(yield_to_paint()) } else { pace::none() }
}

/// What a load starts from: text (pasted, a permalink, the example), a file's bytes, or
/// conditions to generate a deployment from (New from config).
enum Source {
    Text(String),
    Bytes(Vec<u8>),
    Generated(Box<Meta>),
}

#[derive(Default)]
pub struct Restore {
    pub target: Option<Strategy>,
    pub conditions: Meta,
    pub expert_load: Option<Arc<ExpertLoad>>,
    pub compared: Option<SharedPlan>,
    pub view: Option<ViewState>,
}

/// A compared plan, held beside `before` (the open plan: the page holds both).
fn read_compared(c: &SharedPlan, before: &Plan) -> Result<Compared, String> {
    let plan = read_plan(&c.text).map_err(|e| format!("Compare: {}", e.with_file(&c.file_name)))?;
    let beside = Capacity::PAGE.beside(before.elements());
    holds(beside, plan.nodes.len(), plan.edges.len())
        .map_err(|why| format!("Compare: {} is too large to analyse in the page: {why}", c.file_name))?;
    Ok(Compared { file_name: c.file_name.clone(), text: c.text.as_str().into(), plan: Arc::new(plan) })
}

/// Both sides for a request: the before side, and the compared plan or the rewrite.
fn analyse(plan: Arc<Plan>, req: &Request, compared: Option<&Compared>) -> (Analysis, Option<Rewrite>) {
    pace::run(analyse_paced(plan, req, compared, &mut pace::none))
}

/// [`analyse`], awaiting `pause` between its steps (`pace`).
async fn analyse_paced(
    plan: Arc<Plan>,
    req: &Request,
    compared: Option<&Compared>,
    pause: Pause<'_>,
) -> (Analysis, Option<Rewrite>) {
    let target = target_of(&plan, req);
    match compared {
        Some(c) => {
            // The before side alone: no rewrite to build when a compared plan is the after side.
            let before = analyze_paced(plan, &Request { strategy: target, ..req.clone() }, pause).await;
            let after = compare_side(&before, &c.file_name, c.plan.clone(), req);
            (before, Some(Rewrite { target, outcome: Ok(Arc::new(after)) }))
        }
        None => {
            let (before, after) = sides_paced(plan, req, pause).await;
            (before, after.map(|outcome| Rewrite { target, outcome: outcome.map(Arc::new) }))
        }
    }
}
