//! The step counters and their class masks (docs/ARCHITECTURE.md, "Class masks";
//! `snn_arch::StepCounters`), written once for the three banks of the core: control's counters
//! of `t` and of `lag_m`, and stdp's counters of the walk step `m`.
//!
//! [`StepCtr`] holds `r[k] = x mod k`, `q[k] = x div k` (`k = 1..=K`, at index `k - 1`) and
//! loads or advances them; [`ClassMask`] reads the classes spiking at `x` (or at `x + 1`, the
//! mask loaded together with an advance) off them, one constant comparison per counter.

use crate::cmp::AtLeast;
use rust_hdl::prelude::*;
use snn_arch::widths::{MASK_BITS, RESIDUE_BITS, STEP_BITS};
use snn_arch::HwParams;

/// `n` default values: the signals and registers of a per-counter (or per-class) vector.
pub(crate) fn defaults<T: Default>(n: usize) -> Vec<T> {
    (0..n).map(|_| T::default()).collect()
}

/// The counters of a step value `x`.
#[derive(LogicBlock)]
pub struct StepCtr {
    pub clock: Signal<In, Clock>,
    /// Load the counters of another step value, `r_in` and `q_in`.
    pub load: Signal<In, Bit>,
    pub r_in: Vec<Signal<In, Bits<RESIDUE_BITS>>>,
    pub q_in: Vec<Signal<In, Bits<STEP_BITS>>>,
    /// `x -> x + 1`: `r' = (r + 1 == k) ? 0 : r + 1`, `q' = q + (r + 1 == k)`.
    pub advance: Signal<In, Bit>,
    pub r: Vec<Signal<Out, Bits<RESIDUE_BITS>>>,
    pub q: Vec<Signal<Out, Bits<STEP_BITS>>>,
    r_r: Vec<DFF<Bits<RESIDUE_BITS>>>,
    q_r: Vec<DFF<Bits<STEP_BITS>>>,
    /// `k - 1` per counter: the residue that wraps.
    kwrap: Vec<Constant<Bits<RESIDUE_BITS>>>,
    _k: usize,
}

impl StepCtr {
    pub fn new(p: &HwParams) -> Self {
        snn_arch::limits::assert_rtl(p);
        let k = p.k;
        StepCtr {
            clock: Default::default(),
            load: Default::default(),
            r_in: defaults(k),
            q_in: defaults(k),
            advance: Default::default(),
            r: defaults(k),
            q: defaults(k),
            r_r: defaults(k),
            q_r: defaults(k),
            kwrap: (0..k)
                .map(|i| Constant::new(Bits::<RESIDUE_BITS>::from(i as u64)))
                .collect(),
            _k: k,
        }
    }
}

impl Logic for StepCtr {
    #[hdl_gen]
    fn update(&mut self) {
        for k in 0..self._k {
            self.r_r[k].clock.next = self.clock.val();
            self.q_r[k].clock.next = self.clock.val();
            self.r_r[k].d.next = self.r_r[k].q.val();
            self.q_r[k].d.next = self.q_r[k].q.val();
            self.r[k].next = self.r_r[k].q.val();
            self.q[k].next = self.q_r[k].q.val();
            if self.advance.val() {
                if self.r_r[k].q.val() == self.kwrap[k].val() {
                    self.r_r[k].d.next = 0.into();
                    self.q_r[k].d.next = self.q_r[k].q.val() + 1;
                } else {
                    self.r_r[k].d.next = self.r_r[k].q.val() + 1;
                }
            }
            if self.load.val() {
                self.r_r[k].d.next = self.r_in[k].val();
                self.q_r[k].d.next = self.q_in[k].val();
            }
        }
    }
}

/// Which step's classes a [`ClassMask`] shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Look {
    /// `mask(x)`: bit `k - 1` when `r[k] == 0` and `lo <= q[k] <= hiT`
    /// (`snn_arch::StepCounters::mask`).
    Now,
    /// `mask(x + 1)` from the counters of `x`: bit `k - 1` when `r[k] == k - 1` and
    /// `lo - 1 <= q[k] < hiT` (`snn_arch::StepCounters::mask_next`).
    Ahead,
}

/// The classes spiking at the step value of a [`StepCtr`]'s counters (or at the next one).
#[derive(LogicBlock)]
pub struct ClassMask {
    pub r: Vec<Signal<In, Bits<RESIDUE_BITS>>>,
    pub q: Vec<Signal<In, Bits<STEP_BITS>>>,
    pub mask: Signal<Out, Bits<MASK_BITS>>,
    /// The residue of a multiple (`0`, or `k - 1` one step ahead).
    rsel: Vec<Constant<Bits<RESIDUE_BITS>>>,
    /// `q[k] >= lo` and `q[k] >= hiT + 1` (one less ahead): the quotient's class spikes.
    q_ge_lo: Vec<AtLeast<STEP_BITS>>,
    q_ge_hi: Vec<AtLeast<STEP_BITS>>,
    kbit: Vec<Constant<Bits<MASK_BITS>>>,
    /// Per `k`: its bit, and the OR of the bits up to it (the last is the mask).
    kb: Vec<Signal<Local, Bits<MASK_BITS>>>,
    acc: Vec<Signal<Local, Bits<MASK_BITS>>>,
    _k: usize,
    /// `K - 1`: the loop `for k in _k1.._k` visits only the last counter.
    _k1: usize,
}

impl ClassMask {
    pub fn new(p: &HwParams, look: Look) -> Self {
        snn_arch::limits::assert_rtl(p);
        let k = p.k;
        let ahead = (look == Look::Ahead) as u64;
        ClassMask {
            r: defaults(k),
            q: defaults(k),
            mask: Default::default(),
            rsel: (0..k)
                .map(|i| Constant::new(Bits::<RESIDUE_BITS>::from(i as u64 * ahead)))
                .collect(),
            q_ge_lo: (0..k).map(|_| AtLeast::new(p.lo as u64 - ahead)).collect(),
            q_ge_hi: (0..k)
                .map(|_| AtLeast::new(p.hi_t as u64 + 1 - ahead))
                .collect(),
            kbit: (0..k)
                .map(|i| Constant::new(Bits::<MASK_BITS>::from(1u64 << i)))
                .collect(),
            kb: defaults(k),
            acc: defaults(k),
            _k: k,
            _k1: k - 1,
        }
    }
}

impl Logic for ClassMask {
    #[hdl_gen]
    fn update(&mut self) {
        for k in 0..self._k {
            self.q_ge_lo[k].x.next = self.q[k].val();
            self.q_ge_hi[k].x.next = self.q[k].val();
            self.kb[k].next = 0.into();
            if (self.r[k].val() == self.rsel[k].val())
                & self.q_ge_lo[k].ge.val()
                & !self.q_ge_hi[k].ge.val()
            {
                self.kb[k].next = self.kbit[k].val();
            }
        }
        self.acc[0].next = self.kb[0].val();
        for k in 1..self._k {
            self.acc[k].next = self.acc[k - 1].val() | self.kb[k].val();
        }
        for k in self._k1..self._k {
            self.mask.next = self.acc[k].val();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testing::{lint_and_synth, tick};
    use snn_arch::StepCounters;
    use snn_core::config::SnnConfig;

    /// A bank and both masks of it, as the core wires them.
    #[derive(LogicBlock)]
    struct Bank {
        clock: Signal<In, Clock>,
        load: Signal<In, Bit>,
        r_in: Vec<Signal<In, Bits<RESIDUE_BITS>>>,
        q_in: Vec<Signal<In, Bits<STEP_BITS>>>,
        advance: Signal<In, Bit>,
        r: Vec<Signal<Out, Bits<RESIDUE_BITS>>>,
        q: Vec<Signal<Out, Bits<STEP_BITS>>>,
        mask_now: Signal<Out, Bits<MASK_BITS>>,
        mask_ahead: Signal<Out, Bits<MASK_BITS>>,
        ctr: StepCtr,
        m_now: ClassMask,
        m_ahead: ClassMask,
        _k: usize,
    }

    impl Bank {
        fn new(p: &HwParams) -> Self {
            let k = p.k;
            Bank {
                clock: Default::default(),
                load: Default::default(),
                r_in: defaults(k),
                q_in: defaults(k),
                advance: Default::default(),
                r: defaults(k),
                q: defaults(k),
                mask_now: Default::default(),
                mask_ahead: Default::default(),
                ctr: StepCtr::new(p),
                m_now: ClassMask::new(p, Look::Now),
                m_ahead: ClassMask::new(p, Look::Ahead),
                _k: p.k,
            }
        }
    }

    impl Logic for Bank {
        #[hdl_gen]
        fn update(&mut self) {
            self.ctr.clock.next = self.clock.val();
            self.ctr.load.next = self.load.val();
            self.ctr.advance.next = self.advance.val();
            for k in 0..self._k {
                self.ctr.r_in[k].next = self.r_in[k].val();
                self.ctr.q_in[k].next = self.q_in[k].val();
                self.m_now.r[k].next = self.ctr.r[k].val();
                self.m_now.q[k].next = self.ctr.q[k].val();
                self.m_ahead.r[k].next = self.ctr.r[k].val();
                self.m_ahead.q[k].next = self.ctr.q[k].val();
                self.r[k].next = self.ctr.r[k].val();
                self.q[k].next = self.ctr.q[k].val();
            }
            self.mask_now.next = self.m_now.mask.val();
            self.mask_ahead.next = self.m_ahead.mask.val();
        }
    }

    fn clk(u: &mut Bank, clk: bool) {
        u.clock.next = Clock { clk };
    }

    /// Loads and advances in lockstep with `snn_arch::StepCounters` over whole images (every
    /// step value `1..=T + 1`, reloads at random points): the counters and both masks agree
    /// after every edge, for the default and a short configuration.
    #[test]
    fn bank_and_masks_step_like_the_cycle_model() {
        for cfg in [
            SnnConfig::default(),
            SnnConfig {
                t_steps: 60,
                ..SnnConfig::small()
            },
        ] {
            let p = HwParams::new(&cfg).unwrap();
            let mut uut = Bank::new(&p);
            uut.connect_all();
            let mut model = StepCounters::one();
            let load = |uut: &mut Bank, c: &StepCounters| {
                uut.load.next = true;
                for k in 0..p.k {
                    uut.r_in[k].next = (c.r[k] as u64).into();
                    uut.q_in[k].next = (c.q[k] as u64).into();
                }
            };
            load(&mut uut, &model);
            tick(&mut uut, clk);
            let mut rng = snn_testkit::Lcg::new(12345);
            for edge in 0..3 * p.t_steps {
                let s = rng.next_u64();
                uut.load.next = false;
                uut.advance.next = false;
                if s >> 60 == 0 {
                    // Reload the counters of a random step value (as a walk starts at lag_m).
                    model = StepCounters::at(1 + (s >> 20) as u32 % p.t_steps, &p);
                    load(&mut uut, &model);
                } else if model.q[0] <= p.t_steps {
                    uut.advance.next = true;
                    model.advance(&p);
                }
                tick(&mut uut, clk);
                let r: Vec<u32> = uut.r.iter().map(|x| x.val().to_u64() as u32).collect();
                let q: Vec<u32> = uut.q.iter().map(|x| x.val().to_u64() as u32).collect();
                assert_eq!(
                    (&r[..], &q[..]),
                    (&model.r[..p.k], &model.q[..p.k]),
                    "edge {edge}"
                );
                assert_eq!(
                    uut.mask_now.val().to_u64(),
                    model.mask(&p),
                    "mask, edge {edge}"
                );
                assert_eq!(
                    uut.mask_ahead.val().to_u64(),
                    model.mask_next(&p),
                    "ahead, edge {edge}"
                );
            }
        }
    }

    #[test]
    fn bank_synthesizes_without_latches() {
        let p = HwParams::new(&SnnConfig::default()).unwrap();
        lint_and_synth(&mut Bank::new(&p), "bank");
    }
}
