//! The LUT estimate: a range, in the flow's unit ([`crate::flow::FpgaReport::luts`]: iCE40
//! `SB_LUT4`, ECP5 `LUT4` + 2 per `CCU2C`, Xilinx LUTs with LUT RAM), fitted on the cores
//! README.md "FPGA" reports as synthesized (28 x 28 inputs, the presets' widths):
//!
//! - Artix-7: `seed` at N = 10, 32 and 100 (5,253, 10,639, 25,466); homeostasis-only
//!   (`configs/default-theta.toml`) 6,334 and `default` 8,150 at N = 10.
//! - iCE40 HX8K: `seed` at N = 10 (6,154; 6,269 before issue 11's rework) and N = 32 (11,889,
//!   before the rework); homeostasis-only 7,656 at N = 10. The UP5K (6,076 for `seed`, 7,451
//!   homeostasis-only) is within the range of the same fit.
//! - ECP5: `seed` 7,566, homeostasis-only 9,614 and `default` 12,917 at N = 10 (13,844 in an
//!   earlier synthesis of the same core).
//!
//! Model: the `seed` core at N = 10 plus a slope per neuron lane, plus what homeostasis and
//! normalization added at N = 10. Where the data leaves a choice the range takes both ends:
//! the slope between the Artix-7's 10 -> 32 and 32 -> 100 slopes (the iCE40 has only 10 -> 32,
//! so its range goes down by the Artix-7's ratio; the ECP5 has one N and borrows the iCE40's
//! slopes scaled by the two families' `seed` counts), and each option's cost either fixed or
//! growing with the lanes as its per-neuron registers would. The iCE40's normalization cost is
//! not measured either: the ECP5's, scaled the same way. A margin of 8% on both sides covers
//! the spread between two measurements of one core (12,917 against 13,844).
//!
//! On iCE40 the part's LUTs are logic cells, each a LUT4 and a flip-flop, and placement needs
//! more cells than LUT4s where flip-flops do not pair with a LUT (the `seed` core's 6,154 LUT4
//! took 6,965 cells): a range ending above the part is a warning worth heeding there.
//!
//! For P < N the neuron array shrinks to P lanes (the slope times P instead of N), the
//! neuron-state and theta memories add the LUTs their mapping takes, and the lane machinery
//! (the `N`-bit comparator registers and masks, the group decoders and muxes) adds a cost per
//! neuron, fitted on the lane cores placed on the ECP5 85F at N = 100, P = 10: `seed` 11,809 and
//! homeostasis-only 15,545 (README "FPGA"); other families take the ECP5's per-neuron cost scaled
//! by their `seed` counts, as for normalization. Normalization with lanes has no row sums (the
//! Sum walk reads the winner's row instead): its cost is what the `default` lane core (17,281)
//! adds to the homeostasis-only one, a fixed amount. The Artix-7's scaled costs met one
//! measurement since: the `default` core with N = 200 in lanes of 20 (`configs/arty-n200.toml`),
//! 18,541 LUTs.

use crate::flow::Target;
use serde::Serialize;
use snn_arch::HwParams;
use std::fmt;

/// A LUT count somewhere in `low..=high`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LutRange {
    pub low: u64,
    pub high: u64,
}

impl fmt::Display for LutRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}",
            super::grouped(self.low),
            super::grouped(self.high)
        )
    }
}

/// (N, LUTs) measured (module documentation).
const XC7_SEED: [(f64, f64); 3] = [(10.0, 5253.0), (32.0, 10639.0), (100.0, 25466.0)];
const XC7_THETA: f64 = 6334.0;
const XC7_DEFAULT: f64 = 8150.0;
const ICE40_SEED: f64 = 6154.0;
/// Before the rework: N = 10 and N = 32, the iCE40's only slope.
const ICE40_SEED_BEFORE: [(f64, f64); 2] = [(10.0, 6269.0), (32.0, 11889.0)];
const ICE40_THETA: f64 = 7656.0;
const ECP5_SEED: f64 = 7566.0;
const ECP5_THETA: f64 = 9614.0;
const ECP5_DEFAULT: f64 = 12917.0;
/// The lane machinery per neuron on ECP5, with and beyond homeostasis: the measured lane cores
/// (module documentation) less the estimate of their P-lane cores and memories, over N = 100.
const ECP5_LANE_PER_N: f64 = 37.0;
const ECP5_LANE_THETA_PER_N: f64 = 15.0;
/// Normalization in a lane core on ECP5: the `default` lane core less the homeostasis-only one.
const ECP5_LANE_NORM: f64 = 17281.0 - 15545.0;
/// The N every option's cost was measured at.
const MEASURED_N: f64 = 10.0;
const MARGIN: f64 = 0.08;

fn slope(a: (f64, f64), b: (f64, f64)) -> f64 {
    (b.1 - a.1) / (b.0 - a.0)
}

/// One family's fit.
struct Fit {
    /// The `seed` core at N = 10.
    seed: f64,
    /// LUTs per neuron lane, low and high.
    slope: [f64; 2],
    /// What homeostasis and normalization added at N = 10.
    homeostasis: f64,
    normalization: f64,
    /// P < N: the lane machinery per neuron, what homeostasis adds to it, and normalization
    /// (instead of `normalization`).
    lane_per_n: f64,
    lane_theta_per_n: f64,
    lane_norm: f64,
}

fn fit(target: Target) -> Fit {
    let xc7 = [
        slope(XC7_SEED[1], XC7_SEED[2]),
        slope(XC7_SEED[0], XC7_SEED[1]),
    ];
    let ice40_high = slope(ICE40_SEED_BEFORE[0], ICE40_SEED_BEFORE[1]);
    let ice40 = [ice40_high * xc7[0] / xc7[1], ice40_high];
    let ecp5_norm = ECP5_DEFAULT - ECP5_THETA;
    let lanes = |seed: f64| {
        let scale = seed / ECP5_SEED;
        (
            ECP5_LANE_PER_N * scale,
            ECP5_LANE_THETA_PER_N * scale,
            ECP5_LANE_NORM * scale,
        )
    };
    let (xl, xlt, xln) = lanes(XC7_SEED[0].1);
    let (il, ilt, iln) = lanes(ICE40_SEED);
    match target {
        Target::Xc7a35t => Fit {
            seed: XC7_SEED[0].1,
            slope: xc7,
            homeostasis: XC7_THETA - XC7_SEED[0].1,
            normalization: XC7_DEFAULT - XC7_THETA,
            lane_per_n: xl,
            lane_theta_per_n: xlt,
            lane_norm: xln,
        },
        Target::Ice40Hx8k | Target::Ice40Up5k => Fit {
            seed: ICE40_SEED,
            slope: ice40,
            homeostasis: ICE40_THETA - ICE40_SEED,
            normalization: ecp5_norm * ICE40_SEED / ECP5_SEED,
            lane_per_n: il,
            lane_theta_per_n: ilt,
            lane_norm: iln,
        },
        Target::Ecp5 | Target::Ecp5U85f => Fit {
            seed: ECP5_SEED,
            slope: ice40.map(|s| s * ECP5_SEED / ICE40_SEED),
            homeostasis: ECP5_THETA - ECP5_SEED,
            normalization: ecp5_norm,
            lane_per_n: ECP5_LANE_PER_N,
            lane_theta_per_n: ECP5_LANE_THETA_PER_N,
            lane_norm: ECP5_LANE_NORM,
        },
    }
}

impl LutRange {
    /// The range for `p` on `target`; `extra` LUTs (memories the measured cores do not have)
    /// are added to both ends.
    pub fn new(target: Target, p: &HwParams, extra: u64) -> Self {
        let f = fit(target);
        let lanes = p.lanes as f64;
        let d = lanes - MEASURED_N;
        let grouped = p.lanes < p.n;
        let (h, nz) = (p.homeostasis as u8 as f64, p.normalization as u8 as f64);
        let options = f.homeostasis * h + f.normalization * nz * !grouped as u8 as f64;
        let scale = lanes / MEASURED_N;
        let grouped = if grouped {
            p.n as f64 * (f.lane_per_n + f.lane_theta_per_n * h) + f.lane_norm * nz
        } else {
            0.0
        };
        let ends = |pick: fn(f64, f64) -> f64| {
            f.seed + pick(d * f.slope[0], d * f.slope[1]) + options * pick(1.0, scale) + grouped
        };
        LutRange {
            low: (ends(f64::min) * (1.0 - MARGIN)).floor() as u64 + extra,
            high: (ends(f64::max) * (1.0 + MARGIN)).ceil() as u64 + extra,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use snn_core::config::SnnConfig;

    fn range(target: Target, cfg: SnnConfig) -> LutRange {
        LutRange::new(target, &HwParams::new(&cfg).unwrap(), 0)
    }

    fn seed(n: usize) -> SnnConfig {
        SnnConfig {
            neurons: n,
            ..SnnConfig::seed()
        }
    }

    fn theta() -> SnnConfig {
        SnnConfig {
            norm_target: 0.0,
            ..SnnConfig::learning()
        }
    }

    /// Every measured count of the module documentation lies in its range.
    #[test]
    fn every_measured_count_is_in_its_range() {
        let cases = [
            (Target::Xc7a35t, seed(10), 5253),
            (Target::Xc7a35t, seed(32), 10639),
            (Target::Xc7a35t, seed(100), 25466),
            (Target::Xc7a35t, theta(), 6334),
            (Target::Xc7a35t, SnnConfig::learning(), 8150),
            (Target::Ice40Hx8k, seed(10), 6154),
            (Target::Ice40Hx8k, seed(10), 6269),
            (Target::Ice40Hx8k, seed(32), 11889),
            (Target::Ice40Hx8k, theta(), 7656),
            (Target::Ice40Up5k, seed(10), 6076),
            (Target::Ice40Up5k, theta(), 7451),
            (Target::Ecp5, seed(10), 7566),
            (Target::Ecp5, seed(10), 7979),
            (Target::Ecp5, theta(), 9614),
            (Target::Ecp5, SnnConfig::learning(), 12917),
            (Target::Ecp5, SnnConfig::learning(), 13844),
        ];
        for (t, cfg, luts) in cases {
            let r = range(t, cfg);
            assert!(r.low <= luts && luts <= r.high, "{t}: {luts} outside {r}");
        }
    }

    /// The three lane cores placed and routed on the ECP5 85F and the one synthesized for the
    /// Artix-7 lie in their estimates (with their memories' LUTs), and a lane core costs less
    /// than one lane per neuron, more than P.
    #[test]
    fn the_measured_lane_cores_are_in_their_ranges() {
        let lanes = |cfg: SnnConfig| SnnConfig {
            neurons: 100,
            lanes: Some(10),
            ..cfg
        };
        let arty = SnnConfig {
            neurons: 200,
            lanes: Some(20),
            ..SnnConfig::learning()
        };
        let cores = [
            (Target::Ecp5U85f, lanes(seed(100)), 11809),
            (Target::Ecp5U85f, lanes(theta()), 15545),
            (Target::Ecp5U85f, lanes(SnnConfig::learning()), 17281),
            (Target::Xc7a35t, arty, 18541),
        ];
        for (t, cfg, luts) in cores {
            let e = crate::fit::Estimate::new(t, &HwParams::new(&cfg).unwrap());
            assert!(
                e.luts.low <= luts && luts <= e.luts.high,
                "{luts} outside {}",
                e.luts
            );
        }
        let p10 = range(Target::Ecp5, seed(10));
        let l = range(Target::Ecp5, lanes(seed(100)));
        assert!(p10.high < l.low && l.high < range(Target::Ecp5, seed(100)).low);
        let with_state = LutRange::new(Target::Ecp5, &HwParams::new(&seed(10)).unwrap(), 500);
        assert_eq!(with_state.low, p10.low + 500);
    }
}
