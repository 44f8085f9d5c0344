//! Random Job specs and events: no run panics, and every run keeps the §3.3 status invariants
//! (checked by `Case::run`).

use crate::Case;
use proptest::prelude::*;

fn spec() -> impl Strategy<Value = Case> {
    (
        (0u32..4, proptest::option::of(0u32..5), any::<bool>(), 0u32..4, proptest::option::of(0u32..2)),
        (proptest::option::of(5u32..60), any::<bool>(), 0u32..4, any::<bool>(), any::<bool>()),
        (proptest::option::of(0u64..40), proptest::option::of(0u64..40), 0u64..4, proptest::option::of((0u64..40, 0u32..5, any::<bool>()))),
    )
        .prop_map(|((par, comp, indexed, backoff, per_index), (ads, on_failure, policy, ttl, suspend), (susp_at, del_at, shutdown, set))| {
            let indexed = indexed && comp.is_some();
            let mut spec = format!("parallelism: {par}, backoffLimit: {backoff}");
            if let Some(c) = comp {
                spec.push_str(&format!(", completions: {c}"));
            }
            if indexed {
                spec.push_str(", completionMode: Indexed");
                if let Some(l) = per_index {
                    spec.push_str(&format!(", backoffLimitPerIndex: {l}"));
                }
            }
            if let Some(a) = ads {
                spec.push_str(&format!(", activeDeadlineSeconds: {a}"));
            }
            if ttl {
                spec.push_str(", ttlSecondsAfterFinished: 5");
            }
            let on_failure = on_failure && policy == 0;
            match policy {
                1 => spec.push_str(", podFailurePolicy: { rules: [{ action: FailJob, onExitCodes: { operator: In, values: [42] } }, { action: Ignore, onExitCodes: { operator: In, values: [3] } }] }"),
                2 if indexed && per_index.is_some() => spec.push_str(", podFailurePolicy: { rules: [{ action: FailIndex, onExitCodes: { operator: In, values: [42] } }] }"),
                3 if indexed && comp.unwrap_or(0) > 0 => spec.push_str(", successPolicy: { rules: [{ succeededCount: 1 }] }"),
                _ => {}
            }
            let mut c = Case::new(&spec)
                .restart(if on_failure { "OnFailure" } else { "Never" })
                .workload(&format!("duration: {{ uniform: [2s, 12s] }}, failure: {{ probability: 0.4, exit_code: 42 }}, shutdown: {shutdown}s"));
            if let Some(t) = susp_at {
                c = c.event(&format!("at: {t}s, suspend: j"));
                if suspend {
                    c = c.event(&format!("at: {}s, resume: j", t + 7));
                }
            }
            if let Some((t, n, elastic)) = set {
                // Elastic Indexed Jobs change completions with parallelism; others parallelism only.
                if elastic && indexed {
                    c = c.event(&format!("at: {t}s, set: {{ job: j, completions: {n}, parallelism: {n} }}"));
                } else {
                    c = c.event(&format!("at: {t}s, set: {{ job: j, parallelism: {n}, backoffLimit: {n} }}"));
                }
            }
            if let Some(t) = del_at {
                c = c.event(&format!("at: {t}s, delete_pod: {{ job: j, pod: 0 }}"));
            }
            c
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, rng_seed: proptest::test_runner::RngSeed::Fixed(20_261_204), ..ProptestConfig::default() })]
    #[test]
    fn random_jobs_keep_invariants(case in spec()) {
        let out = case.run();
        let j = out.job();
        // A terminal Job names its reason; a running one has none.
        prop_assert_eq!(j.reason.is_some(), j.outcome != "Running");
        // failed never exceeds the pods created (OnFailure counts a pod once).
        prop_assert!(j.failed <= j.pods_created);
    }
}
