//! Expert placement: which experts (and replicas) each EP rank hosts, per MoE layer.
//!
//! Without a load, experts go in contiguous blocks (expert e on rank ⌊e/(E/EP)⌋, so for
//! E = EP expert e, TP shard t sits on GPU e·TP+t), as the generator lays them out.
//! With a per-expert load, DeepSeek's EPLB (deepseek-ai/EPLB, `rebalance_experts`), with
//! its two policies chosen as it chooses them:
//! - **hierarchical**, when the model has expert groups and their number is a multiple of
//!   the servers the EP group spans: pack whole groups onto servers (heaviest group first
//!   onto the lightest server with room, an equal number each), then within each server
//!   replicate its hottest experts into its spare slots (replicas stay in their server) and
//!   pack the physical experts onto its ranks. Group-limited routing then keeps a token's
//!   traffic within the few servers holding its groups.
//! - **global** otherwise: replicate the hottest experts into all spare slots, then pack the
//!   physical experts onto all ranks.
//!
//! Replication gives each spare slot to the expert with the most tokens per replica (each
//! replica takes an equal share); packing puts the heaviest item onto the least-loaded rank
//! with a free slot. Unlike EPLB's packing, two replicas of one expert never share a rank
//! while another rank has room (they would add nothing there).

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
    /// The EPLB policy the placement used.
    pub policy: Policy,
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

/// EPLB's two placement policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Policy {
    Hierarchical,
    Global,
}

/// The policy EPLB picks: hierarchical when the expert groups divide evenly over the servers.
pub fn policy(experts: u32, groups: Option<u32>, ep: u32, ranks_per_server: u32) -> Policy {
    let rps = ranks_per_server.clamp(1, ep.max(1));
    let servers = ep.max(1) / rps;
    match groups {
        Some(g)
            if g > 1
                && ep.is_multiple_of(rps)
                && experts.is_multiple_of(g)
                && g.is_multiple_of(servers)
                && servers > 1 =>
        {
            Policy::Hierarchical
        }
        _ => Policy::Global,
    }
}

/// Replicas per expert after giving `spare` extra slots, each to the expert with the most
/// tokens per replica, at most `cap` replicas each.
fn replicate(load: &[f64], spare: u64, cap: u32) -> Vec<u32> {
    let mut count = vec![1u32; load.len()];
    for _ in 0..spare {
        let best = (0..load.len())
            .filter(|&x| count[x] < cap)
            .max_by(|&a, &b| (load[a] / count[a] as f64).total_cmp(&(load[b] / count[b] as f64)).then(b.cmp(&a)));
        match best {
            Some(x) => count[x] += 1,
            None => break,
        }
    }
    count
}

/// Packs the replicas of `experts` (with `count` replicas each) onto `members`, heaviest
/// first onto the least-loaded rank with a free slot, avoiding a second copy on one rank.
fn pack(experts: &[u32], count: &[u32], load: &[f64], members: &[u32], slots: usize, ranks: &mut [Vec<(u32, u32)>]) {
    let mut items: Vec<(f64, u32, u32)> = Vec::new();
    for (i, &x) in experts.iter().enumerate() {
        let c = count[i].max(1);
        for r in 0..c {
            items.push((load[x as usize] / f64::from(c), x, r));
        }
    }
    crate::sort::sort_by(&mut items, |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut rank_load: Vec<f64> = vec![0.0; members.len()];
    for it in items {
        let pick = |avoid: bool| {
            (0..members.len())
                .filter(|&m| ranks[members[m] as usize].len() < slots)
                .filter(|&m| !avoid || !ranks[members[m] as usize].iter().any(|p| p.0 == it.1))
                .min_by(|&a, &b| rank_load[a].total_cmp(&rank_load[b]).then(a.cmp(&b)))
        };
        if let Some(m) = pick(true).or_else(|| pick(false)) {
            rank_load[m] += it.0;
            ranks[members[m] as usize].push((it.1, it.2));
        }
    }
}

/// Load-aware placement of one layer's `load` (tokens per expert) over `ep` ranks with
/// `spare` extra slots per rank; `ranks_per_server` ranks share a server; `groups` expert
/// groups (group-limited routing), if the model has them. Returns the ranks' (expert,
/// replica) pairs and the policy used.
pub fn balanced_layer(
    load: &[f64],
    ep: u32,
    spare: u32,
    ranks_per_server: u32,
    groups: Option<u32>,
) -> (Vec<Vec<(u32, u32)>>, Policy) {
    let e = load.len() as u32;
    let ep = ep.max(1);
    let slots_per_rank = (e / ep + spare) as usize;
    let mut ranks: Vec<Vec<(u32, u32)>> = vec![Vec::new(); ep as usize];
    let chosen = policy(e, groups, ep, ranks_per_server);
    match (chosen, groups) {
        (Policy::Hierarchical, Some(g)) => {
            let rps = ranks_per_server.clamp(1, ep);
            let servers = ep / rps;
            let per_group = e / g;
            // Groups onto servers: an equal number each, heaviest first onto the lightest.
            let mut gload: Vec<(f64, u32)> =
                (0..g).map(|i| ((i * per_group..(i + 1) * per_group).map(|x| load[x as usize]).sum(), i)).collect();
            crate::sort::sort_by(&mut gload, |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let per_server = (g / servers) as usize;
            let mut server_groups: Vec<Vec<u32>> = vec![Vec::new(); servers as usize];
            let mut server_load = vec![0.0f64; servers as usize];
            for (w, i) in gload {
                let s = (0..servers as usize)
                    .filter(|&s| server_groups[s].len() < per_server)
                    .min_by(|&a, &b| server_load[a].total_cmp(&server_load[b]).then(a.cmp(&b)));
                if let Some(s) = s {
                    server_load[s] += w;
                    server_groups[s].push(i);
                }
            }
            for (s, gs) in server_groups.iter().enumerate() {
                let experts: Vec<u32> = gs.iter().flat_map(|&i| i * per_group..(i + 1) * per_group).collect();
                let members: Vec<u32> = (s as u32 * rps..(s as u32 + 1) * rps).collect();
                let slots = members.len() * slots_per_rank;
                let local: Vec<f64> = experts.iter().map(|&x| load[x as usize]).collect();
                let count = replicate(&local, slots.saturating_sub(experts.len()) as u64, rps);
                pack(&experts, &count, load, &members, slots_per_rank, &mut ranks);
            }
        }
        _ => {
            let experts: Vec<u32> = (0..e).collect();
            let count = replicate(load, spare as u64 * ep as u64, ep);
            let members: Vec<u32> = (0..ep).collect();
            pack(&experts, &count, load, &members, slots_per_rank, &mut ranks);
        }
    }
    for r in &mut ranks {
        crate::sort::unstable(r);
    }
    (ranks, chosen)
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
    fn policy_is_hierarchical_when_groups_divide_over_servers() {
        // DeepSeek-V3: 8 groups; EP32 over 4 servers of 8 ranks → hierarchical.
        assert_eq!(policy(256, Some(8), 32, 8), Policy::Hierarchical);
        // EP144 spans 18 servers; 8 groups do not divide over them → global.
        assert_eq!(policy(256, Some(8), 144, 8), Policy::Global);
        assert_eq!(policy(256, None, 32, 8), Policy::Global);
        assert_eq!(policy(256, Some(8), 8, 8), Policy::Global);
    }

    #[test]
    fn hierarchical_keeps_groups_and_replicas_in_their_server() {
        // 16 experts in 4 groups of 4, EP8 over 2 servers of 4 ranks, one spare slot each.
        let load: Vec<f64> = (0..16).map(|x| if x < 4 { 100.0 } else { 10.0 + x as f64 }).collect();
        let (ranks, p) = balanced_layer(&load, 8, 1, 4, Some(4));
        assert_eq!(p, Policy::Hierarchical);
        assert!(ranks.iter().all(|r| r.len() == 3), "{ranks:?}");
        let server_of = |x: u32| -> Vec<usize> {
            let mut s: Vec<usize> =
                ranks.iter().enumerate().filter(|(_, r)| r.iter().any(|p| p.0 == x)).map(|(i, _)| i / 4).collect();
            s.dedup();
            s
        };
        for grp in 0..4u32 {
            let servers: Vec<usize> = (grp * 4..grp * 4 + 4).flat_map(server_of).collect();
            assert!(servers.windows(2).all(|w| w[0] == w[1]), "group {grp} split: {servers:?}");
        }
        let after = layer_balancedness(&ranks, &load);
        let before = layer_balancedness(&contiguous(1, 16, 8).layers[0], &load);
        assert!(after > before, "{after} vs {before}");
    }

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
        let (ranks, policy) = balanced_layer(&load, 4, 1, 2, None);
        assert_eq!(policy, Policy::Global);
        assert!(ranks.iter().all(|r| r.len() == 5), "{ranks:?}");
        let before = layer_balancedness(&contiguous(1, 16, 4).layers[0], &load);
        let after = layer_balancedness(&ranks, &load);
        assert!(after > before, "{after} vs {before}");
    }
}
