//! The words of a launch script, for the Megatron-LM model flags: the one shell reader,
//! `launch::shell` (comments, continuations, quotes, variables, arrays), flattened over the
//! script's commands. A word using a variable the script never sets reads as `$NAME`, so a
//! flag whose value is unresolved is an error where it is read; a script the shell reader
//! cannot split (an unclosed quote) gives no words, and so no model.

use crate::launch::shell;

/// The words of the script, in order, with their 1-based line numbers.
pub(super) fn words(text: &str) -> Vec<(String, u32)> {
    let Ok(commands) = shell::commands(text) else { return Vec::new() };
    commands
        .into_iter()
        .flat_map(|c| c.words)
        .map(|w| match w.unset {
            Some(name) if w.text.is_empty() => (format!("${name}"), w.line),
            _ => (w.text, w.line),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::words;

    #[test]
    fn reads_variables_arrays_continuations_and_comments() {
        let w =
            words("N=8 # eight\nARGS=(\n  --num-experts $N \\\n  --x ${M:-\"4\"}\n)\ntorchrun ${ARGS[@]} --y $UNSET\n");
        let w: Vec<&str> = w.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(w, vec!["torchrun", "--num-experts", "8", "--x", "4", "--y", "$UNSET"]);
    }
}
