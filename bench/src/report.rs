//! A scenario's figures: one column per run, the median and spread of each, as a table for
//! people and JSON for tools.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::{Value, json};

/// What one run measured, in the order it is shown.
#[derive(Debug, Default)]
pub struct Run {
    /// Named values; a name is made up only where a scenario repeats figures per activity.
    pub figures: Vec<(Cow<'static, str>, f64)>,
    /// `error` messages and failed joins the clients saw, by code.
    pub errors: BTreeMap<String, u64>,
}

impl Run {
    pub fn put(&mut self, name: impl Into<Cow<'static, str>>, value: f64) {
        self.figures.push((name.into(), value));
    }
}

pub struct Report {
    pub scenario: String,
    pub settings: Value,
    pub commit: String,
    pub runs: Vec<Run>,
}

/// Median, lowest and highest of a figure over the runs (NaN values left out).
fn spread(values: &[f64]) -> Option<(f64, f64, f64)> {
    let mut values: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let median = if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    };
    Some((median, values[0], values[n - 1]))
}

fn show(value: f64) -> String {
    match value {
        v if v.is_nan() => "–".to_owned(),
        v if v.fract() == 0.0 && v.abs() < 1e12 => format!("{v:.0}"),
        v if v.abs() >= 100.0 => format!("{v:.1}"),
        v => format!("{v:.3}"),
    }
}

impl Report {
    /// Figure names in the order of the first run.
    fn names(&self) -> Vec<&str> {
        self.runs
            .first()
            .map(|r| r.figures.iter().map(|(n, _)| &**n).collect())
            .unwrap_or_default()
    }

    fn values(&self, name: &str) -> Vec<f64> {
        self.runs
            .iter()
            .map(|r| {
                r.figures
                    .iter()
                    .find(|(n, _)| n == name)
                    .map_or(f64::NAN, |(_, v)| *v)
            })
            .collect()
    }

    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "\n{}  {}  commit {}",
            self.scenario, self.settings, self.commit
        );
        let mut header = format!("{:<24}", "figure");
        for i in 1..=self.runs.len() {
            let _ = write!(header, "{:>11}", format!("run {i}"));
        }
        let _ = write!(header, "{:>11}  spread (min–max)", "median");
        let _ = writeln!(out, "{header}");
        for name in self.names() {
            let values = self.values(name);
            let mut line = format!("{name:<24}");
            for v in &values {
                let _ = write!(line, "{:>11}", show(*v));
            }
            if let Some((median, low, high)) = spread(&values) {
                let _ = write!(line, "{:>11}  {}–{}", show(median), show(low), show(high));
            }
            let _ = writeln!(out, "{line}");
        }
        for (i, run) in self.runs.iter().enumerate() {
            if !run.errors.is_empty() {
                let _ = writeln!(
                    out,
                    "run {}: errors seen by clients {:?}",
                    i + 1,
                    run.errors
                );
            }
        }
        out
    }

    pub fn json(&self) -> Value {
        let runs: Vec<Value> = self
            .runs
            .iter()
            .map(|r| {
                let figures: serde_json::Map<String, Value> = r
                    .figures
                    .iter()
                    .map(|(n, v)| (n.to_string(), json!(v)))
                    .collect();
                json!({"figures": figures, "errors": r.errors})
            })
            .collect();
        let summary: serde_json::Map<String, Value> = self
            .names()
            .into_iter()
            .filter_map(|name| {
                let (median, min, max) = spread(&self.values(name))?;
                Some((
                    name.to_owned(),
                    json!({"median": median, "min": min, "max": max}),
                ))
            })
            .collect();
        json!({
            "scenario": self.scenario,
            "settings": self.settings,
            "commit": self.commit,
            "cpus": std::thread::available_parallelism().map_or(0, |n| n.get()),
            "runs": runs,
            "summary": summary,
        })
    }
}
