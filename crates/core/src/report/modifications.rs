//! The required modifications: the view model's groups under their action headings, each
//! heading with its count of changes.

use super::escape::esc;
use crate::model::Strategy;
use crate::view::ModificationsView;
use std::fmt::Write;

pub fn section(out: &mut String, m: &ModificationsView, target: Option<Strategy>) {
    let target = target.map_or_else(String::new, |s| s.short());
    out.push_str("<section class=\"card modifications\" aria-label=\"Required modifications\">\n");
    let _ = writeln!(
        out,
        "<header class=\"section-head\"><h2>Required modifications</h2><span class=\"muted small\">to reach \
         <code>{}</code></span></header>",
        esc(&target)
    );
    let _ = writeln!(out, "<p class=\"mod-lead\">{}</p>", esc(&m.lead));
    list(out, m.meta.iter(), None);
    for a in &m.actions {
        let _ = writeln!(
            out,
            "<h3 class=\"mod-head\" data-action=\"{}\">{}<span class=\"count\">{}</span></h3>",
            a.action.key(),
            a.title,
            a.changes
        );
        list(out, a.lines.shown.iter(), a.lines.tail());
    }
    if !m.notes.is_empty() {
        out.push_str("<h3 class=\"mod-head\">Notes</h3>\n");
        list(out, m.notes.iter(), None);
    }
    out.push_str("</section>\n");
}

fn list<'a>(out: &mut String, items: impl Iterator<Item = &'a String>, tail: Option<String>) {
    let mut open = false;
    for item in items {
        if !open {
            out.push_str("<ul>\n");
            open = true;
        }
        let _ = writeln!(out, "<li>{}</li>", esc(item));
    }
    if open {
        out.push_str("</ul>\n");
    }
    if let Some(t) = tail {
        let _ = writeln!(out, "<p class=\"muted\">{t}</p>");
    }
}
