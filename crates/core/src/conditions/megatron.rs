//! Megatron-LM model flags in a launch script (`pretrain_gpt.py` arguments) → the model
//! they state. Defaults where a flag is absent are Megatron's own
//! (megatron/training/arguments.py): `--num-query-groups` only counts with
//! `--group-query-attention`, `--kv-channels` = hidden / heads, `--moe-ffn-hidden-size` =
//! `--ffn-hidden-size`, embeddings tied unless `--untie-embeddings-and-output-weights`, GeLU
//! (two matrices) unless `--swiglu`, `--moe-layer-freq` 1.

use super::ConditionsError;
use super::record::Record;
use super::shell;
use crate::model::{Dtype, LayerPattern, ModelSpec, Phase, limits};
use std::collections::HashMap;

/// Flags that make a script a Megatron model description.
const MODEL_FLAGS: &[&str] = &["--num-layers", "--hidden-size", "--num-attention-heads", "--num-experts"];
/// Parallelism flags: the strategy reader's, not ours.
pub(super) const STRATEGY_FLAGS: &[&str] = &[
    "--tensor-model-parallel-size",
    "--pipeline-model-parallel-size",
    "--expert-model-parallel-size",
    "--context-parallel-size",
    "--expert-tensor-parallel-size",
];

/// Flags as `name → (value, line)`; a switch has an empty value. The last one wins, as in
/// argparse.
pub(super) struct Flags(HashMap<String, (String, u32)>);

impl Flags {
    pub fn parse(text: &str) -> Flags {
        let words = shell::words(text);
        let mut map = HashMap::new();
        let mut i = 0;
        while i < words.len() {
            let (w, line) = &words[i];
            if let Some(flag) = w.strip_prefix("--").filter(|f| !f.is_empty()) {
                let (name, value) = match flag.split_once('=') {
                    Some((n, v)) => (format!("--{n}"), v.to_string()),
                    None => match words.get(i + 1) {
                        Some((next, _)) if !next.starts_with("--") => {
                            i += 1;
                            (w.clone(), next.clone())
                        }
                        _ => (w.clone(), String::new()),
                    },
                };
                map.insert(name, (value, *line));
            }
            i += 1;
        }
        Flags(map)
    }

    pub fn has(&self, flag: &str) -> bool {
        self.0.contains_key(flag)
    }

    pub fn any(&self, flags: &[&str]) -> bool {
        flags.iter().any(|f| self.has(f))
    }

    fn err(&self, flag: &str, message: String) -> ConditionsError {
        let line = self.0.get(flag).map_or(0, |(_, l)| *l);
        ConditionsError::Field { key: format!("line {line}: {flag}"), message }
    }

    fn uint(&self, flag: &str) -> Result<Option<u64>, ConditionsError> {
        let Some((v, _)) = self.0.get(flag) else { return Ok(None) };
        v.parse::<u64>().map(Some).map_err(|_| self.err(flag, format!("expected a non-negative integer, found `{v}`")))
    }

    fn uint32(&self, flag: &str) -> Result<Option<u32>, ConditionsError> {
        self.uint(flag)?.map(|n| u32::try_from(n).map_err(|_| self.err(flag, format!("{n} is too large")))).transpose()
    }
}

pub(super) fn read(flags: &Flags, rec: &mut Record) -> Result<ModelSpec, ConditionsError> {
    let mut m = ModelSpec::default();
    if !flags.any(MODEL_FLAGS) {
        return Ok(m);
    }
    let layers = flags.uint32("--num-layers")?;
    rec.set(&mut m.layers, layers, "model.layers");
    let hidden = flags.uint("--hidden-size")?;
    rec.set(&mut m.hidden, hidden, "model.hidden");
    let heads = flags.uint32("--num-attention-heads")?;
    rec.set(&mut m.heads, heads, "model.heads");
    let kv = if flags.has("--group-query-attention") { flags.uint32("--num-query-groups")?.or(heads) } else { heads };
    rec.set(&mut m.kv_heads, kv, "model.kv_heads");
    let head_dim = flags.uint("--kv-channels")?.or(match (hidden, heads) {
        (Some(h), Some(n)) if n > 0 => Some(h / u64::from(n)),
        _ => None,
    });
    rec.set(&mut m.head_dim, head_dim, "model.head_dim");
    rec.set(&mut m.vocab, flags.uint("--vocab-size")?, "model.vocab");
    let ffn = flags.uint("--ffn-hidden-size")?;
    rec.set(&mut m.dense_hidden, ffn, "model.dense_hidden");
    rec.set(&mut m.expert_hidden, flags.uint("--moe-ffn-hidden-size")?.or(ffn), "model.expert_hidden");
    rec.set(&mut m.experts, flags.uint32("--num-experts")?, "model.experts");
    rec.set(&mut m.top_k, flags.uint32("--moe-router-topk")?, "model.top_k");
    if let Some(width) = flags.uint("--moe-shared-expert-intermediate-size")?.filter(|w| *w > 0) {
        rec.set(&mut m.shared_experts, Some(1), "model.shared_experts");
        rec.set(&mut m.shared_expert_hidden, Some(width), "model.shared_expert_hidden");
    }
    rec.set(&mut m.expert_groups, flags.uint32("--moe-router-num-groups")?, "model.expert_groups");
    rec.set(&mut m.topk_groups, flags.uint32("--moe-router-group-topk")?, "model.topk_groups");
    rec.set(&mut m.gated, Some(flags.has("--swiglu")), "model.gated");
    rec.set(&mut m.tie_embeddings, Some(!flags.has("--untie-embeddings-and-output-weights")), "model.tie_embeddings");
    if flags.has("--multi-latent-attention") {
        rec.set(&mut m.q_lora_rank, flags.uint("--q-lora-rank")?, "model.q_lora_rank");
        rec.set(&mut m.kv_lora_rank, flags.uint("--kv-lora-rank")?, "model.kv_lora_rank");
        rec.set(&mut m.qk_nope_head_dim, flags.uint("--qk-head-dim")?, "model.qk_nope_head_dim");
        rec.set(&mut m.qk_rope_head_dim, flags.uint("--qk-pos-emb-head-dim")?, "model.qk_rope_head_dim");
        rec.set(&mut m.v_head_dim, flags.uint("--v-head-dim")?, "model.v_head_dim");
    }
    rec.set(&mut m.mtp_layers, flags.uint32("--mtp-num-layers")?, "model.mtp_layers");
    rec.set(&mut m.seq_len, flags.uint("--seq-length")?, "model.seq_len");
    // Megatron-LM trains (pretrain_gpt.py). Its `--micro-batch-size` is per data-parallel
    // replica: the deployment's batch once the launch gives DP (`micro_batch`, detect.rs).
    // How its states are sharded is the launch reader's to say (detect.rs).
    rec.set(&mut m.phase, Some(Phase::Train), "model.phase");
    let dtype = if flags.has("--bf16") {
        Some(Dtype::Bf16)
    } else if flags.has("--fp16") {
        Some(Dtype::Fp16)
    } else {
        None
    };
    rec.set(&mut m.dtype, dtype, "model.dtype");
    if let Some((text, _)) = flags.0.get("--moe-layer-freq") {
        let n =
            layers.ok_or_else(|| flags.err("--moe-layer-freq", "needs --num-layers to place the MoE layers".into()))?;
        let pattern = layer_freq(text, n).map_err(|e| flags.err("--moe-layer-freq", e))?;
        rec.set(&mut m.moe_layers, Some(pattern.moe_count(n)), "model.moe_layers");
        rec.set(&mut m.layer_pattern, Some(pattern), "model.layer_pattern");
    }
    Ok(m)
}

/// `--micro-batch-size`: sequences per data-parallel replica. None when absent or not a
/// number (an unset variable): the batch is then the user's to give, as before the launch
/// said it.
pub(super) fn micro_batch(flags: &Flags) -> Option<u64> {
    flags.uint("--micro-batch-size").ok().flatten().filter(|&n| n > 0)
}

/// `--global-batch-size`: sequences per optimizer step across the data-parallel replicas.
/// None when absent or not a number.
pub(super) fn global_batch(flags: &Flags) -> Option<u64> {
    flags.uint("--global-batch-size").ok().flatten().filter(|&n| n > 0)
}

/// `--moe-layer-freq`: an int N (layer l is MoE when l % N == 0: Megatron's
/// `moe_layer_pattern`), or a per-layer 0/1 list written `[1,0,1]` or `([0]*3+[1]*58)`.
fn layer_freq(text: &str, layers: u32) -> Result<LayerPattern, String> {
    let t: String = text.chars().filter(|c| !c.is_whitespace() && *c != '\'' && *c != '"').collect();
    if let Ok(n) = t.parse::<u32>() {
        if n == 0 {
            return Err("must be at least 1".into());
        }
        return Ok(LayerPattern::Listed { moe: (0..layers).filter(|l| l % n == 0).collect() });
    }
    let body = t.strip_prefix('(').and_then(|b| b.strip_suffix(')')).unwrap_or(&t);
    let mut flags: Vec<bool> = Vec::new();
    for term in body.split('+') {
        let (list, times) = match term.rsplit_once(']') {
            Some((l, rest)) => (l.trim_start_matches('['), rest),
            None => return Err(format!("`{text}` is neither an integer nor a 0/1 list")),
        };
        let times: u64 = match rest_times(times) {
            Some(t) => t,
            None => return Err(format!("`{term}` is not a list or list*count")),
        };
        let items: Vec<bool> = list
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| match s {
                "0" => Ok(false),
                "1" => Ok(true),
                _ => Err(format!("`{s}` in `{text}` is neither 0 nor 1")),
            })
            .collect::<Result<_, _>>()?;
        let total = (flags.len() as u64).saturating_add((items.len() as u64).saturating_mul(times));
        if total > u64::from(limits::LAYERS) {
            return Err(format!("the list is longer than planscope's limit of {} layers", limits::LAYERS));
        }
        for _ in 0..times {
            flags.extend_from_slice(&items);
        }
    }
    if flags.len() != layers as usize {
        return Err(format!("the list has {} entries for {layers} layers", flags.len()));
    }
    Ok(LayerPattern::Listed { moe: (0..layers).filter(|&l| flags[l as usize]).collect() })
}

fn rest_times(rest: &str) -> Option<u64> {
    if rest.is_empty() {
        return Some(1);
    }
    rest.strip_prefix('*')?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_freq_forms() {
        assert_eq!(layer_freq("2", 4).unwrap(), LayerPattern::Listed { moe: vec![0, 2] });
        assert_eq!(layer_freq("([0]*3+[1]*2)", 5).unwrap(), LayerPattern::Listed { moe: vec![3, 4] });
        assert_eq!(layer_freq("[1,0,1]", 3).unwrap(), LayerPattern::Listed { moe: vec![0, 2] });
        assert!(layer_freq("[1,0]", 3).unwrap_err().contains("2 entries for 3 layers"));
        assert!(layer_freq("([1]*99999999999)", 3).unwrap_err().contains("limit"));
    }
}
