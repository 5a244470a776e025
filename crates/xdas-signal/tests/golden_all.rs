//! Every golden case of `scipy/` and `xsignal/` (scipy 1.17 / xdas 0.2.10 outputs), checked
//! against the stored outputs with the tolerances of `golden/README.md`.
//!
//! `GOLDEN_FILTER=substring` restricts the run to matching case names.

mod golden;

use golden::case::{Case, golden_dir};
use std::io::Write;

fn cases() -> Option<Vec<Case>> {
    let Some(root) = golden_dir() else {
        println!("SKIP: golden cases not found (set XDAS_TEST_DATA to the shared directory)");
        return None;
    };
    let filter = std::env::var("GOLDEN_FILTER").unwrap_or_default();
    let mut all = Case::all(&root, "scipy");
    all.extend(Case::all(&root, "xsignal"));
    Some(
        all.into_iter()
            .filter(|c| c.name.contains(&filter))
            .collect(),
    )
}

#[test]
fn golden_cases_pass() {
    let Some(cases) = cases() else { return };
    let (mut passed, mut failed, mut unclaimed) = (0, vec![], vec![]);
    for case in &cases {
        match golden::dispatch(case) {
            Some(Ok(())) => passed += 1,
            Some(Err(e)) => failed.push(format!("{}/{}: {e}", case.group, case.name)),
            None => unclaimed.push(case.name.clone()),
        }
    }
    // written past the test harness's capture, so that CI logs show the count
    let _ = writeln!(
        std::io::stderr(),
        "golden: {} cases, {passed} checked and passed, {} failed, {} not claimed by any area",
        cases.len(),
        failed.len(),
        unclaimed.len()
    );
    for f in &failed {
        println!("  FAIL {f}");
    }
    assert!(failed.is_empty(), "{} golden cases failed", failed.len());
}

#[test]
fn golden_cases_all_covered() {
    let Some(cases) = cases() else { return };
    let unclaimed: Vec<&str> = cases
        .iter()
        .filter(|c| golden::dispatch(c).is_none())
        .map(|c| c.name.as_str())
        .collect();
    println!(
        "golden coverage: {} of {} cases claimed",
        cases.len() - unclaimed.len(),
        cases.len()
    );
    assert!(unclaimed.is_empty(), "cases no test checks: {unclaimed:?}");
}
