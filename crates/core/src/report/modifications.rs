//! The required modifications: the rewrite's diff as the reviewer's list.

use super::escape::esc;
use crate::model::Strategy;
use std::fmt::Write;

/// Lines past this are summarised, so a huge diff cannot swamp the report.
const MAX_LINES: usize = 2000;

pub fn section(out: &mut String, lines: &[String], target: Option<Strategy>) {
    let target = target.map_or_else(String::new, |s| s.short());
    out.push_str("<section class=\"card modifications\" aria-label=\"Required modifications\">\n");
    let _ = writeln!(
        out,
        "<header class=\"section-head\"><h2>Required modifications</h2><span class=\"muted small\">to reach \
         <code>{}</code></span></header>",
        esc(&target)
    );
    let mut list_open = false;
    let close = |out: &mut String, open: &mut bool| {
        if *open {
            out.push_str("</ul>\n");
            *open = false;
        }
    };
    for (i, line) in lines.iter().enumerate() {
        if i == MAX_LINES {
            close(out, &mut list_open);
            let _ = writeln!(out, "<p class=\"muted\">… and {} more lines</p>", lines.len() - MAX_LINES);
            break;
        }
        if let Some(item) = line.trim_start().strip_prefix("- ").filter(|_| line.starts_with(' ')) {
            if !list_open {
                out.push_str("<ul>\n");
                list_open = true;
            }
            let _ = writeln!(out, "<li>{}</li>", esc(item));
        } else if i == 0 {
            let _ = writeln!(out, "<p class=\"mod-lead\">{}</p>", esc(line));
        } else if line.trim().is_empty() {
            continue;
        } else {
            close(out, &mut list_open);
            let _ = writeln!(out, "<h3 class=\"mod-head\">{}</h3>", esc(line.trim().trim_end_matches(':')));
        }
    }
    close(out, &mut list_open);
    out.push_str("</section>\n");
}
