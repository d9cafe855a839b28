//! The stem of an exported file's name: the opened file's name without folders or
//! extension, with anything a file system might refuse replaced, so `plan.json` saves
//! as `plan.EP64_TP2.json` and a pasted or fetched name can never name another folder.

/// `name` without folders and its last extension; ASCII letters and digits, `-`, `_` and
/// `.` kept, anything else `_` (no table of Unicode letters in the page's wasm); `plan` when nothing is left.
pub fn file_stem(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let s = base.rsplit_once('.').map_or(base, |(a, _)| a);
    let clean: String =
        s.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
    if clean.is_empty() { "plan".into() } else { clean }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_and_the_extension_go() {
        assert_eq!(file_stem("seed-ep64-tp2.json"), "seed-ep64-tp2");
        assert_eq!(file_stem("a/b\\c.d.dot"), "c.d");
        assert_eq!(file_stem("no_extension"), "no_extension");
    }

    #[test]
    fn odd_characters_are_replaced_and_nothing_becomes_plan() {
        assert_eq!(file_stem("pasted text"), "pasted_text");
        assert_eq!(file_stem("<i>x</i>.json"), "i_", "the last slash starts the base name");
        assert_eq!(file_stem("a:b*c?.gv"), "a_b_c_");
        assert_eq!(file_stem(""), "plan");
        assert_eq!(file_stem(".json"), "plan");
        assert_eq!(file_stem("dir/"), "plan");
    }
}
