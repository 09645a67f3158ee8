//! neuron's homeostasis (SPEC section 10, docs/ARCHITECTURE.md "neuron" and steps 5, 8, 12): the
//! adaptive thresholds `theta[j]` and each neuron's threshold of the image `thr_j[j]`, with the
//! host's read/write port and the read mux wta scans (`snn_sim::neuron::Neurons`'s `theta`,
//! `thr_j`, `load_thresholds`, `update_theta`, `wta_value`).
//!
//! Built only with homeostasis (`theta_max > 0`). Its two transfers are combinational blocks,
//! [`ThetaBias`] (Bias: `thr_j = thr + theta` and the reset comparators) and [`ThetaUpdate`]
//! (Done: theta moves), so that the one-lane-per-neuron array wraps them in a [`ThetaCell`] of
//! registers per neuron and the lane state (`crate::lanes::LaneState`) in its lane cells,
//! around a memory of the groups' thetas. The neurons then compare against `thr_j` (and the
//! reset comparators `p_rest >= thr_j`, `p_min >= thr_j`) instead of the shared `thr`.
//!
//! `thr_j` keeps `PB` bits: `snn_core::fixed` proves `thr + theta_max` (at most
//! `threshold_max + theta_max`) inside the potential range, so it is a non-negative `PB`-bit
//! two's-complement value compared like `thr` (offset binary).

use crate::neuron::flipped;
use rust_hdl::prelude::*;
use snn_arch::HwParams;

/// Width of the theta update `theta - theta_minus + theta_plus` before the clamp: its bit
/// `UPD_BITS - 1` is the sign (every operand is below `2^31`).
const UPD_BITS: usize = 32;

/// Bias's transfer of one neuron: its threshold of the image and the spike comparator's value
/// after a reset to `p_rest` or to `p_min` (combinational).
#[derive(LogicBlock)]
pub struct ThetaBias<const PB: usize, const TB: usize> {
    pub thr: Signal<In, Bits<PB>>,
    pub theta: Signal<In, Bits<TB>>,
    /// `thr + theta`; `p_rest >= thr_j`, `p_min >= thr_j`.
    pub thr_j: Signal<Out, Bits<PB>>,
    pub rest_fires: Signal<Out, Bit>,
    pub min_fires: Signal<Out, Bit>,
    /// `thr_j` in offset binary.
    sum_f: Signal<Local, Bits<PB>>,
    sign: Constant<Bits<PB>>,
    p_rest_f: Constant<Bits<PB>>,
    p_min_f: Constant<Bits<PB>>,
}

impl<const PB: usize, const TB: usize> ThetaBias<PB, TB> {
    pub fn new(p: &HwParams) -> Self {
        let f = &p.format;
        assert!(p.homeostasis, "theta is built with homeostasis only");
        assert_eq!(f.theta_bits as usize, TB, "theta width");
        assert!(TB < PB && PB < UPD_BITS, "theta narrower than a potential");
        ThetaBias {
            thr: Default::default(),
            theta: Default::default(),
            thr_j: Default::default(),
            rest_fires: Default::default(),
            min_fires: Default::default(),
            sum_f: Default::default(),
            sign: Constant::new(Bits::<PB>::from(1u64 << (PB - 1))),
            p_rest_f: Constant::new(flipped::<PB>(f.p_rest as i64)),
            p_min_f: Constant::new(flipped::<PB>(f.p_min as i64)),
        }
    }
}

impl<const PB: usize, const TB: usize> Logic for ThetaBias<PB, TB> {
    #[hdl_gen]
    fn update(&mut self) {
        self.thr_j.next = self.thr.val() + bit_cast::<PB, TB>(self.theta.val());
        self.sum_f.next = (self.thr.val() + bit_cast::<PB, TB>(self.theta.val())) ^ self.sign.val();
        self.rest_fires.next = self.p_rest_f.val() >= self.sum_f.val();
        self.min_fires.next = self.p_min_f.val() >= self.sum_f.val();
    }
}

/// Done's transfer of one neuron's theta in a training image:
/// `min(max(theta - theta_minus + (theta_plus if won), 0), theta_max)` (combinational).
#[derive(LogicBlock)]
pub struct ThetaUpdate<const TB: usize> {
    pub theta: Signal<In, Bits<TB>>,
    pub won: Signal<In, Bit>,
    pub theta_n: Signal<Out, Bits<TB>>,
    /// Before the clamp.
    upd: Signal<Local, Bits<UPD_BITS>>,
    upd_sign: Constant<Bits<UPD_BITS>>,
    plus: Constant<Bits<UPD_BITS>>,
    minus: Constant<Bits<UPD_BITS>>,
    max_u: Constant<Bits<UPD_BITS>>,
    max_t: Constant<Bits<TB>>,
}

impl<const TB: usize> ThetaUpdate<TB> {
    pub fn new(p: &HwParams) -> Self {
        let f = &p.format;
        assert!(p.homeostasis, "theta is built with homeostasis only");
        assert_eq!(f.theta_bits as usize, TB, "theta width");
        assert!(TB < UPD_BITS, "theta narrower than the update");
        ThetaUpdate {
            theta: Default::default(),
            won: Default::default(),
            theta_n: Default::default(),
            upd: Default::default(),
            upd_sign: Constant::new(Bits::<UPD_BITS>::from(1u64 << (UPD_BITS - 1))),
            plus: Constant::new(Bits::<UPD_BITS>::from(f.theta_plus as u64)),
            minus: Constant::new(Bits::<UPD_BITS>::from(f.theta_minus as u64)),
            max_u: Constant::new(Bits::<UPD_BITS>::from(f.theta_max as u64)),
            max_t: Constant::new(Bits::<TB>::from(f.theta_max as u64)),
        }
    }
}

impl<const TB: usize> Logic for ThetaUpdate<TB> {
    #[hdl_gen]
    fn update(&mut self) {
        self.upd.next = bit_cast::<UPD_BITS, TB>(self.theta.val()) - self.minus.val();
        if self.won.val() {
            self.upd.next =
                bit_cast::<UPD_BITS, TB>(self.theta.val()) + self.plus.val() - self.minus.val();
        }
        self.theta_n.next = bit_cast::<TB, UPD_BITS>(self.upd.val());
        if (self.upd.val() & self.upd_sign.val()).any() {
            self.theta_n.next = 0.into();
        } else if self.upd.val() > self.max_u.val() {
            self.theta_n.next = self.max_t.val();
        }
    }
}

/// One neuron's homeostasis registers around its [`ThetaBias`] and [`ThetaUpdate`].
#[derive(LogicBlock)]
pub struct ThetaCell<const PB: usize, const TB: usize> {
    pub clock: Signal<In, Clock>,
    /// Bias: `thr_j = thr + theta` and the reset comparators load.
    pub bias: Signal<In, Bit>,
    /// Done of a training image: `theta` moves (`won`: this neuron is the winner).
    pub update: Signal<In, Bit>,
    pub won: Signal<In, Bit>,
    pub thr: Signal<In, Bits<PB>>,
    /// Host write of `wdata` (decoded for this neuron, Idle only).
    pub we: Signal<In, Bit>,
    pub wdata: Signal<In, Bits<TB>>,
    pub theta: Signal<Out, Bits<TB>>,
    pub thr_j: Signal<Out, Bits<PB>>,
    /// `p_rest >= thr_j`, `p_min >= thr_j`.
    pub rest_fires: Signal<Out, Bit>,
    pub min_fires: Signal<Out, Bit>,
    theta_r: DFFWithInit<Bits<TB>>,
    thr_r: DFF<Bits<PB>>,
    rest_r: DFF<Bit>,
    min_r: DFF<Bit>,
    bias_t: ThetaBias<PB, TB>,
    upd_t: ThetaUpdate<TB>,
}

impl<const PB: usize, const TB: usize> ThetaCell<PB, TB> {
    /// The cell with `theta` starting at `init` (raw).
    pub fn new(p: &HwParams, init: u64) -> Self {
        assert!(
            init <= p.format.theta_max as u64,
            "initial theta above theta_max"
        );
        ThetaCell {
            clock: Default::default(),
            bias: Default::default(),
            update: Default::default(),
            won: Default::default(),
            thr: Default::default(),
            we: Default::default(),
            wdata: Default::default(),
            theta: Default::default(),
            thr_j: Default::default(),
            rest_fires: Default::default(),
            min_fires: Default::default(),
            theta_r: DFFWithInit::new(Bits::<TB>::from(init)),
            thr_r: Default::default(),
            rest_r: Default::default(),
            min_r: Default::default(),
            bias_t: ThetaBias::new(p),
            upd_t: ThetaUpdate::new(p),
        }
    }
}

impl<const PB: usize, const TB: usize> Logic for ThetaCell<PB, TB> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, theta_r, thr_r, rest_r, min_r);
        // Outputs, from registers only.
        self.theta.next = self.theta_r.q.val();
        self.thr_j.next = self.thr_r.q.val();
        self.rest_fires.next = self.rest_r.q.val();
        self.min_fires.next = self.min_r.q.val();
        self.bias_t.thr.next = self.thr.val();
        self.bias_t.theta.next = self.theta_r.q.val();
        if self.bias.val() {
            self.thr_r.d.next = self.bias_t.thr_j.val();
            self.rest_r.d.next = self.bias_t.rest_fires.val();
            self.min_r.d.next = self.bias_t.min_fires.val();
        }
        self.upd_t.theta.next = self.theta_r.q.val();
        self.upd_t.won.next = self.won.val();
        if self.update.val() {
            self.theta_r.d.next = self.upd_t.theta_n.val();
        }
        if self.we.val() {
            self.theta_r.d.next = self.wdata.val();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testing::{lint_and_synth, tick};
    use snn_core::config::SnnConfig;
    use snn_sim::neuron::Neurons as Model;

    const N: usize = 4;
    const PB: usize = 18;
    const TB: usize = 16;

    /// A small configuration with homeostasis (theta_plus 40, theta_minus 3, theta_max 100 raw).
    fn params() -> HwParams {
        let cfg = SnnConfig {
            theta_plus: 40.0 / 128.0,
            theta_minus: 3.0 / 128.0,
            theta_max: 100.0 / 128.0,
            ..SnnConfig::small()
        };
        let p = HwParams::new(&cfg).unwrap();
        assert_eq!(
            (
                p.format.theta_plus,
                p.format.theta_minus,
                p.format.theta_max
            ),
            (40, 3, 100)
        );
        p
    }

    type Cell = ThetaCell<PB, TB>;

    fn tick_all(cells: &mut [Cell]) {
        for c in cells.iter_mut() {
            tick(c, |u: &mut Cell, clk: bool| u.clock.next = Clock { clk });
        }
    }

    /// Host writes, Bias loads and Done updates of N cells against the cycle model's neurons,
    /// over many images with random winners: theta, thr_j and the reset comparators.
    #[test]
    fn theta_cells_follow_the_model_through_writes_bias_and_updates() {
        let p = params();
        let mut cells: Vec<Cell> = (0..N).map(|_| Cell::new(&p, 0)).collect();
        cells.iter_mut().for_each(|c| c.connect_all());
        let mut model = Model::new(&p);
        let mut rng = snn_testkit::rng::XorShift::new(7);
        for (j, c) in cells.iter_mut().enumerate() {
            let v = rng.below(101) as i32;
            c.we.next = true;
            c.wdata.next = (v as u64).into();
            model.set_theta(j, v);
        }
        tick_all(&mut cells);
        cells.iter_mut().for_each(|c| c.we.next = false);
        let (mut low, mut high) = (0, 0);
        for image in 0..300 {
            let thr = rng.below(200) as i32;
            for c in cells.iter_mut() {
                c.thr.next = (thr as u64).into();
                c.bias.next = true;
            }
            tick_all(&mut cells);
            model.load_thresholds(thr);
            let winner = rng.below(N as u64 + 1) as usize;
            for (j, c) in cells.iter_mut().enumerate() {
                let tj = model.thr_j()[j];
                assert_eq!(
                    c.thr_j.val().to_u64() as i32,
                    tj,
                    "thr_j {j}, image {image}"
                );
                assert_eq!(c.rest_fires.val(), p.format.p_rest >= tj);
                assert_eq!(c.min_fires.val(), p.format.p_min >= tj);
                c.bias.next = false;
                c.update.next = true;
                c.won.next = j == winner;
            }
            tick_all(&mut cells);
            model.update_theta((winner < N).then_some(winner as u32), &p);
            for (j, c) in cells.iter_mut().enumerate() {
                c.update.next = false;
                let th = model.theta()[j];
                assert_eq!(
                    c.theta.val().to_u64() as i32,
                    th,
                    "theta {j}, image {image}"
                );
                low += usize::from(th == 0);
                high += usize::from(th == 100);
            }
        }
        assert!(low > 0 && high > 0, "both clamps exercised ({low}, {high})");
    }

    #[test]
    fn theta_cell_synthesizes_without_latches() {
        lint_and_synth(&mut Cell::new(&params(), 5), "theta_cell");
    }
}
