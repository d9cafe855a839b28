//! The advisor on the seed: five valid strategies for 128 GPUs, fitting ones first,
//! ordered by simulated step time, each with a reason.

use planscope_core::advise::suggest;
use planscope_core::model::Meta;

#[test]
fn seed_gets_five_ranked_suggestions() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("www/examples");
    let plan =
        planscope_core::read::read_plan(&std::fs::read_to_string(dir.join("seed-ep64-tp2.json")).unwrap()).unwrap();
    let mut cond: Meta =
        serde_json::from_str(&std::fs::read_to_string(dir.join("seed-conditions.json")).unwrap()).unwrap();
    // A smaller model keeps the test fast; the ranking logic is the same.
    cond.model.layers = Some(4);
    let s = suggest(&plan, Some(32), &cond).expect("suggestions");
    assert_eq!(s.len(), 5);
    assert!(s.iter().all(|x| x.strategy.product() == 32 && !x.reason.is_empty()));
    assert!(s[0].fits, "{:?}", s[0]);
    // The conditions declare EP64_TP2; every candidate is still judged as itself.
    assert!(s.iter().all(|x| !x.reason.contains("STRATEGY_MISMATCH")), "{s:?}");
    let times: Vec<f64> = s.iter().filter(|x| x.fits).filter_map(|x| x.step_time_s).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    for x in &s {
        eprintln!("{} fits={} {}", x.strategy, x.fits, x.reason);
    }
}

/// Without a batch no step is simulated: the fitting candidates are ranked by the memory
/// their weights leave per GPU, and the figures say they count the weights alone (Mixtral
/// 8x7B cut to 4 layers, on eight H100s).
#[test]
fn without_a_batch_candidates_are_ranked_by_memory_headroom() {
    use planscope_core::advise::RankedBy;
    use planscope_core::cost::Counted;
    let mut meta = Meta::default();
    meta.model = planscope_core::conditions::preset("mixtral-8x7b").unwrap().meta.model;
    meta.model.batch = None;
    meta.model.layers = Some(4);
    meta.cluster = planscope_core::conditions::preset("h100").unwrap().meta.cluster;
    meta.strategy = Some(planscope_core::model::Strategy::new(8, 1, 1, 1).unwrap());
    let plan = planscope_core::r#gen::plan_from(&meta, planscope_core::limits::Capacity::Native).unwrap();
    let s = suggest(&plan, Some(8), &Meta::default()).expect("suggestions");
    assert_eq!(RankedBy::of(&s), RankedBy::MemoryHeadroom, "{s:?}");
    assert!(
        s.iter().all(|x| x.step_time_s.is_none() && matches!(x.memory_counted, Some(Counted::WeightsOnly { .. }))),
        "{s:?}"
    );
    let fit: Vec<f64> = s.iter().filter(|x| x.fits).filter_map(|x| x.peak_memory_percent).collect();
    assert!(fit.len() >= 2 && fit.windows(2).all(|w| w[0] <= w[1]), "{s:?}");
    assert!(s.iter().filter(|x| x.fits).all(|x| x.reason.contains("no batch")), "{s:?}");
    assert!(RankedBy::MemoryHeadroom.words().contains("memory left per GPU"));
    // Without a GPU memory capacity either, only the degrees are left to rank by, and it says so.
    let mut bare = plan.clone();
    bare.meta.cluster.memory_gb = None;
    let s = suggest(&bare, Some(8), &Meta::default()).expect("suggestions");
    assert!(s.iter().all(|x| x.peak_memory_percent.is_none()), "{s:?}");
    assert_eq!(RankedBy::of(&s), RankedBy::Degrees);
    assert!(RankedBy::Degrees.words().contains("no GPU memory capacity is given"));
}

/// A candidate the rewriter refuses for memory keeps the figures it was refused with:
/// Mixtral 8x7B (93 GB in BF16) on one 80 GB GPU holds 116% of it in weights alone.
#[test]
fn a_candidate_out_of_memory_shows_its_peak() {
    use planscope_core::cost::Counted;
    let mut meta = Meta::default();
    meta.model = planscope_core::conditions::preset("mixtral-8x7b").unwrap().meta.model;
    meta.model.batch = None;
    meta.cluster = planscope_core::conditions::preset("h100").unwrap().meta.cluster;
    meta.strategy = Some(planscope_core::model::Strategy::new(1, 1, 1, 1).unwrap());
    let plan = planscope_core::r#gen::plan_from(&meta, planscope_core::limits::Capacity::Native).unwrap();
    let s = suggest(&plan, Some(1), &Meta::default()).expect("suggestions");
    assert_eq!(s.len(), 1);
    assert!(!s[0].fits && matches!(s[0].memory_counted, Some(Counted::WeightsOnly { .. })), "{s:?}");
    let p = s[0].peak_memory_percent.unwrap();
    assert!((110.0..125.0).contains(&p), "{p}");
}

#[test]
fn unknown_gpu_count_is_an_error() {
    let plan = planscope_core::model::Plan::new(planscope_core::model::Format::Json);
    let e = suggest(&plan, None, &Meta::default()).unwrap_err();
    assert!(e.to_string().contains("GPU count is unknown"), "{e}");
}

/// A training run's simulated step is its forward pass alone, which does not rank: the
/// fitting candidates go by memory left per GPU, each says "forward pass", and a candidate
/// with DP is weighed whole so that its ZeRO stage shards the states over its DP ranks
/// (Mixtral 8x7B cut to 4 layers, 2 sequences of 4,096 tokens, on 16 H100s).
#[test]
fn training_candidates_are_ranked_by_memory_and_shard_over_their_dp() {
    use planscope_core::advise::{RankedBy, evaluate};
    use planscope_core::limits::Capacity;
    use planscope_core::model::{Phase, Strategy, ZeroStage};
    let mut meta = Meta::default();
    meta.model = planscope_core::conditions::preset("mixtral-8x7b").unwrap().meta.model;
    meta.model.layers = Some(4);
    meta.model.batch = Some(2);
    meta.model.seq_len = Some(4096);
    meta.model.phase = Some(Phase::Train);
    meta.model.zero_stage = Some(ZeroStage::OPTIMIZER);
    meta.cluster = planscope_core::conditions::preset("h100").unwrap().meta.cluster;
    meta.strategy = Some(Strategy::parse("EP8_DP2").unwrap());
    let plan = planscope_core::r#gen::plan_from(&meta, Capacity::Native).unwrap();
    let s = suggest(&plan, Some(16), &Meta::default()).expect("suggestions");
    assert_eq!(RankedBy::of(&s), RankedBy::TrainingMemory, "{s:?}");
    assert!(s.iter().all(|x| x.training && x.reason.contains("forward pass")), "{s:?}");
    let fit: Vec<f64> = s.iter().filter(|x| x.fits).filter_map(|x| x.peak_memory_percent).collect();
    assert!(fit.len() >= 2 && fit.windows(2).all(|w| w[0] <= w[1]), "{s:?}");
    // The distributed optimizer over DP2 holds less than over one rank.
    let peak = |zero| {
        let mut over = Meta::default();
        over.model.zero_stage = Some(zero);
        let st = Strategy::parse("EP8_DP2").unwrap();
        evaluate(&plan, st, 16, &over, Capacity::Native).unwrap().peak_memory_percent.unwrap()
    };
    assert!(
        peak(ZeroStage::OPTIMIZER) < peak(ZeroStage::NONE) * 0.9,
        "{} vs {}",
        peak(ZeroStage::OPTIMIZER),
        peak(ZeroStage::NONE)
    );
}
