//! Several files dropped (or chosen) at once, as a user drags a plan together with its
//! model's config.json, a hardware file and a launch script: each is read once and goes
//! where it belongs. The configs go into the conditions first, so the plan opens under
//! them and is analysed once, not once per config.

use super::Session;
use crate::web::file_io::{read_file_bytes, yield_to_paint};
use leptos::prelude::*;
use planscope_core::model::Plan;
use planscope_core::read::{Fault, ReadError, is_gzip, read_plan, text_of};
use planscope_core::units;
use web_sys::File;

/// The plan of a drop, as far as it was read while the files were sorted.
enum DroppedPlan {
    /// Compressed: opened as a single file is, inflated (or streamed) as it opens.
    Compressed(Vec<u8>),
    /// Text, already read (a faulty plan is still the plan: its error is shown).
    Read(String, Box<Result<Plan, ReadError>>),
}

/// What the drop's note reports.
#[derive(Default)]
struct Sorted {
    /// Read into the conditions: "name (format, n values)".
    configs: Vec<String>,
    /// Plans past the first: planscope holds one plan at a time.
    ignored: Vec<String>,
    /// Files neither opened nor read, each with its reason.
    errors: Vec<String>,
}

impl Session {
    /// Opens the files dropped or chosen: one as [`open_file`](Session::open_file) opens
    /// it, several as [`open_dropped`](Self::open_dropped). False when there is none.
    pub fn open_files(&self, files: Vec<File>) -> bool {
        match <[_; 1]>::try_from(files) {
            Ok([file]) => self.open_file(file),
            Err(files) if files.is_empty() => return false,
            // A plan with its config, hardware and launch files: each goes where it belongs.
            Err(files) => self.open_dropped(files),
        }
        true
    }

    /// Opens a drop of several files: every file that is not a plan is read into the
    /// conditions (as on the Conditions panel), then the first plan opens, and the note
    /// says what went where. Files that are neither are named in the error, with why.
    fn open_dropped(&self, files: Vec<File>) {
        let this = *self;
        leptos::task::spawn_local(async move { this.sort_dropped(files).await });
    }

    async fn sort_dropped(self, files: Vec<File>) {
        let count = files.len();
        let mut plan: Option<(String, DroppedPlan)> = None;
        let mut sorted = Sorted::default();
        for file in files {
            let name = file.name();
            self.busy.set(Some(format!("Reading {name}…")));
            yield_to_paint().await;
            let bytes = match read_file_bytes(&file).await {
                Ok(bytes) => bytes,
                Err(msg) => {
                    sorted.errors.push(msg);
                    continue;
                }
            };
            // The config readers read text: a compressed file can only be a plan.
            if is_gzip(&bytes) {
                match plan {
                    None => plan = Some((name, DroppedPlan::Compressed(bytes))),
                    Some(_) => sorted.ignored.push(name),
                }
                continue;
            }
            let text = match text_of(&bytes) {
                Ok(_) => String::from_utf8(bytes).unwrap_or_default(),
                Err(e) => {
                    sorted.errors.push(e.with_file(&name));
                    continue;
                }
            };
            match read_plan(&text) {
                Err(e) if e.fault == Fault::NotAPlan => match self.read_config(&name, &text).await {
                    Ok(read) => {
                        sorted.errors.extend(super::launch_broken(&name, &read));
                        sorted.configs.push(format!(
                            "{name} ({}, {})",
                            read.format,
                            units::count(read.fields.len() as u64, "value", "values")
                        ))
                    }
                    Err(why) => {
                        sorted.errors.push(format!("{}. Nor is it a config planscope reads: {why}", e.with_file(&name)))
                    }
                },
                read if plan.is_none() => plan = Some((name, DroppedPlan::Read(text, Box::new(read)))),
                _ => sorted.ignored.push(name),
            }
        }
        self.busy.set(None);
        let opened = plan.as_ref().map(|(name, plan)| {
            let read = !matches!(plan, DroppedPlan::Read(_, read) if read.is_err());
            (name.as_str(), read)
        });
        let note = Some(dropped_note(count, opened, &sorted));
        let errors = (!sorted.errors.is_empty()).then(|| sorted.errors.join(" · "));
        match plan {
            Some((name, DroppedPlan::Compressed(bytes))) => self.open_bytes(&name, bytes),
            Some((name, DroppedPlan::Read(text, read))) => {
                let seq = self.load_seq.get_untracked() + 1;
                self.load_seq.set(seq);
                self.error.set(errors);
                self.note.set(note);
                self.open_plan(seq, name, Some(text.into()), *read, self.new_plan_restore()).await;
                return;
            }
            None => {}
        }
        // After `open_bytes`, which clears the error and the note as a load starts.
        self.note.set(note);
        if errors.is_some() {
            self.error.set(errors);
        }
    }
}

/// What a drop of `count` files did: the plan opened (or, when it could not be read, not:
/// the error says where), the configs read, the plans left closed (planscope shows one plan
/// at a time).
fn dropped_note(count: usize, opened: Option<(&str, bool)>, sorted: &Sorted) -> String {
    let mut clauses = Vec::new();
    match opened {
        Some((name, true)) => clauses.push(format!("opened {name}")),
        Some((name, false)) => clauses.push(format!("could not open {name} (the error above says where)")),
        None => {}
    }
    if !sorted.configs.is_empty() {
        clauses.push(format!("read {} into the Conditions", sorted.configs.join(", ")));
    }
    if !sorted.ignored.is_empty() {
        clauses.push(format!(
            "ignored {} (planscope opens one plan at a time; Compare… opens a second one as the after side)",
            sorted.ignored.join(", ")
        ));
    }
    if clauses.is_empty() {
        clauses.push("none could be opened or read".into());
    }
    format!("{count} files dropped: {}.", clauses.join("; "))
}
