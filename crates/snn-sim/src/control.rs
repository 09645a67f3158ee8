//! control: the FSM of docs/ARCHITECTURE.md ("Control FSM, cycle by cycle"), the step counters
//! and class masks, the threshold pass, the divider and stage A of Int.
//!
//! One method per state, each one clock edge of control's registers.

use crate::mask::NeuronMask;
pub use snn_arch::codes::FsmState;
use snn_arch::counters::StepCounters;
use snn_arch::HwParams;

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
    /// Lane groups (`G > 1`): the group Int walks, or the position in a pass (Bias, Fire,
    /// Done's theta pass); 0 otherwise.
    pub group: u32,
    /// A Fire pass's decision, taken in its first cycle: the spikes and the action of its last.
    pub fire_spikes: NeuronMask,
    pub fire_action: FireAction,
    /// A layer fed by spike_mem (layers >= 2): the inputs of the current step not yet selected
    /// (a spike_mem word, which replaces `pend` and the class lists); empty otherwise.
    pub pend_in: NeuronMask,
}

/// Stage A of Int in one cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Issue {
    /// Address presented to weight_mem and next_mem.
    pub rd: Option<u32>,
    /// `pend` after this cycle's selection.
    pub pend: u64,
    /// Nothing left to issue: the step's integration completes in this cycle.
    pub complete: bool,
}

/// The transfers of each state (ARCHITECTURE "Control FSM, cycle by cycle"), one method per
/// state, each one clock edge of control's registers: every new value is computed from the
/// current registers and the inputs (sampled from the other blocks before any of them is
/// clocked), then written. `Machine` calls the method of the current state.
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
            group: 0,
            fire_spikes: NeuronMask::EMPTY,
            fire_action: FireAction::Next,
            pend_in: NeuronMask::EMPTY,
        }
    }

    /// `cycles` counts every cycle outside Idle.
    #[inline(always)]
    fn count_cycle(&mut self) {
        self.cycles = self.cycles.wrapping_add(1);
    }

    /// Idle with the host's `start` pulse (and its `learn` bit).
    #[inline]
    pub fn idle(&mut self, learn: bool) {
        self.state = FsmState::Ingest;
        self.cycles = 0;
        self.learn = learn;
    }

    /// A layer fed by spike_mem: the edge that ends the layer below (its Done) starts this
    /// layer's image at Divide with spike_mem's `peak`, there being no image to scan and no
    /// class to count.
    pub fn start_replay(&mut self, learn: bool, peak: u32, p: &HwParams) {
        self.state = FsmState::Divide;
        self.cycles = 0;
        self.learn = learn;
        (self.acc, self.peak) = (0, peak);
        (self.rem, self.quo, self.bit) = (0, 0, p.qb - 1);
    }

    /// Ingest: until spike_gen's scan reaches its last position.
    #[inline(always)]
    pub fn ingest(&mut self, scan_last: bool) {
        self.count_cycle();
        if scan_last {
            self.state = FsmState::Drain;
        }
    }

    /// The `n` edges of a whole Ingest phase and Drain (from the first Ingest edge): what
    /// [`Control::ingest`] and [`Control::drain`] do over them.
    #[inline]
    pub fn scan_edges(&mut self, n: u64, p: &HwParams) {
        self.cycles = self.cycles.wrapping_add(n as u32 - 1);
        self.drain(true, p);
    }

    /// Drain; leaving it starts the threshold pass at `t = 1`.
    #[inline(always)]
    pub fn drain(&mut self, scan_last: bool, p: &HwParams) {
        self.count_cycle();
        if scan_last {
            self.state = FsmState::Thresh;
            self.t = 1;
            self.ctr = StepCounters::one();
            self.pend = p.mask_one;
            self.acc = 0;
            self.peak = 0;
        }
    }

    /// Thresh: one `(t, k)` pair per cycle; `count` is spike_gen's per-class count.
    #[inline(always)]
    pub fn thresh(&mut self, count: &[u32], p: &HwParams) {
        self.count_cycle();
        let mut v = 0;
        if self.pend != 0 {
            v = self.acc + count[self.ctr.class(self.pend.trailing_zeros(), p)];
            let rest = self.pend & (self.pend - 1);
            if rest != 0 {
                self.acc = v;
                self.pend = rest;
                return;
            }
        }
        self.peak = self.peak.max(v);
        self.acc = 0;
        self.pend = self.ctr.advance(p);
        if self.t == p.t_steps {
            self.state = FsmState::Divide;
            self.rem = 0;
            self.quo = 0;
            self.bit = p.qb - 1;
        }
        self.t += 1;
    }

    /// The whole threshold pass from its first cycle (`t = 1`, as Drain leaves it): what the
    /// [`Control::thresh`] edges leave, `peak` the largest sum over a step's classes, computed
    /// step by step instead of per `(t, k)` pair. Returns the number of edges.
    pub fn thresh_pass(&mut self, count: &[u32], p: &HwParams) -> u64 {
        debug_assert!(self.state == FsmState::Thresh && self.t == 1 && self.acc == 0);
        let mut edges = 0;
        for t in 1..=p.t_steps {
            let (mut sum, mut pairs) = (0, 0);
            let mut bits = p.masks[t as usize];
            while bits != 0 {
                let k = bits.trailing_zeros() + 1;
                sum += count[(t / k - p.lo) as usize];
                pairs += 1;
                bits &= bits - 1;
            }
            self.peak = self.peak.max(sum);
            edges += pairs.max(1);
        }
        self.cycles = self.cycles.wrapping_add(edges as u32);
        self.t = p.t_steps + 1;
        self.ctr = StepCounters::at(self.t, p);
        self.pend = p.masks[self.t as usize];
        self.state = FsmState::Divide;
        self.rem = 0;
        self.quo = 0;
        self.bit = p.qb - 1;
        edges
    }

    /// Divide: one restoring-division step of `peak << F` by the divisor; leaving it starts Int
    /// at `t = 1` (through Bias with homeostasis).
    #[inline(always)]
    pub fn divide(&mut self, p: &HwParams) {
        self.count_cycle();
        let f = p.format.frac_bits;
        let b = if self.bit >= f {
            (self.peak >> (self.bit - f)) & 1
        } else {
            0
        };
        let r2 = (self.rem << 1) | b;
        let qbit = r2 >= p.threshold_divisor;
        self.rem = if qbit { r2 - p.threshold_divisor } else { r2 };
        self.quo = (self.quo << 1) | qbit as u32;
        if self.bit == 0 {
            // With homeostasis the Bias cycle loads the neurons' own thresholds first.
            self.state = if p.homeostasis {
                FsmState::Bias
            } else {
                FsmState::Int
            };
            self.thr = self.quo as i32;
            self.t = 1;
            self.ctr = StepCounters::one();
            self.pend = p.mask_one;
            self.rd_valid = false;
            self.lag_m = 1;
            self.lag = StepCounters::one();
        } else {
            self.bit -= 1;
        }
    }

    /// Bias (homeostasis only, one cycle per lane group `group`): the neurons load `thr +
    /// theta[j]`; then Int, whose registers Divide's last cycle set.
    #[inline]
    pub fn bias(&mut self, p: &HwParams) {
        self.count_cycle();
        if self.pass_next(p) {
            self.state = FsmState::Int;
        }
    }

    /// One cycle of a pass over the lane groups: `group` moves to the next one, or back to 0
    /// after the last (returned: the pass is over).
    #[inline]
    fn pass_next(&mut self, p: &HwParams) -> bool {
        let last = self.group as usize + 1 >= p.groups;
        self.group = if last { 0 } else { self.group + 1 };
        last
    }

    /// Stage A from the pending classes `pend` of the step whose counters are `ctr`: follow the
    /// list being walked, else select the lowest pending class and read its head (unless `NIL`),
    /// else report completion.
    #[inline(always)]
    pub fn issue(
        pend: u64,
        ctr: &StepCounters,
        rd_valid: bool,
        next_q: u32,
        head: &[u32],
        p: &HwParams,
    ) -> Issue {
        if rd_valid && next_q != p.nil {
            return Issue {
                rd: Some(next_q),
                pend,
                complete: false,
            };
        }
        if pend != 0 {
            let h = head[ctr.class(pend.trailing_zeros(), p)];
            let rd = if h != p.nil { Some(h) } else { None };
            return Issue {
                rd,
                pend: pend & (pend - 1),
                complete: false,
            };
        }
        Issue {
            rd: None,
            pend,
            complete: true,
        }
    }

    /// Int: stage A (the neurons do stage B: add the word read last cycle when `rd_valid`, and
    /// when `complete` leak and publish).
    #[inline(always)]
    pub fn int(&mut self, next_q: u32, head: &[u32], p: &HwParams) -> Issue {
        self.count_cycle();
        let mut is = Self::issue(self.pend, &self.ctr, self.rd_valid, next_q, head, p);
        self.rd_valid = is.rd.is_some();
        self.pend = is.pend;
        if is.complete {
            if self.pass_next(p) {
                self.pend = self.ctr.advance(p);
                self.state = FsmState::Fire;
            } else {
                // The next lane group walks the same step: its first class is selected now.
                let first = Self::issue(self.ctr.mask(p), &self.ctr, false, 0, head, p);
                (is.rd, self.rd_valid, self.pend) = (first.rd, first.rd.is_some(), first.pend);
            }
        }
        is
    }

    /// The `n` edges of one step's Int at once, stage A's register values of the edges before
    /// the completing one being immaterial (that edge empties `pend` and clears `rd_valid`):
    /// what the completing edge of [`Control::int`] leaves, the cycles counted.
    #[inline]
    pub fn int_edges(&mut self, n: u64, p: &HwParams) {
        self.cycles = self.cycles.wrapping_add(n as u32);
        self.rd_valid = false;
        self.pend = self.ctr.advance(p);
        self.state = FsmState::Fire;
    }

    /// Int of a layer fed by spike_mem: stage A reads the lowest input left of the step
    /// (`pend_in`; an input is its own one-node list), and none left completes the group: the
    /// next group starts over on the step's word `now` with its first input selected in the same
    /// cycle, the last goes to Fire with `pend_in` = word `t + 1` (`next`).
    #[inline]
    pub fn int_replay(&mut self, now: NeuronMask, next: NeuronMask, p: &HwParams) -> Issue {
        self.count_cycle();
        let mut rd = self.pend_in.pop_lowest();
        let complete = rd.is_none();
        if complete {
            if self.pass_next(p) {
                self.pend_in = next;
                self.state = FsmState::Fire;
            } else {
                self.pend_in = now;
                rd = self.pend_in.pop_lowest();
            }
        }
        self.rd_valid = rd.is_some();
        Issue {
            rd,
            pend: self.pend,
            complete,
        }
    }

    /// The Fire cycle's decision (ARCHITECTURE step 7) from the neurons' comparators:
    /// `above` = some `shown[j] > thr`, `spikes` = the neurons with `pot >= thr`.
    #[inline]
    pub fn fire_action(
        &self,
        winner_valid: bool,
        above: bool,
        spikes: NeuronMask,
        p: &HwParams,
    ) -> FireAction {
        if !winner_valid && above {
            FireAction::Wta
        } else if self.learn && !spikes.is_empty() {
            FireAction::Stdp
        } else if self.t == p.t_steps {
            FireAction::End
        } else {
            FireAction::Next
        }
    }

    /// The first cycle of a Fire pass over `G > 1` lane groups: the decision is kept for the
    /// pass's last cycle ([`Control::fire`]), each cycle fires one group.
    #[inline]
    pub fn fire_pass_start(&mut self, action: FireAction, spikes: NeuronMask) {
        self.count_cycle();
        (self.fire_action, self.fire_spikes, self.group) = (action, spikes, 1);
    }

    /// A cycle of a Fire pass that is neither its first nor its last.
    #[inline]
    pub fn fire_pass(&mut self, p: &HwParams) {
        self.count_cycle();
        self.group += 1;
        debug_assert!((self.group as usize) < p.groups);
    }

    /// Done's theta pass (homeostasis with lane groups, learning): a cycle that is not the
    /// last, which updates group `group`.
    #[inline]
    pub fn theta_pass(&mut self) {
        self.count_cycle();
        self.group += 1;
    }

    /// Sum (normalization with lane groups): until the walk of the winner's row has added its
    /// last word.
    #[inline]
    pub fn sum(&mut self, last: bool) {
        self.count_cycle();
        if last {
            self.state = FsmState::NormMul;
        }
    }

    /// Fire (or the last cycle of a Fire pass); for [`FireAction::Next`] also stage A of the
    /// next step's first cycle (the counters and `pend` already hold `t + 1`). Returns the
    /// address read, if any. A layer fed by spike_mem (`replay`) selects its next step's first
    /// input from `pend_in`.
    #[inline(always)]
    pub fn fire(
        &mut self,
        action: FireAction,
        head: &[u32],
        replay: bool,
        p: &HwParams,
    ) -> Option<u32> {
        self.count_cycle();
        self.group = 0;
        match action {
            FireAction::Wta => self.state = FsmState::Wta,
            FireAction::Stdp => self.state = FsmState::Stdp,
            FireAction::End => self.state = FsmState::End,
            FireAction::Next => {
                let rd = if replay {
                    self.pend_in.pop_lowest()
                } else {
                    let is = Self::issue(self.pend, &self.ctr, false, 0, head, p);
                    self.pend = is.pend;
                    is.rd
                };
                self.next_step(p);
                self.rd_valid = rd.is_some();
                self.state = FsmState::Int;
                return rd;
            }
        }
        None
    }

    /// Wta: back to Fire after the scan's last cycle.
    #[inline]
    pub fn wta(&mut self, last: bool) {
        self.count_cycle();
        if last {
            self.state = FsmState::Fire;
        }
    }

    /// Stdp: until the walk of the current neuron is done.
    #[inline]
    pub fn stdp(&mut self, walk_done: bool) {
        self.count_cycle();
        if walk_done {
            self.state = FsmState::StdpDrain;
        }
    }

    /// StdpDrain: the next neuron's walk (`more`), or the next step, or End.
    #[inline]
    pub fn stdp_drain(&mut self, more: bool, p: &HwParams) {
        self.count_cycle();
        if more {
            self.state = FsmState::Stdp;
        } else if self.t == p.t_steps {
            self.state = FsmState::End;
        } else {
            self.next_step(p);
            self.rd_valid = false;
            self.state = FsmState::Int;
        }
    }

    /// End: learning with a winner, the penalty walk, or with normalization NormMul (the sweep
    /// of the next image applies the penalty), after the Sum walk with lane groups or in a
    /// layer fed by spikes (`replay`); else Done.
    #[inline]
    pub fn end(&mut self, winner_valid: bool, replay: bool, p: &HwParams) {
        self.count_cycle();
        self.state = match (self.learn && winner_valid, p.normalization) {
            (false, _) => FsmState::Done,
            (true, false) => FsmState::Pen,
            (true, true) if p.groups > 1 || replay => FsmState::Sum,
            (true, true) => FsmState::NormMul,
        };
    }

    /// Pen: until the silent list ends.
    #[inline]
    pub fn pen(&mut self, pen_done: bool) {
        self.count_cycle();
        if pen_done {
            self.state = FsmState::PenDrain;
        }
    }

    /// PenDrain: one cycle (stage C of the last node).
    #[inline]
    pub fn pen_drain(&mut self) {
        self.count_cycle();
        self.state = FsmState::Done;
    }

    /// NormMul: `RB` cycles, until stdp's product is complete; then Done, or in a layer fed by
    /// spikes (`replay`) the Rewrite walk.
    #[inline]
    pub fn norm_mul(&mut self, last: bool, replay: bool) {
        self.count_cycle();
        if last {
            self.state = if replay {
                FsmState::Rewrite
            } else {
                FsmState::Done
            };
        }
    }

    /// Rewrite (a layer fed by spikes, normalization): until the walk has written the winner's
    /// row's last word.
    #[inline]
    pub fn rewrite(&mut self, last: bool) {
        self.count_cycle();
        if last {
            self.state = FsmState::Done;
        }
    }

    /// Done: back to Idle; returns the `done` port's cycle count (this cycle included).
    #[inline]
    pub fn done(&mut self) -> u32 {
        self.count_cycle();
        self.group = 0;
        self.state = FsmState::Idle;
        self.cycles
    }

    /// `t = t + 1`; the lag counters follow once `t - whi >= 1` for the new step
    /// (i.e. when the old `t >= whi + 1`).
    #[inline(always)]
    fn next_step(&mut self, p: &HwParams) {
        if self.t > p.whi {
            self.lag_m += 1;
            self.lag.advance(p);
        }
        self.t += 1;
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

    #[test]
    fn divider_gives_the_floored_threshold_in_qb_cycles() {
        let p = params();
        for peak in [0u32, 1, 2, 3, 299, 784] {
            let mut c = Control::new();
            c.state = FsmState::Divide;
            c.peak = peak;
            c.bit = p.qb - 1;
            let mut cycles = 0;
            while c.state == FsmState::Divide {
                c.divide(&p);
                cycles += 1;
            }
            assert_eq!(cycles, p.qb);
            assert_eq!(c.thr, p.format.threshold(peak), "peak {peak}");
            assert_eq!(
                (c.state, c.t, c.lag_m, c.pend, c.cycles),
                (FsmState::Int, 1, 1, 0, p.qb)
            );
        }
    }

    #[test]
    fn thresh_visits_exactly_the_step_class_pairs_and_finds_the_peak() {
        let cfg = SnnConfig {
            t_steps: 130,
            ..SnnConfig::default()
        };
        let p = HwParams::new(&cfg).unwrap();
        // Class c holds c % 5 inputs: the peak is the largest sum over one step's classes.
        let count: Vec<u32> = (0..p.nc as u32).map(|c| c % 5).collect();
        let mut c = Control::new();
        c.state = FsmState::Drain;
        c.drain(true, &p);
        let mut visited = Vec::new();
        let mut cycles = 0;
        while c.state == FsmState::Thresh {
            if c.pend != 0 {
                visited.push((c.t, c.pend.trailing_zeros() + 1));
            }
            c.thresh(&count, &p);
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
    fn int_walks_lists_then_completes_and_fire_selects_the_next_step() {
        // Step t = 60 of the default configuration: periods 60 (k = 1) and 30 (k = 2) spike.
        // Class of period 60 holds inputs 7 -> 4, class of period 30 is empty.
        let p = params();
        let mut head = vec![p.nil; p.nc];
        head[30] = 7;
        let next_mem = |i: u32| if i == 7 { 4 } else { p.nil };
        let mut c = Control::new();
        c.state = FsmState::Int;
        c.t = 60;
        for _ in 1..60 {
            c.ctr.advance(&p);
        }
        c.pend = c.ctr.mask(&p);
        assert_eq!(c.pend, 0b11);
        let mut reads = Vec::new();
        let mut next_q = 0;
        while c.state == FsmState::Int {
            if let Some(a) = c.int(next_q, &head, &p).rd {
                reads.push(a);
                next_q = next_mem(a);
            }
        }
        // Two nodes, one empty class, the completing cycle: n + z + 1 = 4 cycles.
        assert_eq!((reads, c.cycles), (vec![7, 4], 4));
        assert_eq!((c.t, c.pend), (60, c.ctr.mask(&p)));
        let rd = c.fire(FireAction::Next, &head, false, &p);
        assert_eq!(
            (c.state, c.t, rd, c.rd_valid),
            (FsmState::Int, 61, None, false)
        );
    }
}
