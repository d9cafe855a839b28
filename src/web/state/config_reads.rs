//! The config files read into the conditions: chosen or dropped on the Conditions panel,
//! or given as a plan and found to be none (a model's config.json dropped on the page).
//! Their reading runs in the readers' worker (`web::readers`).

use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct ConfigReads {
    /// What each file or preset set, in the order read, e.g. "config.json — Hugging Face
    /// config.json: model.hidden, model.layers, …".
    pub loaded: RwSignal<Vec<String>>,
    /// What is being read now (the readers' worker starts with the first file or preset,
    /// which takes a moment).
    pub reading: RwSignal<Option<String>>,
}

impl ConfigReads {
    pub fn new() -> ConfigReads {
        ConfigReads { loaded: RwSignal::new(Vec::new()), reading: RwSignal::new(None) }
    }
}
