//! `ClassWalk`: a walk over the period classes spiking at successive steps, the part that
//! control (the threshold pass and Int) and stdp (the STDP walk over `m`) share: the step
//! counters, the classes of the step not yet visited (`pend`; stdp's `spend`), their next value,
//! and the class whose list the next cycle reads (`class_next`).
//!
//! spike_gen keeps the lists in block RAM, read one cycle ahead, so the class of the next
//! cycle (the lowest of `pend` after the edge) must be known before the edge. It is chosen among
//! candidates computed from the registers in parallel (the lowest class of `pend`, of `pend`
//! without its lowest bit, of the next step's mask) by the commands that decide `pend`'s next
//! value, in this one block: that kept the list-follow test off the path through a priority
//! encoder into the RAMs' address (docs/ARCHITECTURE.md, "How the RTL realises this").
//!
//! Commands (at most one per cycle):
//! - `load`: counters `r_in`, `q_in` and `pend = mask_in` (a step begins: `t = 1`, a walk's
//!   first `m`);
//! - `sweep` (Thresh): visit the lowest class; the step's last class also advances;
//! - `walk` (Int, Stdp; stage A): follow the list (`follow`), else visit the lowest class, else
//!   the step is `done` and, if `more`, advance;
//! - `pop` (Fire going on to the next step): visit the lowest class.
//!
//! An advance loads `pend` with the next step's mask when `gate` (stdp: the step is inside the
//! STDP window), else with nothing. `pop_next` asks for `class_next` as if popping: Fire
//! presents the next step's first class before its decision is known (after Wta or End nothing
//! reads the lists, so the guess costs nothing when wrong).

use crate::counters::{defaults, ClassMask, Look, StepCtr};
use crate::lowest::{Base, LowestClass};
use crate::neuron::many;
use rust_hdl::prelude::*;
use snn_arch::widths::{CLASS_BITS, MASK_BITS, RESIDUE_BITS, STEP_BITS};
use snn_arch::HwParams;

#[derive(LogicBlock)]
pub struct ClassWalk {
    pub clock: Signal<In, Clock>,
    pub load: Signal<In, Bit>,
    pub r_in: Vec<Signal<In, Bits<RESIDUE_BITS>>>,
    pub q_in: Vec<Signal<In, Bits<STEP_BITS>>>,
    pub mask_in: Signal<In, Bits<MASK_BITS>>,
    pub sweep: Signal<In, Bit>,
    pub walk: Signal<In, Bit>,
    /// A read was issued last cycle and its node has a successor: stage A follows the list.
    pub follow: Signal<In, Bit>,
    /// A walk whose step is done goes on to the next step.
    pub more: Signal<In, Bit>,
    pub pop: Signal<In, Bit>,
    pub pop_next: Signal<In, Bit>,
    /// An advance loads the next step's classes (else none).
    pub gate: Signal<In, Bit>,
    /// The classes of the current step not yet visited (bit `k - 1` for multiple `k`).
    pub pend: Signal<Out, Bits<MASK_BITS>>,
    /// `walk` found nothing left of the step (and advances if `more`).
    pub done: Signal<Out, Bit>,
    /// The lowest class of `pend` after this edge, for the list RAMs' read address.
    pub class_next: Signal<Out, Bits<CLASS_BITS>>,
    ctr: StepCtr,
    ahead: ClassMask,
    pend_r: DFF<Bits<MASK_BITS>>,
    /// The candidates of `class_next`.
    low_hold: LowestClass,
    low_rest: LowestClass,
    low_adv: LowestClass,
    /// `pend` without its lowest bit.
    rest: Signal<Local, Bits<MASK_BITS>>,
    /// This edge visits the lowest class / advances the counters.
    take: Signal<Local, Bit>,
    adv: Signal<Local, Bit>,
    /// `class_next`, chosen (the output is assigned once, see `crate::core`).
    cls: Signal<Local, Bits<CLASS_BITS>>,
    _k: usize,
    /// Control with lane groups only (each vector empty otherwise): `restart` = the walk (or
    /// the Fire cycle before it) is for a group that is not the last, so a completion starts
    /// the same step over (`pend` = the step's classes without the lowest, taken at once)
    /// instead of advancing, and the class read next, wherever the walk may complete in the
    /// next cycle, is the lowest of the step's mask. `now_any`: the step has a class.
    pub restart: Vec<Signal<In, Bit>>,
    pub now_any: Vec<Signal<Out, Bit>>,
    /// The step's classes (`pend` as the step began), and without the lowest.
    now: Vec<DFF<Bits<MASK_BITS>>>,
    now_rest: Vec<Signal<Local, Bits<MASK_BITS>>>,
    _r: usize,
}

impl ClassWalk {
    pub fn new(p: &HwParams) -> Self {
        Self::with_restart(p, false)
    }

    /// With `restart` (control's walk with lane groups).
    pub fn with_restart(p: &HwParams, restart: bool) -> Self {
        let r = usize::from(restart);
        ClassWalk {
            restart: many(r),
            now_any: many(r),
            now: many(r),
            now_rest: many(r),
            _r: r,
            clock: Default::default(),
            load: Default::default(),
            r_in: defaults(p.k),
            q_in: defaults(p.k),
            mask_in: Default::default(),
            sweep: Default::default(),
            walk: Default::default(),
            follow: Default::default(),
            more: Default::default(),
            pop: Default::default(),
            pop_next: Default::default(),
            gate: Default::default(),
            pend: Default::default(),
            done: Default::default(),
            class_next: Default::default(),
            ctr: StepCtr::new(p),
            ahead: ClassMask::new(p, Look::Ahead),
            pend_r: Default::default(),
            low_hold: LowestClass::new(p, Base::Same),
            low_rest: LowestClass::new(p, Base::Same),
            low_adv: LowestClass::new(p, Base::Next),
            rest: Default::default(),
            take: Default::default(),
            adv: Default::default(),
            cls: Default::default(),
            _k: p.k,
        }
    }
}

impl Logic for ClassWalk {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, pend_r);
        self.ctr.clock.next = self.clock.val();
        for k in 0..self._k {
            self.ctr.r_in[k].next = self.r_in[k].val();
            self.ctr.q_in[k].next = self.q_in[k].val();
            self.ahead.r[k].next = self.ctr.r[k].val();
            self.ahead.q[k].next = self.ctr.q[k].val();
            self.low_hold.q[k].next = self.ctr.q[k].val();
            self.low_rest.q[k].next = self.ctr.q[k].val();
            self.low_adv.q[k].next = self.ctr.q[k].val();
        }
        self.pend.next = self.pend_r.q.val();
        self.rest.next = self.pend_r.q.val() & (self.pend_r.q.val() - 1);
        self.low_hold.mask.next = self.pend_r.q.val();
        self.low_rest.mask.next = self.rest.val();
        self.low_adv.mask.next = self.ahead.mask.val();
        for z in 0..self._r {
            self.now[z].clock.next = self.clock.val();
            self.now_any[z].next = self.now[z].q.val().any();
            self.now_rest[z].next = self.now[z].q.val() & (self.now[z].q.val() - 1);
            if self.restart[z].val() {
                if !self.pend_r.q.val().any() {
                    self.low_hold.mask.next = self.now[z].q.val();
                    self.low_rest.mask.next = self.now_rest[z].val();
                    if !self.now_rest[z].val().any() {
                        self.low_rest.mask.next = self.now[z].q.val();
                    }
                } else if !self.rest.val().any() {
                    self.low_rest.mask.next = self.now[z].q.val();
                }
            }
        }

        // The next value of `pend` and the counters.
        self.take.next = (self.sweep.val() & self.rest.val().any())
            | (self.walk.val() & !self.follow.val())
            | self.pop.val();
        self.adv.next = (self.sweep.val() & !self.rest.val().any())
            | (self.walk.val() & !self.follow.val() & !self.pend_r.q.val().any() & self.more.val());
        if self.take.val() {
            self.pend_r.d.next = self.rest.val();
        }
        if self.adv.val() {
            self.pend_r.d.next = 0.into();
            if self.gate.val() {
                self.pend_r.d.next = self.ahead.mask.val();
            }
        }
        for z in 0..self._r {
            if self.walk.val()
                & !self.follow.val()
                & !self.pend_r.q.val().any()
                & self.restart[z].val()
            {
                self.pend_r.d.next = self.now_rest[z].val();
            }
        }
        if self.load.val() {
            self.pend_r.d.next = self.mask_in.val();
        }
        // The step's classes: what an advance or a load gives `pend`.
        for z in 0..self._r {
            self.now[z].d.next = self.now[z].q.val();
            if self.adv.val() {
                self.now[z].d.next = 0.into();
                if self.gate.val() {
                    self.now[z].d.next = self.ahead.mask.val();
                }
            }
            if self.load.val() {
                self.now[z].d.next = self.mask_in.val();
            }
        }
        self.ctr.load.next = self.load.val();
        self.ctr.advance.next = self.adv.val();

        // Outputs others use in this cycle: from registers and inputs only, with no local of
        // the next-state logic above (see `crate::core`).
        self.done.next = self.walk.val() & !self.follow.val() & !self.pend_r.q.val().any();
        self.cls.next = self.low_hold.cls.val();
        if self.walk.val() & !self.follow.val() {
            self.cls.next = self.low_adv.cls.val();
            if self.pend_r.q.val().any() {
                self.cls.next = self.low_rest.cls.val();
            }
        }
        if self.sweep.val() {
            self.cls.next = self.low_adv.cls.val();
            if (self.pend_r.q.val() & (self.pend_r.q.val() - 1)).any() {
                self.cls.next = self.low_rest.cls.val();
            }
        }
        if self.pop_next.val() {
            self.cls.next = self.low_rest.cls.val();
        }
        for z in 0..self._r {
            if self.walk.val()
                & !self.follow.val()
                & !self.pend_r.q.val().any()
                & self.restart[z].val()
            {
                self.cls.next = self.low_rest.cls.val();
            }
        }
        self.class_next.next = self.cls.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testing::{lint_and_synth, tick};
    use snn_arch::{FsmState, StepCounters};
    use snn_core::config::SnnConfig;
    use snn_sim::control::{Control as Model, FireAction};

    fn clk(u: &mut ClassWalk, clk: bool) {
        u.clock.next = Clock { clk };
    }

    /// Drives the block as control does, beside the cycle model's control (`snn_sim::control`)
    /// through a threshold pass (`sweep`), Int steps whose lists are random lengths (`walk`,
    /// `follow`) and the Fire cycles between them (`pop`), with the lists' heads stubbed: after
    /// every edge `pend` is the model's, and the class read in each cycle is the lowest of the
    /// model's `pend` then (the class whose head the model reads).
    #[test]
    fn walks_like_the_models_control() {
        let p = HwParams::new(&SnnConfig::default()).unwrap();
        let mut uut = ClassWalk::new(&p);
        uut.connect_all();
        let mut model = Model::new();
        let one = StepCounters::one();
        let idle = |u: &mut ClassWalk| {
            for s in [
                &mut u.load,
                &mut u.sweep,
                &mut u.walk,
                &mut u.pop,
                &mut u.pop_next,
            ] {
                s.next = false;
            }
            u.follow.next = false;
            u.more.next = true;
            u.gate.next = true;
        };
        idle(&mut uut);
        uut.load.next = true;
        for k in 0..p.k {
            uut.r_in[k].next = (one.r[k] as u64).into();
            uut.q_in[k].next = (one.q[k] as u64).into();
        }
        uut.mask_in.next = p.mask_one.into();
        tick(&mut uut, clk);
        model.state = FsmState::Drain;
        model.drain(true, &p);
        // Every class is listed with a count: `head` is a stub, nil for odd classes.
        let head: Vec<u32> = (0..p.nc as u32)
            .map(|c| if c % 2 == 1 { p.nil } else { c })
            .collect();
        let count = vec![1; p.nc];
        let mut rng = snn_testkit::Lcg::new(99);
        let mut class_read = None;
        let mut edges = 0;
        loop {
            idle(&mut uut);
            let pend = model.pend;
            let want_read = (pend != 0).then(|| model.ctr.class(pend.trailing_zeros(), &p));
            match model.state {
                FsmState::Thresh => {
                    uut.sweep.next = true;
                    model.thresh(&count, &p);
                }
                FsmState::Divide => {
                    // The divider's last cycle: Int at t = 1 (control presents class_one).
                    uut.load.next = true;
                    (model.state, model.t, model.ctr) = (FsmState::Int, 1, one);
                    (model.pend, model.rd_valid) = (p.mask_one, false);
                }
                FsmState::Int => {
                    // A list node read last cycle has a successor one time in four.
                    let next_q = if model.rd_valid && rng.next_u64() >> 62 == 0 {
                        0
                    } else {
                        p.nil
                    };
                    uut.walk.next = true;
                    uut.follow.next = next_q != p.nil;
                    model.int(next_q, &head, &p);
                }
                FsmState::Fire => {
                    uut.pop_next.next = true;
                    if model.t == p.t_steps {
                        break;
                    }
                    uut.pop.next = true;
                    model.fire(FireAction::Next, &head, false, &p);
                }
                s => panic!("unexpected state {s:?}"),
            }
            // The head the model read this cycle is that of the class presented last cycle.
            if let (Some(c), Some(read)) = (want_read, class_read) {
                assert_eq!(read, c, "class read, edge {edges}");
            }
            assert!(simulate(&mut uut, 1000));
            class_read = (!uut.load.val()).then(|| uut.class_next.val().index());
            tick(&mut uut, clk);
            assert_eq!(
                uut.pend.val().to_u64(),
                model.pend,
                "pend after edge {edges}"
            );
            edges += 1;
        }
        assert!(edges > 2 * p.t_steps as usize, "{edges} edges");
    }

    #[test]
    fn class_walk_synthesizes_without_latches() {
        let p = HwParams::new(&SnnConfig::default()).unwrap();
        lint_and_synth(&mut ClassWalk::new(&p), "class_walk");
    }
}
