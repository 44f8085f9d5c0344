//! `report.html`: one self-contained page — the summary table, the charts as inline SVG, each
//! Job's manifest, and the rules that applied, in words. No scripts, no network references: it
//! opens from disk anywhere.

use crate::scenario::spec::{JobMode, RestartPolicy};
use crate::scenario::{ControllerConfig, JobConfig, Scenario};
use crate::trace::summary::JobSummary;
use crate::Run;
use std::fmt::Write as _;

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// An SVG document made fit to inline: without its XML declaration, scaled to the page width.
fn inline_svg(svg: &str) -> String {
    let body = match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    };
    body.replacen("<svg ", "<svg style=\"max-width:100%;height:auto\" ", 1)
}

fn prune_nulls(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(prune_nulls);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(prune_nulls),
        _ => {}
    }
}

/// The manifest of a Job as pretty JSON (fields not written are left out).
pub fn manifest_json(j: &JobConfig) -> String {
    let mut v = serde_json::to_value(&j.manifest).expect("a manifest serializes");
    prune_nulls(&mut v);
    serde_json::to_string_pretty(&v).expect("a value serializes")
}

/// The rules that applied to a Job, as sentences derived from its spec and its end.
pub fn rules(j: &JobConfig, s: Option<&JobSummary>, cfg: &ControllerConfig) -> Vec<String> {
    let human = crate::scenario::duration::human;
    let spec = &j.spec;
    let mut out = Vec::new();
    let p = if spec.parallelism_set {
        format!("parallelism {} (set)", spec.parallelism)
    } else {
        format!("parallelism {} (defaulted: unset means 1)", spec.parallelism)
    };
    out.push(match spec.mode() {
        JobMode::NonParallel => format!(
            "Non-parallel Job: completions and parallelism {} 1, so one pod runs at a time and the Job is Complete as soon as one pod succeeds.",
            if spec.completions_set || spec.parallelism_set { "are" } else { "both default to" }
        ),
        JobMode::FixedCompletions => format!(
            "Fixed completion count: the Job needs {} successful pods; with {p} the controller keeps at most min(parallelism, completions still missing) pods active.",
            spec.completions.unwrap_or(1)
        ),
        JobMode::WorkQueue => format!(
            "Work queue: completions is unset and {p}. The pods coordinate among themselves; once any pod succeeds no new pod is created, and the Job is Complete when one pod has succeeded and all have ended."
        ),
        JobMode::Indexed => format!(
            "Indexed Job: each index 0..{} needs one successful pod; with {p} the lowest missing indexes are started first, and a failed index is retried under the same index.",
            spec.completions.unwrap_or(1).saturating_sub(1)
        ),
    });
    match spec.backoff_limit_per_index {
        Some(b) => out.push(format!(
            "backoffLimitPerIndex {b}: each index may fail {b} times before it is marked failed{}.",
            spec.max_failed_indexes.map(|m| format!("; more than {m} failed indexes fail the Job")).unwrap_or_default()
        )),
        None => out.push(format!(
            "backoffLimit {}{}: the Job fails with BackoffLimitExceeded when more than {} pods have failed; each replacement of a failed pod waits {}, {}, {} … (doubling, at most {}) after the last failure.",
            spec.backoff_limit,
            if spec.backoff_limit_set { "" } else { " (the default)" },
            spec.backoff_limit,
            human(cfg.pod_failure_backoff),
            human(cfg.pod_failure_backoff * 2),
            human(cfg.pod_failure_backoff * 4),
            human(cfg.max_pod_failure_backoff)
        )),
    }
    if spec.restart_policy == RestartPolicy::OnFailure {
        out.push("restartPolicy OnFailure: the kubelet restarts a failed container inside the same pod; each restart counts toward the backoff limit.".into());
    }
    if let Some(d) = spec.active_deadline {
        out.push(format!(
            "activeDeadlineSeconds {}: the Job fails with DeadlineExceeded that long after its start time, and its pods are deleted.",
            d / 1000
        ));
    }
    if spec.pod_failure_policy.is_some() {
        out.push("A podFailurePolicy is set: failed pods are matched against its rules (FailJob, FailIndex, Ignore, Count) before counting, and pods are replaced only once they have fully failed.".into());
    }
    if spec.success_policy.is_some() {
        out.push("A successPolicy is set: the Job can succeed early when its rules are met (SuccessPolicy reason).".into());
    }
    if spec.suspend {
        out.push("The Job is created suspended: no pod is created until it is resumed.".into());
    }
    if let Some(s) = s {
        let ended = match (s.outcome.as_str(), s.reason.as_deref()) {
            ("Complete", Some("CompletionsReached")) => {
                "It ended Complete because the required number of successful pods (completions) was reached.".to_string()
            }
            ("Complete", Some("SuccessPolicy")) => "It ended Complete because its successPolicy was met.".to_string(),
            ("Complete", r) => format!("It ended Complete ({}).", r.unwrap_or("-")),
            ("Failed", Some("BackoffLimitExceeded")) => {
                format!("It ended Failed: {} failed pods exceeded backoffLimit {}.", s.failed, spec.backoff_limit)
            }
            ("Failed", Some("DeadlineExceeded")) => "It ended Failed: the Job ran past activeDeadlineSeconds.".to_string(),
            ("Failed", Some("PodFailurePolicy")) => {
                "It ended Failed: a pod failure matched a FailJob rule of the podFailurePolicy.".to_string()
            }
            ("Failed", r) => format!("It ended Failed ({}).", r.unwrap_or("-")),
            _ => "It had not ended when the simulation stopped.".to_string(),
        };
        let d = s.duration.map(|d| format!(" Duration {d:.3} s,")).unwrap_or_default();
        out.push(format!(
            "{ended}{d} {} pods created, {} succeeded, {} failed, at most {} active at once.",
            s.pods_created, s.succeeded, s.failed, s.max_active
        ));
    }
    out
}

const CSS: &str = "body{font-family:'DejaVu Sans',Verdana,sans-serif;margin:24px auto;max-width:1240px;color:#222;padding:0 12px}\
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}\
table{border-collapse:collapse;font-size:.9em}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}th{background:#f2f2f2}\
td.n{text-align:right}.Complete{color:#2CA02C;font-weight:bold}.Failed{color:#D62728;font-weight:bold}.Running{color:#1F77B4;font-weight:bold}\
pre{background:#f7f7f7;border:1px solid #e2e2e2;padding:8px;overflow:auto;font-size:.85em}figure{margin:12px 0}";

/// The whole page. `charts` are (caption, SVG text) pairs, inlined in order.
pub fn report_html(s: &Scenario, run: &Run, charts: &[(&str, &str)]) -> String {
    let mut h = String::new();
    let title = format!("kjobsim report — {}", s.name);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        escape(&title),
        escape(&title)
    );
    if let Some(d) = &s.description {
        let _ = writeln!(h, "<p>{}</p>", escape(d));
    }
    let sm = &run.summary;
    let _ =
        writeln!(h, "<p>Seed {}; {} events; the simulation ended at {:.3} s of virtual time.</p>", sm.seed, sm.sim.events, sm.sim.end_time);
    h.push_str("<h2>Summary</h2>\n<table>\n<tr><th>Job</th><th>mode</th><th>outcome</th><th>reason</th><th>start (s)</th><th>duration (s)</th><th>pods</th><th>succeeded</th><th>failed</th><th>max active</th></tr>\n");
    let opt = |v: Option<f64>| v.map(|x| format!("{x:.3}")).unwrap_or_else(|| "-".into());
    for j in &sm.jobs {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&j.name),
            escape(&j.mode),
            escape(&j.outcome),
            escape(&j.outcome),
            escape(j.reason.as_deref().unwrap_or("-")),
            opt(j.start_time),
            opt(j.duration),
            j.pods_created,
            j.succeeded,
            j.failed,
            j.max_active
        );
    }
    h.push_str("</table>\n");
    for (caption, svg) in charts {
        let _ = writeln!(h, "<h2>{}</h2>\n<figure>{}</figure>", escape(caption), inline_svg(svg));
    }
    for (i, j) in s.jobs.iter().enumerate() {
        let _ = writeln!(h, "<h2>Job {}: the rules that applied</h2>\n<ul>", escape(&j.spec.name));
        for r in rules(j, sm.jobs.get(i), &s.config) {
            let _ = writeln!(h, "<li>{}</li>", escape(&r));
        }
        let _ = writeln!(h, "</ul>\n<h3>Manifest</h3>\n<pre>{}</pre>", escape(&manifest_json(j)));
    }
    h.push_str("<p><small>Written by kjobsim. Times are seconds from the scenario's start.</small></p>\n</body>\n</html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_follow_the_spec_and_the_end() {
        let yaml = "name: t\njobs:\n  - manifest:\n      apiVersion: batch/v1\n      kind: Job\n      metadata: { name: j }\n      spec:\n        completions: 5\n        template: { spec: { restartPolicy: Never, containers: [{ name: c, image: i }] } }\n";
        let s = crate::scenario::load_str(yaml, "t.yaml".as_ref(), &Default::default()).unwrap();
        let run = crate::simulate(&s, Default::default()).unwrap();
        let r = rules(&s.jobs[0], run.summary.jobs.first(), &s.config).join(" ");
        assert!(r.contains("parallelism 1 (defaulted: unset means 1)"), "{r}");
        assert!(r.contains("backoffLimit 6 (the default)") && r.contains("10s, 20s, 40s"), "{r}");
        assert!(r.contains("completions) was reached"), "{r}");
        assert_eq!(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }
}
