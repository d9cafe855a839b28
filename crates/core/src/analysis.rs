//! One side of the workspace: a plan, its verification report and its cluster view,
//! computed together so the page and the report writer show the same numbers.

use crate::check::declared::{LaunchLines, Readings};
use crate::check::{Report, VerifyOptions, verify_paced};
use crate::cluster::{self, ClusterModel, Metric};
use crate::compare::{FindingsDiff, correspondence};
use crate::deploy::Origins;
use crate::expert_load::ExpertLoad;
use crate::graph::EdgeIndex;
use crate::limits::Capacity;
use crate::model::{Meta, Plan, Strategy};
use crate::pace::{self, Pause};
use crate::rewrite::{Balance, Diff, RewriteError, Target, rewrite};
use crate::sim::timeline::StepRows;
use crate::units::{thousands, thousands_u64};
use std::sync::{Arc, OnceLock};

#[derive(Debug, Clone)]
pub struct Analysis {
    pub plan: Arc<Plan>,
    pub report: Arc<Report>,
    pub cluster: Arc<ClusterModel>,
    /// The strategy the plan was held to: the one asked for, else the declared one.
    pub strategy: Option<Strategy>,
    /// The plan's edges resolved to node indices: verified with, and laid out with.
    pub edges: Arc<EdgeIndex>,
    /// The simulated step as timeline rows, built on first use and shared by every clone:
    /// the after side of a plan that verifies clean is one, and a million-node step takes
    /// about half a second to lay into rows.
    step_rows: Arc<OnceLock<Option<Arc<StepRows>>>>,
}

impl Analysis {
    /// The simulated step's timeline rows; `None` when no step could be simulated.
    pub fn step_rows(&self) -> Option<Arc<StepRows>> {
        self.step_rows
            .get_or_init(|| {
                let sim = self.report.metrics.simulation.as_ref()?;
                Some(Arc::new(StepRows::of(&self.plan, sim)))
            })
            .clone()
    }
}

/// What the user asked for on top of the file: a strategy, a GPU count, constants. The
/// page's target and Conditions panel are one `Request`, and both sides are analysed
/// with it, so every finding follows a change of either.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Request {
    pub strategy: Option<Strategy>,
    pub gpus: Option<u32>,
    pub overrides: Meta,
    /// Tokens per expert: the rewrite places experts by it (EPLB) and both sides are
    /// simulated under it, as `planscope rewrite/verify --expert-load` do.
    pub expert_load: Option<Arc<ExpertLoad>>,
    /// Declared launch lines read beforehand (the page's readers' worker reads them); None:
    /// the verifier's own way (`check::declared::default_lines`).
    pub launch: Option<Arc<Readings>>,
    /// Where the sides are held: a page's rewrite builds fewer nodes (`limits::Capacity`).
    pub capacity: Capacity,
}

impl Request {
    pub fn verify_options(&self) -> VerifyOptions {
        let defaults = VerifyOptions::default();
        VerifyOptions {
            strategy: self.strategy,
            gpus: self.gpus,
            overrides: self.overrides.clone(),
            expert_load: self.expert_load.clone(),
            launch: self.launch.clone().map_or(defaults.launch.clone(), |r| r as Arc<dyn LaunchLines>),
            ..defaults
        }
    }
}

/// Whether `capacity` holds the analysis of a plan of `nodes` and `edges`
/// (`Capacity::plan_elements`), or why not, naming the commands that go further.
pub fn holds(capacity: Capacity, nodes: usize, edges: usize) -> Result<(), String> {
    if (nodes as u64).saturating_add(edges as u64) <= capacity.plan_elements() {
        return Ok(());
    }
    Err(format!(
        "its {} nodes and {} edges are past {}; verify it with `planscope verify`, or draw it with \
         `planscope report`",
        thousands(nodes),
        thousands(edges),
        capacity.limit_words(&format!("{} nodes and edges", thousands_u64(capacity.plan_elements())))
    ))
}

pub fn analyze(plan: Arc<Plan>, req: &Request) -> Analysis {
    pace::run(analyze_paced(plan, req, &mut pace::none))
}

/// [`analyze`], awaiting `pause` between its steps (`pace`).
pub async fn analyze_paced(plan: Arc<Plan>, req: &Request, pause: Pause<'_>) -> Analysis {
    let edges = Arc::new(EdgeIndex::of(&plan));
    pause().await;
    let report = verify_paced(&plan, &edges, &req.verify_options(), pause).await;
    pause().await;
    let strategy = req.strategy.or(plan.meta.strategy);
    let cluster = cluster::build(&plan, &report, strategy);
    Analysis { plan, report: Arc::new(report), cluster: Arc::new(cluster), strategy, edges, step_rows: Arc::default() }
}

/// The headline numbers of a side, compared before → after in the page and the report.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figures {
    pub gpus_used: f64,
    pub balancedness: Option<f64>,
    /// The simulated step: a training run's optimizer step when its micro-batches are
    /// given, else the forward pass simulated.
    pub step_s: Option<f64>,
    /// That optimizer step's parts.
    pub training: Option<crate::sim::TrainingStep>,
    pub peak_mem_gb: Option<f64>,
    /// One GPU's memory, GB, when the hardware gives it.
    pub capacity_gb: Option<f64>,
    /// The peak counts weights alone, with what the workload lacks: no activations or KV cache.
    pub weights_only: Option<crate::cost::Lacking>,
    /// What the fullest GPU holds.
    pub peak: Option<crate::cost::Parts>,
}

impl Figures {
    pub fn of(a: &Analysis) -> Figures {
        let m = &a.report.metrics;
        Figures {
            gpus_used: m.gpus_used as f64,
            balancedness: m.simulation.as_ref().map(|s| s.balancedness),
            step_s: m.simulation.as_ref().map(|s| s.training.map_or(s.step_time_s, |t| t.step_s)),
            training: m.simulation.as_ref().and_then(|s| s.training),
            peak_mem_gb: m.memory.as_ref().map(|mm| mm.total_gb.max),
            capacity_gb: m.memory.as_ref().and_then(|mm| mm.capacity_gb),
            weights_only: m.memory.as_ref().and_then(|mm| match mm.counted {
                crate::cost::Counted::WeightsOnly { lacking } => Some(lacking),
                crate::cost::Counted::All => None,
            }),
            peak: m.memory.as_ref().and_then(|mm| mm.worst()),
        }
    }
}

/// Which way is better for a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Better,
    Worse,
    Same,
}

impl Change {
    /// How `after` compares with `before`; `Same` when either is unknown or they are equal.
    pub fn between(before: Option<f64>, after: f64, better: Better) -> Change {
        match before.filter(|x| x.is_finite()) {
            Some(x) if after.is_finite() && (after - x).abs() > 1e-12 * x.abs().max(1.0) => {
                let improved = match better {
                    Better::Higher => after > x,
                    Better::Lower => after < x,
                };
                if improved { Change::Better } else { Change::Worse }
            }
            _ => Change::Same,
        }
    }

    /// The CSS class both views style deltas with.
    pub fn class(self) -> &'static str {
        match self {
            Change::Better => "better",
            Change::Worse => "worse",
            Change::Same => "same",
        }
    }
}

/// The rewritten side: its analysis and the reviewer's list of required modifications.
#[derive(Debug, Clone)]
pub struct After {
    pub analysis: Analysis,
    pub modifications: Modifications,
    /// Which node of the plan as written each node was built for (`counterpart`); None
    /// when the after side is that plan itself.
    pub origins: Option<Arc<Origins>>,
    /// With an expert load: the EPLB balancedness of the rewrite's placement against the
    /// contiguous one (`Rewrite::balance`).
    pub balance: Option<Balance>,
}

/// What it takes to reach the after side.
#[derive(Debug, Clone)]
pub enum Modifications {
    /// Nothing: the plan already is a correct deployment of this strategy.
    None(Strategy),
    /// The rewrite's diff.
    Rewrite(Arc<Diff>),
    /// The after side is a second plan of the user's own (its fix): what it resolved,
    /// left and introduced.
    Compare(Arc<Comparison>),
}

/// A plan compared with a second file of the user's own.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The second file's name, as opened.
    pub file_name: String,
    pub findings: FindingsDiff,
}

/// The target the request holds the plan to (the one asked for, else the declared one).
pub fn target_of(plan: &Plan, req: &Request) -> Option<Strategy> {
    req.strategy.or(req.overrides.strategy).or(plan.meta.strategy)
}

/// Both sides of the workspace for one request: the plan as written verified against
/// the target and the conditions, and the after side for that target (None: no target).
pub fn sides(plan: Arc<Plan>, req: &Request) -> (Analysis, Option<Result<After, RewriteError>>) {
    pace::run(sides_paced(plan, req, &mut pace::none))
}

/// [`sides`], awaiting `pause` between its steps (`pace`): the page's load of a large plan.
pub async fn sides_paced(
    plan: Arc<Plan>,
    req: &Request,
    pause: Pause<'_>,
) -> (Analysis, Option<Result<After, RewriteError>>) {
    let target = target_of(&plan, req);
    let req = Request { strategy: target, ..req.clone() };
    let before = analyze_paced(plan, &req, pause).await;
    let after = match target {
        Some(s) => Some(after_side_paced(&before, s, &req, pause).await),
        None => None,
    };
    (before, after)
}

/// The after side when it is a second plan of the user's own: `fixed` verified against
/// the same target and conditions as `before`, matched to it by ids and roles.
pub fn compare_side(before: &Analysis, file_name: &str, fixed: Arc<Plan>, req: &Request) -> After {
    let req = Request { strategy: req.strategy.or(before.strategy), ..req.clone() };
    let origins = Some(Arc::new(correspondence(&before.plan, &fixed)));
    let analysis = analyze(fixed, &req);
    let findings = FindingsDiff::between(&before.report, &analysis.report);
    let comparison = Comparison { file_name: file_name.to_string(), findings };
    After { analysis, modifications: Modifications::Compare(Arc::new(comparison)), origins, balance: None }
}

/// Rewrites `plan` to `strategy` and analyses the result against it. The error names
/// every rule the target breaks.
pub fn rewrite_side(plan: &Plan, strategy: Strategy, req: &Request) -> Result<After, RewriteError> {
    pace::run(rewrite_side_paced(plan, strategy, req, &mut pace::none))
}

async fn rewrite_side_paced(
    plan: &Plan,
    strategy: Strategy,
    req: &Request,
    pause: Pause<'_>,
) -> Result<After, RewriteError> {
    let target = Target {
        gpus: req.gpus,
        overrides: req.overrides.clone(),
        expert_load: req.expert_load.as_ref().map(|l| l.rows().to_vec()),
        // Built beside the plan it rewrites, which stays held.
        capacity: req.capacity.beside(plan.elements()),
        ..Target::new(strategy)
    };
    let rewritten = rewrite(plan, &target)?;
    let modifications = Modifications::Rewrite(Arc::new(rewritten.diff));
    let after_req = Request { strategy: Some(strategy), ..req.clone() };
    let origins = Some(Arc::new(rewritten.origins));
    let balance = rewritten.balance;
    pause().await;
    let analysis = analyze_paced(Arc::new(rewritten.plan), &after_req, pause).await;
    Ok(After { analysis, modifications, origins, balance })
}

/// The after side for `before`'s plan and `strategy`: `before` itself when it already
/// verifies clean (no error, no warning) against that strategy — nothing to modify, and
/// no second pass over a large plan — else its rewrite.
pub fn after_side(before: &Analysis, strategy: Strategy, req: &Request) -> Result<After, RewriteError> {
    pace::run(after_side_paced(before, strategy, req, &mut pace::none))
}

async fn after_side_paced(
    before: &Analysis,
    strategy: Strategy,
    req: &Request,
    pause: Pause<'_>,
) -> Result<After, RewriteError> {
    let r = &before.report;
    let clean = r.findings.iter().all(|f| f.severity == crate::check::Severity::Info);
    if before.strategy == Some(strategy) && clean {
        return Ok(After {
            analysis: before.clone(),
            modifications: Modifications::None(strategy),
            origins: None,
            balance: None,
        });
    }
    rewrite_side_paced(&before.plan, strategy, req, pause).await
}

/// Busy % when a step could be simulated; otherwise the first metric the plan has data for.
pub fn default_metric(a: &Analysis) -> Metric {
    let c = &a.cluster;
    if a.report.metrics.simulation.is_some() {
        Metric::Busy
    } else if c.cells.iter().any(|cell| cell.memory_percent.is_some()) {
        Metric::Memory
    } else if c.max_flops > 0.0 {
        Metric::Compute
    } else if c.max_experts > 0 {
        Metric::ExpertShards
    } else {
        Metric::EpGroup
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples::SEED_EP64_TP2;
    use crate::read::read_plan;

    /// The page analyses plans of up to 4 million nodes and edges; the command, up to
    /// planscope's node and edge limits.
    #[test]
    fn a_page_holds_fewer_elements_than_the_command() {
        assert_eq!(holds(Capacity::PAGE, 1_018_066, 2_064_384), Ok(()));
        let e = holds(Capacity::PAGE, 2_045_186, 4_362_240).unwrap_err();
        assert_eq!(
            e,
            "its 2,045,186 nodes and 4,362,240 edges are past the 4,000,000 nodes and edges a browser page holds \
             (the command goes further); verify it with `planscope verify`, or draw it with `planscope report`"
        );
        assert_eq!(holds(Capacity::Native, 2_045_186, 4_362_240), Ok(()));
        // Beside an open plan of 3 million nodes and edges, a second one gets the rest.
        let beside = Capacity::PAGE.beside(3_000_000);
        assert_eq!(beside.built_nodes(), 333_333);
        assert!(holds(beside, 400_000, 600_000).is_ok());
        let e = holds(beside, 400_000, 700_000).unwrap_err();
        assert!(e.contains("past the 1,000,000 nodes and edges a browser page holds beside the open plan"), "{e}");
        assert!(holds(Capacity::Native, usize::MAX, usize::MAX).is_err());
    }

    #[test]
    fn the_example_fails_with_3_of_128_gpus() {
        let plan = Arc::new(read_plan(SEED_EP64_TP2.text).unwrap());
        let a = analyze(plan, &Request::default());
        assert_eq!(a.cluster.used(), 3);
        assert_eq!(a.report.metrics.gpus_total, Some(128));
        assert_eq!(a.strategy.map(|s| s.to_string()).as_deref(), Some("EP64_TP2_PP1_DP1"));
        assert!(a.report.errors().next().is_some());
        assert_eq!(default_metric(&a), Metric::Busy);
    }

    #[test]
    fn the_example_rewrites_clean_to_its_strategy_and_explains_a_bad_one() {
        let plan = read_plan(SEED_EP64_TP2.text).unwrap();
        let after = rewrite_side(&plan, Strategy::parse("EP64_TP2").unwrap(), &Request::default()).unwrap();
        assert!(after.analysis.report.errors().next().is_none());
        assert_eq!(after.analysis.cluster.used(), 128);
        let Modifications::Rewrite(diff) = &after.modifications else { panic!("a rewrite") };
        assert!(diff.render_text().contains("expert_<e>_<t>_layer_<l>"));
        let err = rewrite_side(&plan, Strategy::parse("EP48").unwrap(), &Request::default()).unwrap_err();
        assert!(err.to_string().contains("not divisible by EP48"), "{err}");
    }

    #[test]
    fn the_target_holds_both_sides() {
        // The seed's own DAG declares no strategy: alone it has no target ...
        let seed = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/corpus/lr-agent/paper_to_dag__main_deployment_dag.json"
        ))
        .expect("the corpus (../shared/corpus/lr-agent) is needed");
        let plan = Arc::new(read_plan(&seed).unwrap());
        let (alone, after) = sides(plan.clone(), &Request::default());
        assert!(after.is_none() && alone.strategy.is_none());
        // ... and held to EP64_TP2 the plan as written fails, before any rewrite.
        let req = Request { strategy: Some(Strategy::parse("EP64_TP2").unwrap()), ..Request::default() };
        let (before, after) = sides(plan, &req);
        assert!(
            before.report.errors().any(|f| f.code == crate::check::Code::EpIncomplete),
            "{:?}",
            before.report.findings
        );
        assert_eq!(after.unwrap().unwrap().analysis.strategy, req.strategy);
        // The example rewritten to EP4_DP32: every finding speaks of EP4, none of EP64.
        let example = Arc::new(read_plan(SEED_EP64_TP2.text).unwrap());
        let req = Request { strategy: Some(Strategy::parse("EP4_DP32").unwrap()), ..Request::default() };
        let (before, after) = sides(example, &req);
        let text: String = before.report.findings.iter().map(|f| format!("{} {}\n", f.message, f.fix)).collect();
        assert!(text.contains("EP4") && !text.contains("EP64"), "{text}");
        assert_eq!(after.unwrap().unwrap().analysis.strategy, req.strategy);
    }

    #[test]
    fn conditions_reach_both_sides() {
        let example = Arc::new(read_plan(SEED_EP64_TP2.text).unwrap());
        let mut req = Request::default();
        req.overrides.cluster.gpus = Some(256);
        let (before, after) = sides(example, &req);
        let after = after.unwrap().unwrap().analysis;
        assert_eq!((before.report.metrics.gpus_total, after.report.metrics.gpus_total), (Some(256), Some(256)));
        assert_eq!(after.report.metrics.gpus_total_source, "plan");
    }

    #[test]
    fn an_empty_plan_is_an_error() {
        let (a, _) = sides(Arc::new(Plan::new(crate::model::Format::Json)), &Request::default());
        assert!(a.report.errors().any(|f| f.code == crate::check::Code::EmptyPlan));
    }

    #[test]
    fn a_fix_compares_with_its_plan() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/lr-agent/");
        let read = |f: &str| Arc::new(read_plan(&std::fs::read_to_string(format!("{dir}{f}")).unwrap()).unwrap());
        let plan = read("2025-12-30-17-26-35__parallel_strategy_dag.dot");
        let fixed = read("2025-12-30-17-26-35__parallel_strategy_dag_fixed.dot");
        let before = analyze(plan, &Request::default());
        let after = compare_side(&before, "parallel_strategy_dag_fixed.dot", fixed.clone(), &Request::default());
        let Modifications::Compare(c) = &after.modifications else { panic!("a comparison") };
        let d = &c.findings;
        assert_eq!(d.resolved.len() + d.left.len(), before.report.findings.len());
        assert_eq!(d.introduced.len() + d.left.len(), after.analysis.report.findings.len());
        // Nodes the fix kept under their ids correspond one to one.
        let origins = after.origins.as_ref().unwrap();
        let kept =
            fixed.nodes.iter().enumerate().filter(|(i, n)| {
                origins.source_of(*i as u32).is_some_and(|s| before.plan.nodes[s as usize].id == n.id)
            });
        assert!(kept.count() > 0);
    }

    #[test]
    fn changes_read_the_right_way() {
        assert_eq!(Change::between(Some(3.0), 128.0, Better::Higher), Change::Better);
        assert_eq!(Change::between(Some(6.7e-3), 29e-3, Better::Lower), Change::Worse);
        assert_eq!(Change::between(None, 1.0, Better::Lower), Change::Same);
        assert_eq!(Change::between(Some(1.0), 1.0, Better::Higher), Change::Same);
    }

    #[test]
    fn a_clean_plan_is_its_own_after_side() {
        let s = Strategy::parse("EP8_TP2").unwrap();
        let plan = crate::r#gen::generate(&crate::r#gen::GenSpec::new(s, 2, 8));
        let before = analyze(Arc::new(plan), &Request::default());
        let after = after_side(&before, s, &Request::default()).unwrap();
        assert!(Arc::ptr_eq(&after.analysis.plan, &before.plan));
        assert!(matches!(after.modifications, Modifications::None(t) if t == s));
        // The broken example still gets rewritten.
        let example = analyze(Arc::new(read_plan(SEED_EP64_TP2.text).unwrap()), &Request::default());
        let s = example.strategy.unwrap();
        assert_eq!(after_side(&example, s, &Request::default()).unwrap().analysis.cluster.used(), 128);
    }
}
