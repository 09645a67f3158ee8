//! `snn fpga --plan`: for each lane count, the largest network that fits a part by the
//! estimate ([`super::Estimate`]), found by trying every N from P to the model's
//! [`MAX_N`] (the refusal is not monotone in N by construction, so no bisection).

use super::{block_unit, Estimate, LutRange};
use crate::flow::Target;
use serde::Serialize;
use snn_arch::{HwParams, MAX_N};
use snn_core::config::SnnConfig;

/// The lane counts the plan tries.
pub const LANES: [usize; 14] = [1, 2, 4, 5, 8, 10, 16, 20, 25, 32, 50, 64, 100, 128];

/// What stops N from growing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    /// The model's [`MAX_N`], not the part.
    MaxN,
    /// The next N needs more block RAM than the part has.
    Memory,
    /// The next N's LUT estimate starts above the part.
    Luts,
    /// The next N is not a valid configuration.
    Config,
}

/// One lane count.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlanRow {
    pub lanes: usize,
    /// The largest N that fits, `None` when not even N = P does.
    pub neurons: Option<usize>,
    /// Its block RAMs, UP5K SPRAMs and LUTs.
    pub brams: Option<f64>,
    pub spram: Option<u64>,
    pub luts: Option<LutRange>,
    pub limit: Limit,
    /// Why the next N (or N = P when none fits) does not; `None` for [`Limit::MaxN`].
    pub why: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plan {
    pub target: Target,
    pub part: &'static str,
    /// The part's block RAMs and LUTs ([`crate::flow::Capacity`]) and what the blocks are.
    pub brams: f64,
    pub block_unit: &'static str,
    pub luts: u64,
    pub max_n: usize,
    pub rows: Vec<PlanRow>,
}

/// `Ok(estimate)` when a design may fit, `Err((limit, why))` when not.
pub type Fit = Result<Estimate, (Limit, String)>;

/// `base` with N neurons in P lanes, estimated on `target`.
pub fn try_fit(target: Target, base: &SnnConfig, n: usize, lanes: usize) -> Fit {
    let cfg = SnnConfig {
        neurons: n,
        lanes: Some(lanes),
        ..base.clone()
    };
    let p = HwParams::new(&cfg).map_err(|e| (Limit::Config, format!("{e:#}")))?;
    let e = Estimate::new(target, &p);
    match e.refusal() {
        None => Ok(e),
        Some(why) if e.brams > e.capacity.brams => Err((Limit::Memory, why)),
        Some(why) => Err((Limit::Luts, why)),
    }
}

/// The plan of `base` (its image size, widths and options) on `target`.
pub fn plan(target: Target, base: &SnnConfig) -> Plan {
    let cap = target.capacity();
    let rows = LANES
        .iter()
        .map(|&lanes| {
            let tried: Vec<(usize, Fit)> = (lanes..=MAX_N)
                .map(|n| (n, try_fit(target, base, n, lanes)))
                .collect();
            let best = tried.iter().rposition(|(_, r)| r.is_ok());
            let (neurons, fit) = match best {
                Some(i) => (Some(tried[i].0), tried[i].1.as_ref().ok()),
                None => (None, None),
            };
            let next = best.map_or(Some(0), |i| (i + 1 < tried.len()).then_some(i + 1));
            let (limit, why) = match next.and_then(|i| tried.get(i)) {
                Some((_, Err((limit, why)))) => (*limit, Some(why.clone())),
                _ => (Limit::MaxN, None),
            };
            PlanRow {
                lanes,
                neurons,
                brams: fit.map(|e| e.brams),
                spram: fit.map(|e| e.spram),
                luts: fit.map(|e| e.luts),
                limit,
                why,
            }
        })
        .collect();
    Plan {
        target,
        part: cap.part,
        brams: cap.brams,
        block_unit: block_unit(target),
        luts: cap.luts,
        max_n: MAX_N,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each reported N fits and N + 1 does not (or is beyond MAX_N), on every target.
    #[test]
    fn each_reported_n_fits_and_the_next_does_not() {
        for target in Target::ALL {
            let base = SnnConfig::seed();
            let plan = plan(target, &base);
            assert_eq!(plan.rows.len(), LANES.len());
            for row in &plan.rows {
                let p = row.lanes;
                match row.neurons {
                    Some(n) => {
                        assert!(n >= p, "{target} P = {p}: N = {n}");
                        assert!(try_fit(target, &base, n, p).is_ok(), "{target} P = {p}");
                        if n < MAX_N {
                            let (limit, _) = try_fit(target, &base, n + 1, p).unwrap_err();
                            assert_eq!(limit, row.limit, "{target} P = {p}");
                        } else {
                            assert_eq!(row.limit, Limit::MaxN);
                        }
                    }
                    None => assert!(try_fit(target, &base, p, p).is_err(), "{target} P = {p}"),
                }
            }
        }
    }
}
