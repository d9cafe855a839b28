//! A label's lines, as the layout sizes its box and the page draws it: explicit breaks
//! (newlines, DOT's `\n` `\l` `\r` escapes, record `|` separators) first, then word
//! wrapping at `max` characters. A line only breaks after a space or after an id's own
//! separators (`_ - / . , : =`), never inside a word; a word longer than `max` keeps its
//! own line whole (the box grows for it, up to `LONGEST`, past which the drawing elides).
//! O(length of the text).

/// Characters per line a label box is sized for (and the page wraps at).
pub const LINE: usize = 40;
/// A word longer than this is not given a wider box; the drawing cuts it with "…".
pub const LONGEST: usize = 64;

/// Characters after which a line may break (kept at the end of the line).
fn breaks_after(c: char) -> bool {
    matches!(c, ' ' | '_' | '-' | '/' | '.' | ',' | ':' | '=' | ';')
}

/// The lines of `text` wrapped at `max` characters (at least 1), blank lines dropped.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let norm = text.replace("\\n", "\n").replace("\\l", "\n").replace("\\r", "\n");
    let mut out = Vec::new();
    for line in norm.split(['\n', '|']) {
        let line = line.trim_matches(['{', '}', ' ']);
        if line.is_empty() {
            continue;
        }
        wrap_line(line, max, &mut out);
    }
    out
}

/// Words of `line`: each ends just after a break character (or at the end of the line).
fn words(line: &str) -> impl Iterator<Item = &str> {
    let mut rest = line;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = rest.char_indices().find(|&(_, c)| breaks_after(c)).map(|(i, c)| i + c.len_utf8());
        let (word, tail) = rest.split_at(end.unwrap_or(rest.len()));
        rest = tail;
        Some(word)
    })
}

fn wrap_line(line: &str, max: usize, out: &mut Vec<String>) {
    let mut cur = String::new();
    let mut cur_len = 0usize;
    for word in words(line) {
        let n = word.chars().count();
        // A trailing space may overhang the line: it is trimmed.
        let fits = cur_len + n.saturating_sub(usize::from(word.ends_with(' '))) <= max;
        if cur_len > 0 && !fits {
            out.push(cur.trim_end().to_string());
            cur.clear();
            cur_len = 0;
        }
        cur.push_str(word);
        cur_len += n;
    }
    let last = cur.trim_end();
    if !last.is_empty() {
        out.push(last.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_labels_stay_whole() {
        assert_eq!(wrap("layer0_attn", 40), vec!["layer0_attn"]);
        assert_eq!(wrap("  ", 40), Vec::<String>::new());
    }

    #[test]
    fn explicit_breaks_and_records_split_lines() {
        assert_eq!(wrap("Expert 3\\nGPU: 7|{in|out}", 40), vec!["Expert 3", "GPU: 7", "in", "out"]);
    }

    #[test]
    fn long_lines_break_between_words_only() {
        let text = "Layer 12 Expert 63 computation on GPU 127 with TP rank 1 of 2";
        let lines = wrap(text, 20);
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(l.chars().count() <= 20, "{l}");
        }
        // Every word of the text appears whole on one line.
        let words: Vec<&str> = lines.iter().flat_map(|l| l.split(' ')).collect();
        assert_eq!(words, text.split(' ').collect::<Vec<_>>());
    }

    #[test]
    fn ids_break_after_their_separators() {
        let lines = wrap("expert_12_63_layer_15_tp1_gpu127_shard", 16);
        assert_eq!(lines.concat(), "expert_12_63_layer_15_tp1_gpu127_shard");
        for l in &lines {
            assert!(l.chars().count() <= 16, "{l}");
            assert!(l.ends_with('_') || lines.last() == Some(l), "{l} breaks mid-word");
        }
    }

    #[test]
    fn a_word_longer_than_the_line_keeps_its_own_line() {
        assert_eq!(wrap("a Supercalifragilistic b", 8), vec!["a", "Supercalifragilistic", "b"]);
    }
}
