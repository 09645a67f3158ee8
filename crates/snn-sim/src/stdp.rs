//! stdp: the weight-update unit. It walks, for each neuron that fired at step `t`, the steps
//! `m` of the STDP window and the lists of the period classes spiking at each `m` (stage A),
//! computes the update of one lane (stage B: bound distance times lookup table) and writes the
//! word back (stage C). The end-of-image penalty walks the silent list through the same pipeline.
//!
//! With row normalization built it also keeps every row's sum `rsum[j]`: summed from the
//! weight memory during Ingest (while the memory is otherwise idle), then moved by every write
//! of stage C, so that after the penalty the winner's sum is known without a pass; NormMul
//! multiplies `S - rsum[winner]` by the reciprocal of `M`, one bit per cycle, and Norm walks
//! the winner's row through stages B and C adding the step (SPEC section 10).

pub use snn_arch::codes::StdpOp;
use snn_arch::counters::StepCounters;
use snn_arch::{HwParams, MAX_N};

/// What stage A does in one cycle (driven by control from its state).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StdpCmd {
    /// Issue nothing.
    Hold,
    /// Fire with learning: start the walk of the lowest neuron of `spikes`.
    Begin { spikes: u128 },
    /// State Stdp: one step of the walk.
    Walk,
    /// State StdpDrain: start the walk of the next neuron, if any.
    Drain,
    /// State End with a winner: read the head of the silent list.
    PenStart { winner: u32 },
    /// State Pen: follow the silent list.
    PenWalk,
    /// State Norm: the next input of the winner's row.
    NormWalk { winner: u32 },
}

/// Inputs of one cycle.
#[derive(Clone, Copy, Debug)]
pub struct StdpIn<'a> {
    pub cmd: StdpCmd,
    /// control: current step and the lag counters (`lag_m = max(1, t - whi)`).
    pub t: u32,
    pub lag_m: u32,
    pub lag: &'a StepCounters,
    /// spike_gen: list heads.
    pub head: &'a [u32],
    pub head_silent: u32,
    /// next_mem and weight_mem read data (the node read last cycle).
    pub next_q: u32,
    pub word_q: &'a [i32],
}

/// Combinational outputs of one cycle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StdpOut {
    /// Address presented to weight_mem and next_mem by stage A.
    pub rd: Option<u32>,
    /// Stage C writes lane `.1` of word `.0` with value `.2` (the rest of the word is the
    /// `word_c` of before this edge).
    pub write: Option<(u32, u32, i32)>,
    /// Walk: the last `m` of the current neuron finished in this cycle.
    pub walk_done: bool,
    /// Drain: another neuron is to be walked (`stdp_mask != 0`).
    pub more: bool,
    /// PenWalk: the silent list ended.
    pub pen_done: bool,
    /// NormWalk: every input of the winner's row has been read.
    pub norm_done: bool,
}

/// The unit's registers. Data fields of a pipeline stage load only with its valid bit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stdp {
    /// Neuron being walked.
    pub sj: u32,
    /// Step of the window being walked, and its counters `sr[k], sq[k]` (as `sctr.r/q`).
    pub m: u32,
    pub sctr: StepCounters,
    /// Classes of step `m` not yet selected (empty when `|m - t| < wlo`).
    pub spend: u64,
    /// Neurons still to walk after `sj`.
    pub stdp_mask: u128,
    /// Stage B (the word arrives from weight_mem in this stage).
    pub v_b: bool,
    pub op_b: StdpOp,
    pub d_b: u32,
    pub lane_b: u32,
    pub addr_b: u32,
    /// Stage C (write-back).
    pub v_c: bool,
    pub op_c: StdpOp,
    pub lane_c: u32,
    pub addr_c: u32,
    pub word_c: [i32; MAX_N],
    pub w_c: i32,
    pub prod_c: u64,
    /// Row normalization: each row's sum (`RSB` bits, signed).
    pub rsum: [i32; MAX_N],
    /// Ingest's sum pass: next address to read, and a read was issued last cycle.
    pub sum_a: u32,
    pub sum_v: bool,
    /// NormMul: the product `(S - rsum[winner]) * norm_recip` so far, and the multiplier bit.
    pub nm_acc: i64,
    pub nm_bit: u32,
    /// The normalization step of this image, and Norm's next address.
    pub delta: i32,
    pub norm_a: u32,
}

impl Stdp {
    pub fn new() -> Self {
        Stdp {
            sj: 0,
            m: 0,
            sctr: StepCounters::one(),
            spend: 0,
            stdp_mask: 0,
            v_b: false,
            op_b: StdpOp::Pot,
            d_b: 0,
            lane_b: 0,
            addr_b: 0,
            v_c: false,
            op_c: StdpOp::Pot,
            lane_c: 0,
            addr_c: 0,
            word_c: [0; MAX_N],
            w_c: 0,
            prod_c: 0,
            rsum: [0; MAX_N],
            sum_a: 0,
            sum_v: false,
            nm_acc: 0,
            nm_bit: 0,
            delta: 0,
            norm_a: 0,
        }
    }

    /// Whether a read of `addr` now would miss a write still in the pipeline (a design hazard).
    #[inline]
    pub fn in_flight(&self, addr: u32) -> bool {
        (self.v_b && self.addr_b == addr) || (self.v_c && self.addr_c == addr)
    }

    /// Stage C's new lane value.
    #[inline]
    pub fn stage_c_value(&self, p: &HwParams) -> i32 {
        Self::written(self.op_c, self.w_c, self.prod_c, self.delta, p)
    }

    /// Stage C's value from lane `w`, stage B's product and (Norm) the step `delta`.
    #[inline(always)]
    fn written(op: StdpOp, w: i32, prod: u64, delta: i32, p: &HwParams) -> i32 {
        let f = &p.format;
        let step = ((prod + (1u64 << (f.lut_frac_bits - 1))) >> f.lut_frac_bits) as i32;
        match op {
            StdpOp::Pot => w + step,
            StdpOp::Dep => w - step,
            StdpOp::Pen => (w - f.penalty).max(f.w_min),
            StdpOp::Norm => f.normalize(w, delta),
        }
    }

    /// Stage B's product `lut[d] * dist` (0 for the penalty).
    #[inline]
    fn product(op: StdpOp, d: u32, w: i32, p: &HwParams) -> u64 {
        let f = &p.format;
        match op {
            StdpOp::Pot => f.lut_pot[(d - p.wlo) as usize] as u64 * (f.w_max - w) as u64,
            StdpOp::Dep => f.lut_dep[(d - p.wlo) as usize] as u64 * (w - f.w_min) as u64,
            StdpOp::Pen | StdpOp::Norm => 0,
        }
    }

    /// What stages B and C make of lane value `w` read with `(op, d)` (and, for Norm, the step
    /// `delta`): the product and the value written back.
    #[inline(always)]
    pub fn update(op: StdpOp, d: u32, w: i32, delta: i32, p: &HwParams) -> (u64, i32) {
        let prod = Self::product(op, d, w, p);
        (prod, Self::written(op, w, prod, delta, p))
    }

    /// `start`: the row sums and their pass start over.
    pub fn start_sums(&mut self) {
        self.rsum = [0; MAX_N];
        self.sum_a = 0;
        self.sum_v = false;
    }

    /// One cycle of Ingest's sum pass (learning with normalization): add the word read last
    /// cycle to the row sums, lane by lane, and read the next word while any is left. Returns
    /// the address read (weight_mem only: next_mem is being written in Ingest).
    #[inline]
    pub fn sum_cycle(&mut self, word_q: &[i32], p: &HwParams) -> Option<u32> {
        if self.sum_v {
            for (s, &w) in self.rsum[..p.n].iter_mut().zip(word_q) {
                *s += w;
            }
        }
        self.sum_v = (self.sum_a as usize) < p.m;
        let rd = self.sum_v.then_some(self.sum_a);
        self.sum_a += self.sum_v as u32;
        rd
    }

    /// The whole sum pass at once (the machine's fast Ingest): every row's sum, and the
    /// registers as the pass leaves them. The caller loads weight_mem's data register with the
    /// last word read.
    pub fn sum_rows(&mut self, row_sums: &[i32], p: &HwParams) {
        self.rsum[..p.n].copy_from_slice(row_sums);
        self.sum_a = p.m as u32;
        self.sum_v = false;
    }

    /// A stage C write changed lane `lane` by `change`: its row sum follows (normalization).
    #[inline(always)]
    pub fn track(&mut self, lane: u32, change: i32, p: &HwParams) {
        if p.normalization {
            self.rsum[lane as usize] += change;
        }
    }

    /// PenDrain's edge into NormMul: the product starts at 0.
    pub fn begin_norm_mul(&mut self) {
        self.nm_acc = 0;
        self.nm_bit = 0;
    }

    /// One NormMul cycle for the winner's row, most significant bit first (Horner: no shifter,
    /// one adder): `nm_acc = 2 * nm_acc + (S - rsum[winner])` when bit `RB - 1 - nm_bit` of the
    /// reciprocal is set, else `2 * nm_acc`. The last cycle (`nm_bit == RB - 1`) rounds and
    /// shifts the product into `delta` and points Norm at input 0. Returns whether it was the
    /// last.
    #[inline]
    pub fn norm_mul(&mut self, winner: u32, p: &HwParams) -> bool {
        let f = &p.format;
        let diff = f.norm_target - self.rsum[winner as usize] as i64;
        let bit = p.rb - 1 - self.nm_bit;
        let add = if f.norm_recip >> bit & 1 == 1 {
            diff
        } else {
            0
        };
        self.nm_acc = 2 * self.nm_acc + add;
        let last = self.nm_bit + 1 == p.rb;
        if last {
            self.delta = ((self.nm_acc + (1i64 << (f.norm_shift - 1))) >> f.norm_shift) as i32;
            debug_assert_eq!(self.delta, f.norm_delta(self.rsum[winner as usize] as i64));
            self.norm_a = 0;
        } else {
            self.nm_bit += 1;
        }
        last
    }

    /// Stage A of one Norm cycle: read the next input of the winner's row (stage B: op Norm,
    /// lane `winner`), or report that the row is done.
    #[inline]
    fn norm_issue(&mut self, winner: u32, out: &mut StdpOut, p: &HwParams) {
        if (self.norm_a as usize) < p.m {
            self.op_b = StdpOp::Norm;
            self.d_b = 0;
            self.lane_b = winner;
            let a = self.norm_a;
            self.issue(a, out);
            self.norm_a += 1;
        } else {
            out.norm_done = true;
        }
    }

    /// Mask of step `m` restricted to the window: no class when `|m - t| < wlo`.
    #[inline]
    fn windowed(m: u32, t: u32, mask: u64, p: &HwParams) -> u64 {
        if m.abs_diff(t) >= p.wlo {
            mask
        } else {
            0
        }
    }

    /// Stage C's write port this cycle: lane `.1` of word `.0` becomes `.2`, the other lanes are
    /// those of `word_c` (read it before [`Stdp::clock`] reloads it).
    #[inline(always)]
    pub fn write_port(&self, p: &HwParams) -> Option<(u32, u32, i32)> {
        self.v_c
            .then(|| (self.addr_c, self.lane_c, self.stage_c_value(p)))
    }

    /// Loads the walk of neuron `sj` at its first step `m0 = lag_m` (`lag` its counters) for
    /// the output spike at step `t`.
    #[inline(always)]
    fn begin_walk(&mut self, t: u32, lag_m: u32, lag: &StepCounters, p: &HwParams) {
        self.m = lag_m;
        self.sctr = *lag;
        let mask = p.masks[lag_m as usize];
        debug_assert_eq!(mask, lag.mask(p));
        self.spend = Self::windowed(lag_m, t, mask, p);
    }

    /// Stage A issues a read of `addr` (stage B's other fields are set by the caller).
    #[inline(always)]
    fn issue(&mut self, addr: u32, out: &mut StdpOut) {
        self.v_b = true;
        self.addr_b = addr;
        out.rd = Some(addr);
    }

    /// Stage A in state Stdp when not following a list, for the output spike at step `t`: select
    /// the lowest class left of step `m` (its head is to be read unless `NIL`, with stage B's
    /// `op_b, d_b, lane_b` set), else advance `m`, else the walk is done. Returns the head to
    /// read and whether the walk is done.
    #[inline(always)]
    pub fn select(&mut self, t: u32, head: &[u32], p: &HwParams) -> (Option<u32>, bool) {
        if self.spend != 0 {
            let bit = self.spend.trailing_zeros();
            self.spend &= self.spend - 1;
            let h = head[self.sctr.class(bit, p)];
            if h == p.nil {
                return (None, false);
            }
            self.op_b = if self.m < t { StdpOp::Pot } else { StdpOp::Dep };
            self.d_b = self.m.abs_diff(t);
            self.lane_b = self.sj;
            (Some(h), false)
        } else if self.m < p.t_steps.min(t + p.whi) {
            self.spend = Self::windowed(self.m + 1, t, self.sctr.advance(p), p);
            self.m += 1;
            (None, false)
        } else {
            (None, true)
        }
    }

    /// Stage A in state StdpDrain: loads the walk of the next neuron of `stdp_mask`, if any
    /// (returned: `more`).
    #[inline(always)]
    pub fn next_walk(&mut self, t: u32, lag_m: u32, lag: &StepCounters, p: &HwParams) -> bool {
        let more = self.stdp_mask != 0;
        if more {
            self.sj = self.stdp_mask.trailing_zeros();
            self.stdp_mask &= self.stdp_mask - 1;
            self.begin_walk(t, lag_m, lag, p);
        }
        more
    }

    /// Stage A of the penalty's first cycle (state End): stage B's fields for the silent list,
    /// whose head is to be read.
    #[inline(always)]
    pub fn begin_penalty(&mut self, winner: u32) {
        self.op_b = StdpOp::Pen;
        self.d_b = 0;
        self.lane_b = winner;
    }

    /// One clock edge of the unit: stages updated last first (C's write is [`Stdp::write_port`],
    /// B moves to C, A to B), so every register gets its next value from current values only.
    #[inline(always)]
    pub fn clock(&mut self, inp: &StdpIn, p: &HwParams) -> StdpOut {
        let mut out = StdpOut {
            write: self.write_port(p),
            ..StdpOut::default()
        };
        if let Some((_, lane, value)) = out.write {
            self.track(lane, value - self.w_c, p);
        }
        // Stage B -> C: the word read last cycle arrives.
        self.v_c = self.v_b;
        if self.v_b {
            let w = inp.word_q[self.lane_b as usize];
            self.op_c = self.op_b;
            self.lane_c = self.lane_b;
            self.addr_c = self.addr_b;
            self.word_c[..p.n].copy_from_slice(&inp.word_q[..p.n]);
            self.w_c = w;
            self.prod_c = Self::product(self.op_b, self.d_b, w, p);
        }
        // Stage A -> B.
        let following = self.v_b && inp.next_q != p.nil;
        self.v_b = false;
        match inp.cmd {
            StdpCmd::Hold => {}
            StdpCmd::Begin { spikes } => {
                self.sj = spikes.trailing_zeros();
                self.stdp_mask = spikes & (spikes - 1);
                self.begin_walk(inp.t, inp.lag_m, inp.lag, p);
            }
            StdpCmd::Walk => {
                if following {
                    self.issue(inp.next_q, &mut out);
                } else {
                    let (rd, done) = self.select(inp.t, inp.head, p);
                    if let Some(h) = rd {
                        self.issue(h, &mut out);
                    }
                    out.walk_done = done;
                }
            }
            StdpCmd::Drain => out.more = self.next_walk(inp.t, inp.lag_m, inp.lag, p),
            StdpCmd::PenStart { winner } => {
                if inp.head_silent != p.nil {
                    self.issue(inp.head_silent, &mut out);
                    self.begin_penalty(winner);
                }
            }
            StdpCmd::PenWalk => {
                if following {
                    self.issue(inp.next_q, &mut out);
                } else {
                    out.pen_done = true;
                }
            }
            StdpCmd::NormWalk { winner } => self.norm_issue(winner, &mut out, p),
        }
        out
    }
}

impl Default for Stdp {
    fn default() -> Self {
        Stdp::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use snn_core::config::SnnConfig;

    /// A stub context: one class list, a weight memory as a plain array, the unit clocked alone.
    /// Period 40 (class 10) holds inputs 3 -> 1 -> NIL; neuron 1 fires at t = 60, so the walk
    /// covers m = 40..=80: input spikes at m = 40 (potentiation, d = 20) and 80 (depression, d = 20).
    #[test]
    fn one_walk_updates_each_visited_lane_like_the_fixed_model() {
        let p = HwParams::new(&SnnConfig {
            neurons: 2,
            height: 2,
            width: 2,
            ..SnnConfig::default()
        })
        .unwrap();
        let mut head = vec![p.nil; p.nc];
        head[10] = 3;
        let next = [p.nil, p.nil, p.nil, 1];
        let mut mem = [[100i32, -50]; 4];
        let t = 60;
        let mut lag = StepCounters::one();
        for _ in 1..t - p.whi {
            lag.advance(&p);
        }
        let mut s = Stdp::new();
        let (mut next_q, mut word_q) = (0u32, [0i32; MAX_N]);
        let mut cmd = StdpCmd::Begin { spikes: 0b10 };
        let mut reads = Vec::new();
        let mut cycles = 0;
        loop {
            let inp = StdpIn {
                cmd,
                t,
                lag_m: t - p.whi,
                lag: &lag,
                head: &head,
                head_silent: p.nil,
                next_q,
                word_q: &word_q,
            };
            if let Some((a, lane, v)) = s.write_port(&p) {
                let mut w = [s.word_c[0], s.word_c[1]];
                w[lane as usize] = v;
                mem[a as usize] = w;
            }
            let out = s.clock(&inp, &p);
            if let Some(a) = out.rd {
                reads.push((cycles, a));
                next_q = next[a as usize];
                word_q[..2].copy_from_slice(&mem[a as usize]);
            }
            cycles += 1;
            match cmd {
                StdpCmd::Drain => break,
                _ if out.walk_done => cmd = StdpCmd::Drain,
                _ => cmd = StdpCmd::Walk,
            }
        }
        let f = &p.format;
        let want = f.depress(f.potentiate(-50, 20), 20);
        assert_eq!(mem[3], [100, want]);
        assert_eq!(mem[1], [100, want]);
        assert_eq!(mem[0], [100, -50]);
        // Begin, then per m one cycle plus one per class of the windowed mask (empty or not)
        // plus one per further node (a second node at m = 40 and at m = 80), then Drain.
        let mut c = lag;
        let mut want = 2 + 2;
        for m in t - p.whi..=t + p.whi {
            want += 1 + Stdp::windowed(m, t, c.mask(&p), &p).count_ones();
            c.advance(&p);
        }
        assert_eq!(cycles, want);
        assert_eq!(reads.iter().map(|r| r.1).collect::<Vec<_>>(), [3, 1, 3, 1]);
    }
}
