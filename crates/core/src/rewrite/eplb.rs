//! Expert placement: which experts (and replicas) each EP rank hosts, per MoE layer.
//!
//! Without a load, experts go in contiguous blocks (expert e on rank ⌊e/(E/EP)⌋, so for
//! E = EP expert e, TP shard t sits on GPU e·TP+t), as the generator lays them out.
//! With a per-expert load, the policy follows DeepSeek's EPLB: replicate the hottest
//! experts into the spare slots (each replica takes an equal share of its expert's
//! tokens), pack the physical experts onto servers and then onto ranks, heaviest first
//! onto the least-loaded one with a free slot. Packing a server before its ranks keeps an
//! expert's replicas and its neighbours' traffic inside one server where the loads allow.

use serde::Serialize;

/// Per MoE layer, per EP rank: the (expert, replica) pairs it hosts, ascending.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpertPlacement {
    pub layers: Vec<Vec<Vec<(u32, u32)>>>,
}

/// Mean over max per-GPU expert load (1 = perfectly even), as DeepSeek's EPLB reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Balance {
    /// The contiguous placement the rewriter uses without a load.
    pub before: f64,
    /// The load-aware placement.
    pub after: f64,
    /// Strided round-robin (expert e on rank e mod EP), for comparison.
    pub round_robin: f64,
    pub per_layer_before: Vec<f64>,
    pub per_layer_after: Vec<f64>,
    /// Replica slots added per EP rank.
    pub spare_slots_per_rank: u32,
}

/// Contiguous blocks of E/EP experts per rank.
pub fn contiguous(layers: u32, experts: u32, ep: u32) -> ExpertPlacement {
    let per = (experts / ep.max(1)).max(1);
    let one: Vec<Vec<(u32, u32)>> =
        (0..ep).map(|r| (r * per..((r + 1) * per).min(experts)).map(|x| (x, 0)).collect()).collect();
    ExpertPlacement { layers: vec![one; layers as usize] }
}

/// Strided: expert e on rank e mod EP.
pub fn round_robin(layers: u32, experts: u32, ep: u32) -> ExpertPlacement {
    let ep = ep.max(1);
    let mut one = vec![Vec::new(); ep as usize];
    for x in 0..experts {
        one[(x % ep) as usize].push((x, 0));
    }
    ExpertPlacement { layers: vec![one; layers as usize] }
}

/// Load-aware placement of one layer's `load` (tokens per expert) over `ep` ranks with
/// `spare` extra slots per rank; `ranks_per_server` ranks share a server.
pub fn balanced_layer(load: &[f64], ep: u32, spare: u32, ranks_per_server: u32) -> Vec<Vec<(u32, u32)>> {
    let e = load.len() as u32;
    let ep = ep.max(1);
    let slots_per_rank = (e / ep + spare) as usize;
    // Replicate: each spare slot goes to the expert with the most tokens per replica.
    let mut count = vec![1u32; e as usize];
    for _ in 0..spare as u64 * ep as u64 {
        let best = (0..e as usize)
            .filter(|&x| count[x] < ep)
            .max_by(|&a, &b| (load[a] / count[a] as f64).total_cmp(&(load[b] / count[b] as f64)).then(b.cmp(&a)));
        match best {
            Some(x) => count[x] += 1,
            None => break,
        }
    }
    let mut items: Vec<(f64, u32, u32)> = Vec::new();
    for x in 0..e {
        for r in 0..count[x as usize] {
            items.push((load[x as usize] / count[x as usize] as f64, x, r));
        }
    }
    items.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    // Fewer items than slots (replicas capped at EP): the emptiest ranks get fewer.
    let rps = ranks_per_server.clamp(1, ep) as usize;
    let servers: Vec<Vec<u32>> = (0..ep).collect::<Vec<_>>().chunks(rps).map(<[u32]>::to_vec).collect();
    let server_cap: Vec<usize> = servers.iter().map(|s| s.len() * slots_per_rank).collect();
    let mut server_load = vec![0.0f64; servers.len()];
    let mut server_items: Vec<Vec<(f64, u32, u32)>> = vec![Vec::new(); servers.len()];
    for it in items {
        // Least-loaded server with room that does not hold this expert yet, else any with room.
        let pick = |avoid: bool| {
            (0..servers.len())
                .filter(|&s| server_items[s].len() < server_cap[s])
                .filter(|&s| !avoid || !server_items[s].iter().any(|i| i.1 == it.1))
                .min_by(|&a, &b| server_load[a].total_cmp(&server_load[b]).then(a.cmp(&b)))
        };
        if let Some(s) = pick(true).or_else(|| pick(false)) {
            server_load[s] += it.0;
            server_items[s].push(it);
        }
    }
    let mut ranks: Vec<Vec<(u32, u32)>> = vec![Vec::new(); ep as usize];
    let mut rank_load = vec![0.0f64; ep as usize];
    for (s, members) in servers.iter().enumerate() {
        for it in &server_items[s] {
            let pick = |avoid: bool| {
                members
                    .iter()
                    .map(|&r| r as usize)
                    .filter(|&r| ranks[r].len() < slots_per_rank)
                    .filter(|&r| !avoid || !ranks[r].iter().any(|p| p.0 == it.1))
                    .min_by(|&a, &b| rank_load[a].total_cmp(&rank_load[b]).then(a.cmp(&b)))
            };
            if let Some(r) = pick(true).or_else(|| pick(false)) {
                rank_load[r] += it.0;
                ranks[r].push((it.1, it.2));
            }
        }
    }
    for r in &mut ranks {
        r.sort_unstable();
    }
    ranks
}

/// Mean over max of per-rank load in one layer (replicas share their expert's tokens).
pub fn layer_balancedness(ranks: &[Vec<(u32, u32)>], load: &[f64]) -> f64 {
    let mut replicas = vec![0u32; load.len()];
    for r in ranks {
        for &(x, _) in r {
            if let Some(c) = replicas.get_mut(x as usize) {
                *c += 1;
            }
        }
    }
    let per_rank: Vec<f64> = ranks
        .iter()
        .map(|r| {
            r.iter().map(|&(x, _)| load.get(x as usize).map_or(0.0, |l| l / replicas[x as usize].max(1) as f64)).sum()
        })
        .collect();
    let max = per_rank.iter().copied().fold(0.0, f64::max);
    let mean = per_rank.iter().sum::<f64>() / per_rank.len().max(1) as f64;
    if max > 0.0 { mean / max } else { 1.0 }
}

/// Per-layer balancedness of a placement under `load` (one row per MoE layer).
pub fn balancedness(p: &ExpertPlacement, load: &[Vec<f64>]) -> Vec<f64> {
    p.layers.iter().zip(load).map(|(ranks, l)| layer_balancedness(ranks, l)).collect()
}

pub fn mean(v: &[f64]) -> f64 {
    if v.is_empty() { 1.0 } else { v.iter().sum::<f64>() / v.len() as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contiguous_matches_seed_layout() {
        let p = contiguous(1, 64, 64);
        assert_eq!(p.layers[0][5], vec![(5, 0)]);
        let p = contiguous(1, 256, 64);
        assert_eq!(p.layers[0][1][0], (4, 0));
    }

    #[test]
    fn balanced_fills_every_slot_evenly() {
        let load: Vec<f64> = (1..=16).map(|x| 1000.0 / (x as f64).powf(1.2)).collect();
        let ranks = balanced_layer(&load, 4, 1, 2);
        assert!(ranks.iter().all(|r| r.len() == 5), "{ranks:?}");
        let before = layer_balancedness(&contiguous(1, 16, 4).layers[0], &load);
        let after = layer_balancedness(&ranks, &load);
        assert!(after > before, "{after} vs {before}");
    }
}
