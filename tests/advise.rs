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

#[test]
fn unknown_gpu_count_is_an_error() {
    let plan = planscope_core::model::Plan::new(planscope_core::model::Format::Json);
    let e = suggest(&plan, None, &Meta::default()).unwrap_err();
    assert!(e.to_string().contains("GPU count is unknown"), "{e}");
}
