//! Load-aware placement under a skewed (Zipf s = 1.2) expert load measurably improves
//! balancedness over the plain placements, and the rewritten plan still verifies clean.

use planscope_core::check::{VerifyOptions, verify};
use planscope_core::r#gen::{GenSpec, generate};
use planscope_core::model::Strategy;
use planscope_core::rewrite::{Target, rewrite};

/// Tokens per expert ∝ 1/rank^1.2, the hot experts shuffled differently in each layer.
fn zipf(layers: usize, experts: usize) -> Vec<Vec<f64>> {
    (0..layers)
        .map(|l| {
            (0..experts)
                .map(|x| {
                    let rank = (x * 37 + l * 11) % experts + 1;
                    100_000.0 / (rank as f64).powf(1.2)
                })
                .collect()
        })
        .collect()
}

#[test]
fn eplb_beats_round_robin_under_zipf_load() {
    let s = Strategy::parse("EP16_TP2").unwrap();
    let plan = generate(&GenSpec::new(s, 4, 64));
    let load = zipf(4, 64);
    let target = Target { expert_load: Some(load), ..Target::new(s) };
    let rw = rewrite(&plan, &target).expect("valid");
    let b = rw.balance.expect("balance reported with a load");
    eprintln!("balancedness: contiguous {:.3}, round-robin {:.3}, EPLB {:.3}", b.before, b.round_robin, b.after);
    assert!(b.after > b.before + 0.1, "{b:?}");
    assert!(b.after > b.round_robin + 0.05, "{b:?}");
    assert!(b.per_layer_after.iter().zip(&b.per_layer_before).all(|(a, z)| a >= z), "{b:?}");
    let r = verify(&rw.plan, &VerifyOptions::default());
    let errors: Vec<String> = r.errors().map(|f| format!("{}: {}", f.code, f.message)).collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // The hottest experts have replicas.
    assert!(rw.plan.nodes.iter().any(|n| n.id.contains("_r1")));
}

#[test]
fn bad_load_shape_is_refused() {
    let s = Strategy::parse("EP4").unwrap();
    let plan = generate(&GenSpec::new(s, 2, 8));
    let e = rewrite(&plan, &Target { expert_load: Some(vec![vec![1.0; 7]; 2]), ..Target::new(s) }).unwrap_err();
    assert!(e.to_string().contains("has 7 entries"), "{e}");
}

#[test]
fn generated_plans_are_fixed_points() {
    for st in ["EP4_TP2", "EP8_TP2_PP2", "EP2_TP2_PP2_DP2", "TP2_DP2"] {
        let s = Strategy::parse(st).unwrap();
        let experts = if s.ep.get() > 1 { 16 } else { 0 };
        let plan = generate(&GenSpec::new(s, 4, experts));
        let rw = rewrite(&plan, &Target::new(s)).expect("valid");
        let r = verify(&rw.plan, &VerifyOptions::default());
        assert!(r.errors().next().is_none(), "{st}: {:?}", r.errors().next());
        let again = rewrite(&rw.plan, &Target::new(s)).unwrap();
        assert!(again.diff.is_empty(), "{st}: {}", again.diff.render_text());
    }
}

/// The simulation follows the load: each expert shard carries its share of the routed
/// tokens, so a skewed load without spare slots reads as imbalanced, and EPLB's replicas
/// bring the simulated balancedness and the busiest GPU's expert time back.
#[test]
fn simulated_balancedness_follows_the_load() {
    let s = Strategy::parse("EP16").unwrap();
    let mut spec = GenSpec::new(s, 2, 64);
    spec.batch = 4096;
    spec.seq = 16;
    let plan = generate(&spec);
    let uniform = rewrite(&plan, &Target::new(s)).expect("valid");
    let skewed = zipf(2, 64);
    let stuck =
        rewrite(&plan, &Target { expert_load: Some(skewed.clone()), spare_slots_per_rank: Some(0), ..Target::new(s) })
            .expect("valid");
    let eplb = rewrite(&plan, &Target { expert_load: Some(skewed), ..Target::new(s) }).expect("valid");
    let sim =
        |p: &planscope_core::model::Plan| verify(p, &VerifyOptions::default()).metrics.simulation.expect("simulated");
    let (u, st, e) = (sim(&uniform.plan), sim(&stuck.plan), sim(&eplb.plan));
    eprintln!(
        "balancedness uniform {:.3}, skewed no spare {:.3}, EPLB {:.3}; expert s/layer {:.3e} {:.3e} {:.3e}",
        u.balancedness, st.balancedness, e.balancedness, u.per_layer.expert, st.per_layer.expert, e.per_layer.expert
    );
    assert!(u.balancedness > 0.99, "{}", u.balancedness);
    assert!(st.balancedness < u.balancedness - 0.05, "{} vs {}", st.balancedness, u.balancedness);
    assert!(e.balancedness > st.balancedness, "{} vs {}", e.balancedness, st.balancedness);
    assert!(st.per_layer.expert > u.per_layer.expert, "{} vs {}", st.per_layer.expert, u.per_layer.expert);
}
