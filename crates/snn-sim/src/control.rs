//! control: the FSM of docs/ARCHITECTURE.md ("Control FSM, cycle by cycle"), the step counters
//! and class masks, the threshold pass, the divider and stage A of Int.
//!
//! `Control::next` is pure: from the current registers and this cycle's inputs it computes every
//! register's next value (the wide counter banks as the select of their input mux, [`CtrOp`]) and
//! the commands the other blocks obey this cycle; `commit` is the clock edge.

use crate::neuron::NeuronCmd;
use crate::params::{HwParams, MAX_K};
use crate::spike_gen::SgCmd;
use crate::stdp::StdpOut;
use crate::wta::WtaOut;
use serde::Serialize;

/// FSM states, with the 4-bit encoding the RTL uses (`state as u8`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[repr(u8)]
pub enum FsmState {
    Idle = 0,
    Ingest = 1,
    Drain = 2,
    Thresh = 3,
    Divide = 4,
    Int = 5,
    Fire = 6,
    Wta = 7,
    Stdp = 8,
    StdpDrain = 9,
    End = 10,
    Pen = 11,
    PenDrain = 12,
    Done = 13,
}

impl FsmState {
    pub const ALL: [FsmState; 14] = [
        FsmState::Idle,
        FsmState::Ingest,
        FsmState::Drain,
        FsmState::Thresh,
        FsmState::Divide,
        FsmState::Int,
        FsmState::Fire,
        FsmState::Wta,
        FsmState::Stdp,
        FsmState::StdpDrain,
        FsmState::End,
        FsmState::Pen,
        FsmState::PenDrain,
        FsmState::Done,
    ];

    /// The name used in the doc, the VCD and the RTL's localparams.
    pub fn name(self) -> &'static str {
        match self {
            FsmState::Idle => "Idle",
            FsmState::Ingest => "Ingest",
            FsmState::Drain => "Drain",
            FsmState::Thresh => "Thresh",
            FsmState::Divide => "Divide",
            FsmState::Int => "Int",
            FsmState::Fire => "Fire",
            FsmState::Wta => "Wta",
            FsmState::Stdp => "Stdp",
            FsmState::StdpDrain => "StdpDrain",
            FsmState::End => "End",
            FsmState::Pen => "Pen",
            FsmState::PenDrain => "PenDrain",
            FsmState::Done => "Done",
        }
    }
}

/// Divisibility counters of a step value `x`: `r[k-1] = x mod k`, `q[k-1] = x div k` for
/// `k = 1..=K` (entries past `K` are unused). They replace a divider: the set of period classes
/// spiking at `x` is read off them ([`StepCounters::mask`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepCounters {
    pub r: [u32; MAX_K],
    pub q: [u32; MAX_K],
}

impl StepCounters {
    /// The counters of `x = 1`.
    pub fn one() -> Self {
        let mut c = StepCounters { r: [1; MAX_K], q: [0; MAX_K] };
        c.r[0] = 0;
        c.q[0] = 1;
        c
    }

    /// `x -> x + 1`: `r' = (r + 1 == k) ? 0 : r + 1`, `q' = q + (r + 1 == k)`.
    pub fn advance(&mut self, p: &HwParams) {
        for i in 0..p.k {
            let r1 = self.r[i] + 1;
            let wrap = r1 == i as u32 + 1;
            self.r[i] = if wrap { 0 } else { r1 };
            self.q[i] += wrap as u32;
        }
    }

    /// Bit `k - 1` is set when `x` is the `k`-th multiple of a period that spikes
    /// (`r[k] == 0` and `lo <= q[k] <= hiT`): class `q[k] - lo` spikes at `x`.
    pub fn mask(&self, p: &HwParams) -> u64 {
        let mut mask = 0u64;
        for i in 0..p.k {
            if self.r[i] == 0 && self.q[i] >= p.lo && self.q[i] <= p.hi_t {
                mask |= 1 << i;
            }
        }
        mask
    }

    /// `mask(x + 1)`, from the counters of `x` (the value loaded together with an advance).
    pub fn mask_advanced(&self, p: &HwParams) -> u64 {
        let mut mask = 0u64;
        for i in 0..p.k {
            if self.r[i] + 1 == i as u32 + 1 {
                let q = self.q[i] + 1;
                if q >= p.lo && q <= p.hi_t {
                    mask |= 1 << i;
                }
            }
        }
        mask
    }

    /// The class selected by mask bit `bit` (= `k - 1`): `q[k] - lo`.
    pub fn class(&self, bit: u32, p: &HwParams) -> usize {
        (self.q[bit as usize] - p.lo) as usize
    }
}

/// Input mux of a counter bank.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CtrOp {
    Hold,
    /// Load the counters of `x = 1`.
    One,
    /// `x -> x + 1`.
    Advance,
}

impl CtrOp {
    fn apply(self, c: &mut StepCounters, p: &HwParams) {
        match self {
            CtrOp::Hold => {}
            CtrOp::One => *c = StepCounters::one(),
            CtrOp::Advance => c.advance(p),
        }
    }
}

/// What the Fire cycle does, decided from the neurons' comparators (ARCHITECTURE step 7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FireAction {
    /// No winner yet and some `shown[j] > thr`: scan for the winner, fire nothing.
    Wta,
    /// Learning and some neuron fires: walk STDP.
    Stdp,
    /// Last step.
    End,
    /// `t = t + 1` and select the first class of the new step.
    Next,
}

/// Inputs of control in one cycle.
#[derive(Clone, Copy, Debug)]
pub struct ControlIn<'a> {
    /// Host `start` pulse with its `learn` bit (only looked at in Idle).
    pub start: Option<bool>,
    /// spike_gen: the scan is at its last position (Ingest) or last drain cycle (Drain).
    pub scan_last: bool,
    /// spike_gen: list heads and counts per class.
    pub head: &'a [u32],
    pub count: &'a [u32],
    /// next_mem read data (the node read last cycle).
    pub next_q: u32,
    /// The Fire decision (state Fire only).
    pub fire: Option<FireAction>,
    /// wta: whether this Wta cycle is the last of the scan, and the winner it chose.
    pub wta: WtaOut,
    /// wta: the winner register is valid.
    pub winner_valid: bool,
    /// stdp: stage A's status this cycle.
    pub stdp: StdpOut,
}

/// Commands and ports driven by control in one cycle.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ControlOut {
    /// Address presented to weight_mem and next_mem by stage A of Int (or by Fire for the next step).
    pub rd: Option<u32>,
    pub neuron: NeuronCmd,
    pub sg: SgCmd,
    /// The `done` port (state Done): `cycles + 1`, this cycle included.
    pub done: Option<u32>,
}

/// Next values of control's registers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ControlNext {
    pub state: FsmState,
    pub cycles: u32,
    pub learn: bool,
    pub t: u32,
    pub ctr: CtrOp,
    pub pend: u64,
    pub acc: u32,
    pub peak: u32,
    pub rem: u32,
    pub quo: u32,
    pub bit: u32,
    pub thr: i32,
    pub rd_valid: bool,
    pub lag_m: u32,
    pub lag: CtrOp,
}

/// The registers of control.
#[derive(Clone, Debug, PartialEq)]
pub struct Control {
    pub state: FsmState,
    /// Cycles of this image spent outside Idle (32-bit, wraps).
    pub cycles: u32,
    pub learn: bool,
    /// Current step.
    pub t: u32,
    /// `r[k], q[k]`: counters of `t` (of `t + 1` between the last Int cycle and Fire).
    pub ctr: StepCounters,
    /// Classes of the current step not yet selected (bit `k - 1` for multiple `k`).
    pub pend: u64,
    /// Threshold pass: running count of the current step and the peak so far.
    pub acc: u32,
    pub peak: u32,
    /// Divider: remainder, quotient, index of the dividend bit shifted in next.
    pub rem: u32,
    pub quo: u32,
    pub bit: u32,
    /// Threshold of the current image.
    pub thr: i32,
    /// A weight_mem/next_mem read was issued by Int stage A last cycle.
    pub rd_valid: bool,
    /// `lag_m = max(1, t - whi)` and its counters: the first `m` of an STDP walk at step `t`.
    pub lag_m: u32,
    pub lag: StepCounters,
}

/// Result of Int stage A (shared by Int and by Fire, which selects the next step's first class).
struct Issue {
    rd: Option<u32>,
    pend: u64,
    /// Nothing left to issue: the step's integration completes in this cycle.
    complete: bool,
}

impl Control {
    pub fn new() -> Self {
        Control {
            state: FsmState::Idle,
            cycles: 0,
            learn: false,
            t: 0,
            ctr: StepCounters::one(),
            pend: 0,
            acc: 0,
            peak: 0,
            rem: 0,
            quo: 0,
            bit: 0,
            thr: 0,
            rd_valid: false,
            lag_m: 1,
            lag: StepCounters::one(),
        }
    }

    /// The Fire cycle's decision (ARCHITECTURE step 7) from the neurons' comparators:
    /// `above` = some `shown[j] > thr`, `spikes` = the neurons with `pot >= thr`.
    pub fn fire_action(&self, winner_valid: bool, above: bool, spikes: u64, p: &HwParams) -> FireAction {
        if !winner_valid && above {
            FireAction::Wta
        } else if self.learn && spikes != 0 {
            FireAction::Stdp
        } else if self.t == p.t_steps {
            FireAction::End
        } else {
            FireAction::Next
        }
    }

    /// Stage A: follow the list being walked, else select the lowest pending class and read its
    /// head (unless `NIL`), else report completion.
    fn issue(&self, rd_valid: bool, pend: u64, next_q: u32, head: &[u32], p: &HwParams) -> Issue {
        if rd_valid && next_q != p.nil {
            return Issue { rd: Some(next_q), pend, complete: false };
        }
        if pend != 0 {
            let bit = pend.trailing_zeros();
            let h = head[self.ctr.class(bit, p)];
            let rd = (h != p.nil).then_some(h);
            return Issue { rd, pend: pend & (pend - 1), complete: false };
        }
        Issue { rd: None, pend, complete: true }
    }

    /// One cycle of control: next register values and this cycle's commands.
    pub fn next(&self, inp: &ControlIn, p: &HwParams) -> (ControlNext, ControlOut) {
        let mut n = ControlNext {
            state: self.state,
            cycles: if self.state == FsmState::Idle { self.cycles } else { self.cycles.wrapping_add(1) },
            learn: self.learn,
            t: self.t,
            ctr: CtrOp::Hold,
            pend: self.pend,
            acc: self.acc,
            peak: self.peak,
            rem: self.rem,
            quo: self.quo,
            bit: self.bit,
            thr: self.thr,
            rd_valid: self.rd_valid,
            lag_m: self.lag_m,
            lag: CtrOp::Hold,
        };
        let mut out = ControlOut { rd: None, neuron: NeuronCmd::Hold, sg: SgCmd::Hold, done: None };
        match self.state {
            FsmState::Idle => {
                if let Some(learn) = inp.start {
                    n.state = FsmState::Ingest;
                    n.cycles = 0;
                    n.learn = learn;
                    out.neuron = NeuronCmd::Reset;
                    out.sg = SgCmd::Start;
                }
            }
            FsmState::Ingest => {
                out.sg = SgCmd::Ingest;
                if inp.scan_last {
                    n.state = FsmState::Drain;
                }
            }
            FsmState::Drain => {
                out.sg = SgCmd::Drain;
                if inp.scan_last {
                    n.state = FsmState::Thresh;
                    n.t = 1;
                    n.ctr = CtrOp::One;
                    n.pend = StepCounters::one().mask(p);
                    n.acc = 0;
                    n.peak = 0;
                }
            }
            FsmState::Thresh => {
                let mut advance = true;
                let mut v = 0;
                if self.pend != 0 {
                    let bit = self.pend.trailing_zeros();
                    v = self.acc + inp.count[self.ctr.class(bit, p)];
                    let rest = self.pend & (self.pend - 1);
                    if rest != 0 {
                        advance = false;
                        n.acc = v;
                        n.pend = rest;
                    }
                }
                if advance {
                    n.peak = self.peak.max(v);
                    n.acc = 0;
                    n.t = self.t + 1;
                    n.ctr = CtrOp::Advance;
                    n.pend = self.ctr.mask_advanced(p);
                    if self.t == p.t_steps {
                        n.state = FsmState::Divide;
                        n.rem = 0;
                        n.quo = 0;
                        n.bit = p.qb - 1;
                    }
                }
            }
            FsmState::Divide => {
                let f = p.format.frac_bits;
                let b = if self.bit >= f { (self.peak >> (self.bit - f)) & 1 } else { 0 };
                let r2 = (self.rem << 1) | b;
                let (rem, qbit) = if r2 >= p.threshold_divisor { (r2 - p.threshold_divisor, 1) } else { (r2, 0) };
                n.rem = rem;
                n.quo = (self.quo << 1) | qbit;
                if self.bit == 0 {
                    n.state = FsmState::Int;
                    n.thr = n.quo as i32;
                    n.t = 1;
                    n.ctr = CtrOp::One;
                    n.pend = StepCounters::one().mask(p);
                    n.rd_valid = false;
                    n.lag_m = 1;
                    n.lag = CtrOp::One;
                } else {
                    n.bit = self.bit - 1;
                }
            }
            FsmState::Int => {
                let is = self.issue(self.rd_valid, self.pend, inp.next_q, inp.head, p);
                out.neuron = NeuronCmd::Int { t: self.t, add: self.rd_valid, complete: is.complete };
                out.rd = is.rd;
                n.rd_valid = is.rd.is_some();
                n.pend = is.pend;
                if is.complete {
                    n.ctr = CtrOp::Advance;
                    n.pend = self.ctr.mask_advanced(p);
                    n.state = FsmState::Fire;
                }
            }
            FsmState::Fire => {
                let action = inp.fire.expect("the Fire decision is an input in state Fire");
                if action != FireAction::Wta {
                    out.neuron = NeuronCmd::Fire { t: self.t, thr: self.thr };
                }
                match action {
                    FireAction::Wta => n.state = FsmState::Wta,
                    FireAction::Stdp => n.state = FsmState::Stdp,
                    FireAction::End => n.state = FsmState::End,
                    FireAction::Next => {
                        self.next_step(&mut n, p);
                        // The counters already hold t + 1 (advanced in the last Int cycle).
                        let is = self.issue(false, self.pend, inp.next_q, inp.head, p);
                        out.rd = is.rd;
                        n.rd_valid = is.rd.is_some();
                        n.pend = is.pend;
                        n.state = FsmState::Int;
                    }
                }
            }
            FsmState::Wta => {
                if inp.wta.last {
                    out.neuron = NeuronCmd::Inhibit { winner: inp.wta.winner };
                    n.state = FsmState::Fire;
                }
            }
            FsmState::Stdp => {
                if inp.stdp.walk_done {
                    n.state = FsmState::StdpDrain;
                }
            }
            FsmState::StdpDrain => {
                if inp.stdp.more {
                    n.state = FsmState::Stdp;
                } else if self.t == p.t_steps {
                    n.state = FsmState::End;
                } else {
                    self.next_step(&mut n, p);
                    n.rd_valid = false;
                    n.state = FsmState::Int;
                }
            }
            FsmState::End => {
                n.state = if self.learn && inp.winner_valid { FsmState::Pen } else { FsmState::Done };
            }
            FsmState::Pen => {
                if inp.stdp.pen_done {
                    n.state = FsmState::PenDrain;
                }
            }
            FsmState::PenDrain => n.state = FsmState::Done,
            FsmState::Done => {
                out.done = Some(n.cycles);
                n.state = FsmState::Idle;
            }
        }
        (n, out)
    }

    /// `t = t + 1`; the lag counters follow once `t - whi >= 1` for the new step
    /// (i.e. when the old `t >= whi + 1`).
    fn next_step(&self, n: &mut ControlNext, p: &HwParams) {
        n.t = self.t + 1;
        if self.t > p.whi {
            n.lag_m = self.lag_m + 1;
            n.lag = CtrOp::Advance;
        }
    }

    /// The clock edge.
    pub fn commit(&mut self, n: ControlNext, p: &HwParams) {
        self.state = n.state;
        self.cycles = n.cycles;
        self.learn = n.learn;
        self.t = n.t;
        n.ctr.apply(&mut self.ctr, p);
        self.pend = n.pend;
        self.acc = n.acc;
        self.peak = n.peak;
        self.rem = n.rem;
        self.quo = n.quo;
        self.bit = n.bit;
        self.thr = n.thr;
        self.rd_valid = n.rd_valid;
        self.lag_m = n.lag_m;
        n.lag.apply(&mut self.lag, p);
    }
}

impl Default for Control {
    fn default() -> Self {
        Control::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use snn_core::config::SnnConfig;

    fn params() -> HwParams {
        HwParams::new(&SnnConfig::default()).unwrap()
    }

    fn idle_inputs<'a>(head: &'a [u32], count: &'a [u32]) -> ControlIn<'a> {
        ControlIn {
            start: None,
            scan_last: false,
            head,
            count,
            next_q: 0,
            fire: None,
            wta: WtaOut::default(),
            winner_valid: false,
            stdp: StdpOut::default(),
        }
    }

    #[test]
    fn counters_give_the_classes_spiking_at_every_step() {
        let p = params();
        let mut c = StepCounters::one();
        for x in 1..=p.t_steps {
            let mut want = 0u64;
            for k in 1..=p.k as u32 {
                let per = x / k;
                if x % k == 0 && per >= p.lo && per <= p.hi_t {
                    want |= 1 << (k - 1);
                }
            }
            assert_eq!(c.mask(&p), want, "x = {x}");
            let ahead = c.mask_advanced(&p);
            c.advance(&p);
            assert_eq!(ahead, c.mask(&p), "x = {x} + 1");
        }
    }

    #[test]
    fn divider_gives_the_floored_threshold_in_qb_cycles() {
        let p = params();
        let head = vec![p.nil; p.nc];
        let count = vec![0; p.nc];
        for peak in [0u32, 1, 2, 3, 299, 784] {
            let mut c = Control::new();
            c.state = FsmState::Divide;
            c.peak = peak;
            c.bit = p.qb - 1;
            let mut cycles = 0;
            while c.state == FsmState::Divide {
                let (n, _) = c.next(&idle_inputs(&head, &count), &p);
                c.commit(n, &p);
                cycles += 1;
            }
            assert_eq!(cycles, p.qb);
            assert_eq!(c.thr, p.format.threshold(peak), "peak {peak}");
            assert_eq!((c.state, c.t, c.lag_m, c.pend), (FsmState::Int, 1, 1, 0));
        }
    }

    #[test]
    fn thresh_visits_exactly_the_step_class_pairs_and_finds_the_peak() {
        let cfg = SnnConfig { t_steps: 130, ..SnnConfig::default() };
        let p = HwParams::new(&cfg).unwrap();
        let head = vec![p.nil; p.nc];
        // Class c holds c % 5 inputs: the peak is the largest sum over one step's classes.
        let count: Vec<u32> = (0..p.nc as u32).map(|c| c % 5).collect();
        let mut c = Control::new();
        c.state = FsmState::Drain;
        let mut inp = idle_inputs(&head, &count);
        inp.scan_last = true;
        let (n, _) = c.next(&inp, &p);
        c.commit(n, &p);
        let inp = idle_inputs(&head, &count);
        let mut visited = Vec::new();
        let mut cycles = 0;
        while c.state == FsmState::Thresh {
            if c.pend != 0 {
                visited.push((c.t, c.pend.trailing_zeros() + 1));
            }
            let (n, _) = c.next(&inp, &p);
            c.commit(n, &p);
            cycles += 1;
        }
        let mut want = Vec::new();
        let mut want_cycles = 0;
        let mut want_peak = 0;
        for t in 1..=p.t_steps {
            let mut per_step = 0;
            let mut sum = 0;
            for k in 1..=p.k as u32 {
                if t % k == 0 && (p.lo..=p.hi_t).contains(&(t / k)) {
                    want.push((t, k));
                    per_step += 1;
                    sum += count[(t / k - p.lo) as usize];
                }
            }
            want_cycles += per_step.max(1);
            want_peak = want_peak.max(sum);
        }
        assert_eq!(visited, want);
        assert_eq!(cycles, want_cycles);
        assert_eq!(c.peak, want_peak);
        assert_eq!((c.state, c.bit), (FsmState::Divide, p.qb - 1));
    }

    #[test]
    fn state_names_and_codes_are_distinct() {
        for (i, s) in FsmState::ALL.iter().enumerate() {
            assert_eq!(*s as usize, i);
            assert!(FsmState::ALL.iter().filter(|o| o.name() == s.name()).count() == 1);
        }
    }
}
