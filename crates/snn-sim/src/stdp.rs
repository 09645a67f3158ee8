//! stdp: the weight-update unit. It walks, for each neuron that fired at step `t`, the steps
//! `m` of the STDP window and the lists of the period classes spiking at each `m` (stage A),
//! computes the update of one lane (stage B: bound distance times lookup table) and writes the
//! word back (stage C). The end-of-image penalty walks the silent list through the same pipeline.

use crate::control::StepCounters;
use crate::params::{HwParams, MAX_N};

/// Operation carried down the pipeline, with its 2-bit RTL encoding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(u8)]
pub enum StdpOp {
    /// Input spiked `d` steps before the output spike: `w + round(lut_pot[d] * (w_max - w))`.
    #[default]
    Pot = 0,
    /// Input spiked `d` steps after: `w - round(lut_dep[d] * (w - w_min))`.
    Dep = 1,
    /// End-of-image penalty: `max(w - penalty, w_min)`.
    Pen = 2,
}

/// What stage A does in one cycle (driven by control from its state).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StdpCmd {
    /// Issue nothing.
    Hold,
    /// Fire with learning: start the walk of the lowest neuron of `spikes`.
    Begin { spikes: u64 },
    /// State Stdp: one step of the walk.
    Walk,
    /// State StdpDrain: start the walk of the next neuron, if any.
    Drain,
    /// State End with a winner: read the head of the silent list.
    PenStart { winner: u32 },
    /// State Pen: follow the silent list.
    PenWalk,
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
    /// Stage C writes lane `.1` of word `.0` with value `.2` (the rest of the word is `word_c`).
    pub write: Option<(u32, u32, i32)>,
    /// Walk: the last `m` of the current neuron finished in this cycle.
    pub walk_done: bool,
    /// Drain: another neuron is to be walked (`stdp_mask != 0`).
    pub more: bool,
    /// PenWalk: the silent list ended.
    pub pen_done: bool,
}

/// Input mux of the walk counters `sr/sq`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SctrOp {
    Hold,
    /// Load the lag counters (start of a neuron's walk at `m0 = lag_m`).
    Lag,
    /// `m -> m + 1`.
    Advance,
}

/// Next values of the unit's registers (`word_c` loads from weight_mem's `q` when `load_word_c`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StdpNext {
    pub sj: u32,
    pub m: u32,
    pub sctr: SctrOp,
    pub spend: u64,
    pub stdp_mask: u64,
    pub v_b: bool,
    pub op_b: StdpOp,
    pub d_b: u32,
    pub lane_b: u32,
    pub addr_b: u32,
    pub v_c: bool,
    pub op_c: StdpOp,
    pub lane_c: u32,
    pub addr_c: u32,
    pub load_word_c: bool,
    pub w_c: i32,
    pub prod_c: u64,
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
    pub stdp_mask: u64,
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
        }
    }

    /// Whether a read of `addr` now would miss a write still in the pipeline (a design hazard).
    pub fn in_flight(&self, addr: u32) -> bool {
        (self.v_b && self.addr_b == addr) || (self.v_c && self.addr_c == addr)
    }

    /// Stage C's new lane value.
    pub fn stage_c_value(&self, p: &HwParams) -> i32 {
        let f = &p.format;
        let step = ((self.prod_c + (1u64 << (f.lut_frac_bits - 1))) >> f.lut_frac_bits) as i32;
        match self.op_c {
            StdpOp::Pot => self.w_c + step,
            StdpOp::Dep => self.w_c - step,
            StdpOp::Pen => (self.w_c - f.penalty).max(f.w_min),
        }
    }

    /// Stage B's product `lut[d] * dist` (0 for the penalty).
    fn product(op: StdpOp, d: u32, w: i32, p: &HwParams) -> u64 {
        let f = &p.format;
        match op {
            StdpOp::Pot => f.lut_pot[(d - p.wlo) as usize] as u64 * (f.w_max - w) as u64,
            StdpOp::Dep => f.lut_dep[(d - p.wlo) as usize] as u64 * (w - f.w_min) as u64,
            StdpOp::Pen => 0,
        }
    }

    /// Mask of step `m` restricted to the window: no class when `|m - t| < wlo`.
    fn windowed(m: u32, t: u32, mask: u64, p: &HwParams) -> u64 {
        if m.abs_diff(t) >= p.wlo {
            mask
        } else {
            0
        }
    }

    pub fn next(&self, inp: &StdpIn, p: &HwParams) -> (StdpNext, StdpOut) {
        let mut n = StdpNext {
            sj: self.sj,
            m: self.m,
            sctr: SctrOp::Hold,
            spend: self.spend,
            stdp_mask: self.stdp_mask,
            v_b: false,
            op_b: self.op_b,
            d_b: self.d_b,
            lane_b: self.lane_b,
            addr_b: self.addr_b,
            v_c: false,
            op_c: self.op_c,
            lane_c: self.lane_c,
            addr_c: self.addr_c,
            load_word_c: false,
            w_c: self.w_c,
            prod_c: self.prod_c,
        };
        let mut out = StdpOut::default();
        if self.v_c {
            out.write = Some((self.addr_c, self.lane_c, self.stage_c_value(p)));
        }
        if self.v_b {
            let w = inp.word_q[self.lane_b as usize];
            n.v_c = true;
            n.op_c = self.op_b;
            n.lane_c = self.lane_b;
            n.addr_c = self.addr_b;
            n.load_word_c = true;
            n.w_c = w;
            n.prod_c = Self::product(self.op_b, self.d_b, w, p);
        }
        let mut issue = |n: &mut StdpNext, addr: u32| {
            n.v_b = true;
            n.addr_b = addr;
            out.rd = Some(addr);
        };
        let begin_walk = |n: &mut StdpNext| {
            n.m = inp.lag_m;
            n.sctr = SctrOp::Lag;
            n.spend = Self::windowed(inp.lag_m, inp.t, inp.lag.mask(p), p);
        };
        match inp.cmd {
            StdpCmd::Hold => {}
            StdpCmd::Begin { spikes } => {
                n.sj = spikes.trailing_zeros();
                n.stdp_mask = spikes & (spikes - 1);
                begin_walk(&mut n);
            }
            StdpCmd::Walk => {
                if self.v_b && inp.next_q != p.nil {
                    issue(&mut n, inp.next_q);
                } else if self.spend != 0 {
                    let bit = self.spend.trailing_zeros();
                    n.spend = self.spend & (self.spend - 1);
                    let h = inp.head[self.sctr.class(bit, p)];
                    if h != p.nil {
                        issue(&mut n, h);
                        n.op_b = if self.m < inp.t { StdpOp::Pot } else { StdpOp::Dep };
                        n.d_b = self.m.abs_diff(inp.t);
                        n.lane_b = self.sj;
                    }
                } else if self.m < p.t_steps.min(inp.t + p.whi) {
                    n.m = self.m + 1;
                    n.sctr = SctrOp::Advance;
                    n.spend = Self::windowed(self.m + 1, inp.t, self.sctr.mask_advanced(p), p);
                } else {
                    out.walk_done = true;
                }
            }
            StdpCmd::Drain => {
                out.more = self.stdp_mask != 0;
                if out.more {
                    n.sj = self.stdp_mask.trailing_zeros();
                    n.stdp_mask = self.stdp_mask & (self.stdp_mask - 1);
                    begin_walk(&mut n);
                }
            }
            StdpCmd::PenStart { winner } => {
                if inp.head_silent != p.nil {
                    issue(&mut n, inp.head_silent);
                    n.op_b = StdpOp::Pen;
                    n.d_b = 0;
                    n.lane_b = winner;
                }
            }
            StdpCmd::PenWalk => {
                if self.v_b && inp.next_q != p.nil {
                    issue(&mut n, inp.next_q);
                } else {
                    out.pen_done = true;
                }
            }
        }
        (n, out)
    }

    /// The clock edge; `lag` are control's current lag counters, `word_q` weight_mem's current
    /// read data (both before their own edge).
    pub fn commit(&mut self, n: StdpNext, lag: &StepCounters, word_q: &[i32], p: &HwParams) {
        self.sj = n.sj;
        self.m = n.m;
        match n.sctr {
            SctrOp::Hold => {}
            SctrOp::Lag => self.sctr = *lag,
            SctrOp::Advance => self.sctr.advance(p),
        }
        self.spend = n.spend;
        self.stdp_mask = n.stdp_mask;
        self.v_b = n.v_b;
        self.op_b = n.op_b;
        self.d_b = n.d_b;
        self.lane_b = n.lane_b;
        self.addr_b = n.addr_b;
        self.v_c = n.v_c;
        self.op_c = n.op_c;
        self.lane_c = n.lane_c;
        self.addr_c = n.addr_c;
        if n.load_word_c {
            self.word_c[..p.n].copy_from_slice(&word_q[..p.n]);
        }
        self.w_c = n.w_c;
        self.prod_c = n.prod_c;
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
        let p = HwParams::new(&SnnConfig { neurons: 2, height: 2, width: 2, ..SnnConfig::default() }).unwrap();
        let mut head = vec![p.nil; p.nc];
        head[10] = 3;
        let next = [p.nil, p.nil, p.nil, 1];
        let mut mem = vec![[100i32, -50]; 4];
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
            let inp = StdpIn { cmd, t, lag_m: t - p.whi, lag: &lag, head: &head, head_silent: p.nil, next_q, word_q: &word_q };
            let (n, out) = s.next(&inp, &p);
            if let Some((a, lane, v)) = out.write {
                let mut w = [s.word_c[0], s.word_c[1]];
                w[lane as usize] = v;
                mem[a as usize] = w;
            }
            s.commit(n, &lag, &word_q, &p);
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
