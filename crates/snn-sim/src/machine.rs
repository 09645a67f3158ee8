//! The machine: all blocks, their wiring and the clock. `step()` is one clock edge: every block's
//! next state is computed from the current state of all blocks (combinational paths as in
//! docs/ARCHITECTURE.md), then all are committed together.

use crate::control::{Control, ControlIn, FireAction, FsmState};
use crate::neuron::{Neuron, NeuronCmd};
use crate::params::{HwParams, MAX_N};
use crate::spike_gen::{SgCmd, SpikeGen};
use crate::stdp::{Stdp, StdpCmd, StdpIn, StdpOut};
use crate::weight_mem::{WeightMem, WordWrite};
use crate::wta::{Wta, WtaCmd, WtaOut};
use anyhow::{bail, Result};
use serde::Serialize;
use snn_core::config::SnnConfig;

/// Clock edges since the machine was built.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Cycle(pub u64);

/// The spike port: neurons firing at step `t` (bit `j` = neuron `j`), in a Fire cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpikeEvent {
    pub mask: u64,
    pub t: u32,
}

/// The WTA unit chose `neuron` at step `t` and inhibited the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WinnerEvent {
    pub neuron: u32,
    pub t: u32,
}

/// Stage C wrote weight_mem word `addr`: lane `lane` became `value`, the other lanes were written
/// back unchanged (the whole word is `machine.weight_mem().word(addr)` after the edge).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WeightWrite {
    pub addr: u32,
    pub lane: u32,
    pub value: i32,
}

/// The `done` port: end of the image, with the winner and the image's cycle count (Done included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DoneEvent {
    pub winner: Option<u32>,
    pub cycles: u32,
}

/// What happened in one cycle (ports and strobes; registers are read through the accessors).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Events {
    /// Pixel taken from the host (`pix_ready` was high).
    pub pixel: Option<u8>,
    /// Address presented to weight_mem and next_mem.
    pub read: Option<u32>,
    pub spike: Option<SpikeEvent>,
    pub winner: Option<WinnerEvent>,
    pub weight_write: Option<WeightWrite>,
    pub done: Option<DoneEvent>,
}

/// Sees the machine after every clock edge (tracing: VCD, logs). `events` are those of the
/// cycle that just ended; the machine shows the registers after its edge.
pub trait Observer {
    fn observe(&mut self, machine: &Machine, events: &Events);
    /// Flush whatever the observer buffers; called by [`Machine::finish_observer`].
    fn finish(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Everything one presentation produced (the fields compared with the golden model).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageResult {
    pub winner: Option<usize>,
    pub inhibit_step: Option<u32>,
    pub spike_times: Vec<Vec<u32>>,
    pub final_potentials: Vec<i32>,
    pub threshold: i32,
    pub peak_count: u32,
    /// Cycles outside Idle, Done included.
    pub cycles: u64,
}

/// The accelerator: blocks, host-side ports and the clock.
pub struct Machine {
    p: HwParams,
    spike_gen: SpikeGen,
    neurons: Vec<Neuron>,
    wta: Wta,
    stdp: Stdp,
    weight_mem: WeightMem,
    control: Control,
    now: Cycle,
    /// Host side: the `start` pulse (with `learn`) for the next edge, and the pixel source.
    start: Option<bool>,
    pixels: Vec<u8>,
    pix_pos: usize,
    observer: Option<Box<dyn Observer>>,
}

impl Machine {
    pub fn new(cfg: &SnnConfig) -> Result<Self> {
        Ok(Machine::with_params(HwParams::new(cfg)?))
    }

    /// A machine in Idle with all weights 0.
    pub fn with_params(p: HwParams) -> Self {
        Machine {
            spike_gen: SpikeGen::new(&p),
            neurons: vec![Neuron::new(&p); p.n],
            wta: Wta::default(),
            stdp: Stdp::new(),
            weight_mem: WeightMem::new(&p),
            control: Control::new(),
            now: Cycle(0),
            start: None,
            pixels: Vec::new(),
            pix_pos: 0,
            observer: None,
            p,
        }
    }

    pub fn params(&self) -> &HwParams {
        &self.p
    }

    fn require_idle(&self, what: &str) -> Result<()> {
        if self.control.state != FsmState::Idle {
            bail!("{what} needs the core in Idle, it is in {}", self.control.state.name());
        }
        Ok(())
    }

    /// Host port, Idle only: raw weights, `w[j * M + i]` = neuron `j`, input `i` (the golden
    /// model's `weights` in row-major order), each within `[w_min, w_max]`.
    pub fn load_weights(&mut self, w: &[i32]) -> Result<()> {
        self.require_idle("load_weights")?;
        let (n, m) = (self.p.n, self.p.m);
        if w.len() != n * m {
            bail!("load_weights: {} values, the core holds N x M = {n} x {m} = {}", w.len(), n * m);
        }
        let f = &self.p.format;
        if let Some(k) = w.iter().position(|&x| x < f.w_min || x > f.w_max) {
            bail!("load_weights: neuron {}, input {}: raw weight {} outside [w_min, w_max] = [{}, {}]", k / m, k % m, w[k], f.w_min, f.w_max);
        }
        let mut word = vec![0; n];
        for i in 0..m {
            for (j, lane) in word.iter_mut().enumerate() {
                *lane = w[j * m + i];
            }
            self.weight_mem.host_write(i, &word);
        }
        Ok(())
    }

    /// Host port: all weights, `[j * M + i]` = neuron `j`, input `i`.
    pub fn weights(&self) -> Vec<i32> {
        let (n, m) = (self.p.n, self.p.m);
        let mut w = vec![0; n * m];
        for i in 0..m {
            for (j, &x) in self.weight_mem.word(i).iter().enumerate() {
                w[j * m + i] = x;
            }
        }
        w
    }

    /// Weight of neuron `j` for input `i`.
    pub fn weight(&self, j: usize, i: usize) -> i32 {
        self.weight_mem.word(i)[j]
    }

    /// Host side: the image whose pixels are handed over, one per `pix_ready` cycle, in raster
    /// order (`H * W` bytes).
    pub fn load_image(&mut self, pixels: &[u8]) -> Result<()> {
        self.require_idle("load_image")?;
        if pixels.len() != self.p.m {
            bail!("image has {} pixels, the core takes H x W = {} x {} = {}", pixels.len(), self.p.height, self.p.width, self.p.m);
        }
        self.pixels.clear();
        self.pixels.extend_from_slice(pixels);
        self.pix_pos = 0;
        Ok(())
    }

    /// Host `start` pulse (with `learn`) for the next clock edge; the core leaves Idle there.
    pub fn start(&mut self, learn: bool) -> Result<()> {
        self.require_idle("start")?;
        if self.pixels.len() != self.p.m || self.pix_pos != 0 {
            bail!("start: load an image first (load_image)");
        }
        self.start = Some(learn);
        Ok(())
    }

    /// One clock edge.
    ///
    /// A block whose command is `Hold` and whose pipeline is empty would compute its current
    /// state as its next state; such blocks are not evaluated (that is what makes the model fast,
    /// and it is exact: the registers shown are those cycle-by-cycle evaluation would show).
    pub fn step(&mut self) -> Events {
        let p = &self.p;
        let state = self.control.state;
        let mut ev = Events::default();
        let start = if state == FsmState::Idle { self.start.take() } else { None };
        if state == FsmState::Idle && start.is_none() {
            // Idle without start holds every register.
            self.tick(&ev);
            return ev;
        }

        // Host pixel port and spike_gen's phase end.
        let sg_cmd = match state {
            FsmState::Ingest => SgCmd::Ingest,
            FsmState::Drain => SgCmd::Drain,
            FsmState::Idle => SgCmd::Start,
            _ => SgCmd::Hold,
        };
        let mut pixel = 0;
        if state == FsmState::Ingest && self.spike_gen.pix_ready(p) {
            pixel = self.pixels[self.pix_pos];
            self.pix_pos += 1;
            ev.pixel = Some(pixel);
        }
        let scan_last = self.spike_gen.scan_last(sg_cmd, p);

        // The neurons' comparators, looked at in Fire.
        let thr = self.control.thr;
        let mut spikes = 0u64;
        let mut fire = None;
        if state == FsmState::Fire {
            let mut above = false;
            for (j, nr) in self.neurons.iter().enumerate() {
                spikes |= (nr.fires(thr) as u64) << j;
                above |= nr.above(thr);
            }
            fire = Some(self.control.fire_action(self.wta.winner_valid, above, spikes, p));
        }

        let wta_cmd = match state {
            FsmState::Idle => WtaCmd::Clear,
            FsmState::Fire if fire == Some(FireAction::Wta) => WtaCmd::Enter,
            FsmState::Wta => WtaCmd::Scan { shown: self.neurons[self.wta.ws as usize].shown, t: self.control.t },
            _ => WtaCmd::Hold,
        };
        let (wta_next, wta_out) = if wta_cmd == WtaCmd::Hold { (self.wta, WtaOut::default()) } else { self.wta.next(wta_cmd, p) };

        let stdp_cmd = match state {
            FsmState::Fire if fire == Some(FireAction::Stdp) => StdpCmd::Begin { spikes },
            FsmState::Stdp => StdpCmd::Walk,
            FsmState::StdpDrain => StdpCmd::Drain,
            FsmState::End if self.control.learn && self.wta.winner_valid => StdpCmd::PenStart { winner: self.wta.winner },
            FsmState::Pen => StdpCmd::PenWalk,
            _ => StdpCmd::Hold,
        };
        let stdp_active = stdp_cmd != StdpCmd::Hold || self.stdp.v_b || self.stdp.v_c;
        let (stdp_next, stdp_out) = if stdp_active {
            let inp = StdpIn {
                cmd: stdp_cmd,
                t: self.control.t,
                lag_m: self.control.lag_m,
                lag: &self.control.lag,
                head: &self.spike_gen.head,
                head_silent: self.spike_gen.head_silent,
                next_q: self.spike_gen.next_q,
                word_q: self.weight_mem.q(),
            };
            let (n, out) = self.stdp.next(&inp, p);
            (Some(n), out)
        } else {
            (None, StdpOut::default())
        };

        let (ctl_next, ctl_out) = self.control.next(
            &ControlIn {
                start,
                scan_last,
                head: &self.spike_gen.head,
                count: &self.spike_gen.count,
                next_q: self.spike_gen.next_q,
                fire,
                wta: wta_out,
                winner_valid: self.wta.winner_valid,
                stdp: stdp_out,
            },
            p,
        );

        debug_assert!(ctl_out.rd.is_none() || stdp_out.rd.is_none(), "two reads in one cycle");
        let rd = ctl_out.rd.or(stdp_out.rd);
        ev.read = rd;
        if let Some(a) = rd {
            debug_assert!(
                !self.stdp.in_flight(a),
                "read-after-write hazard at cycle {}: word {a} is read while its write is in stdp stage B/C",
                self.now.0
            );
        }
        if fire.is_some_and(|a| a != FireAction::Wta) && spikes != 0 {
            ev.spike = Some(SpikeEvent { mask: spikes, t: self.control.t });
        }
        if wta_out.last {
            ev.winner = Some(WinnerEvent { neuron: wta_out.winner, t: self.control.t });
        }
        if let Some(cycles) = ctl_out.done {
            ev.done = Some(DoneEvent { winner: self.wta.winner_valid.then_some(self.wta.winner), cycles });
        }

        // Each neuron's next state depends only on itself and the broadcast command, and nothing
        // below reads the neurons: update in place.
        if ctl_out.neuron != NeuronCmd::Hold {
            let q = &self.weight_mem.q;
            for (j, nr) in self.neurons.iter_mut().enumerate() {
                *nr = nr.next(j as u32, ctl_out.neuron, q[j], p);
            }
        }

        // stdp's stage B loads weight_mem's current read data and stage C writes its current
        // word_c; weight_mem captures its read before the write (read-first).
        let write = stdp_out.write.map(|(addr, lane, value)| WeightWrite { addr, lane, value });
        match write {
            Some(w) => {
                let mut word = [0; MAX_N];
                word[..p.n].copy_from_slice(&self.stdp.word_c[..p.n]);
                if let Some(n) = stdp_next {
                    self.stdp.commit(n, &self.control.lag, &self.weight_mem.q, p);
                }
                let port = WordWrite { addr: w.addr, word: &word, lane: w.lane, value: w.value };
                self.weight_mem.clock(rd, Some(port));
            }
            None => {
                if let Some(n) = stdp_next {
                    self.stdp.commit(n, &self.control.lag, &self.weight_mem.q, p);
                }
                if rd.is_some() {
                    self.weight_mem.clock(rd, None);
                }
            }
        }
        if let Some(a) = rd {
            self.spike_gen.read_next(a);
        }
        ev.weight_write = write;
        if sg_cmd != SgCmd::Hold {
            let n = self.spike_gen.next(sg_cmd, pixel, p);
            self.spike_gen.commit(n, p);
        }
        self.control.commit(ctl_next, p);
        self.wta = wta_next;
        self.tick(&ev);
        ev
    }

    /// The clock counter and the observer.
    fn tick(&mut self, ev: &Events) {
        self.now.0 += 1;
        if let Some(mut o) = self.observer.take() {
            o.observe(self, ev);
            self.observer = Some(o);
        }
    }

    /// Upper bound on the cycles of one image, from the cycle counts of the doc: ingest, the
    /// threshold pass, the divider, per step at most every input and class once plus Fire, one
    /// Wta scan, per step and neuron one STDP walk (each input at most twice), the penalty.
    pub fn cycle_bound(&self) -> u64 {
        let p = &self.p;
        let (m, k, t, n) = (p.m as u64, p.k as u64, p.t_steps as u64, p.n as u64);
        let walk = (2 * p.whi as u64 + 1) * (1 + k) + 2 * m + 1;
        p.scan_cycles + 3 + t * k.max(1) + p.qb as u64 + t * (m + k + 2) + n + t * n * walk + m + 4
    }

    /// Presents one image: load it, start, clock until `done`.
    pub fn run_image(&mut self, pixels: &[u8], learn: bool) -> Result<ImageResult> {
        self.load_image(pixels)?;
        self.start(learn)?;
        let mut spike_times = vec![Vec::new(); self.p.n];
        let bound = self.cycle_bound() + 1;
        for _ in 0..=bound {
            let ev = self.step();
            if let Some(s) = ev.spike {
                for (j, times) in spike_times.iter_mut().enumerate() {
                    if s.mask >> j & 1 == 1 {
                        times.push(s.t);
                    }
                }
            }
            if let Some(d) = ev.done {
                return Ok(ImageResult {
                    winner: d.winner.map(|w| w as usize),
                    inhibit_step: self.inhibit_step(),
                    spike_times,
                    final_potentials: self.potentials(),
                    threshold: self.control.thr,
                    peak_count: self.control.peak,
                    cycles: d.cycles as u64,
                });
            }
        }
        bail!("the core did not finish the image within {bound} cycles (a model bug)")
    }

    // Observation.

    /// Clock edges since the machine was built.
    pub fn now(&self) -> Cycle {
        self.now
    }

    pub fn state(&self) -> FsmState {
        self.control.state
    }

    /// The `cycles` register: cycles of the current image spent outside Idle so far.
    pub fn cycles(&self) -> u32 {
        self.control.cycles
    }

    /// Current step.
    pub fn t(&self) -> u32 {
        self.control.t
    }

    pub fn potentials(&self) -> Vec<i32> {
        self.neurons.iter().map(|n| n.pot).collect()
    }

    pub fn shown(&self) -> Vec<i32> {
        self.neurons.iter().map(|n| n.shown).collect()
    }

    pub fn free_at(&self) -> Vec<u32> {
        self.neurons.iter().map(|n| n.free_at).collect()
    }

    pub fn winner(&self) -> Option<u32> {
        self.wta.winner_valid.then_some(self.wta.winner)
    }

    pub fn inhibit_step(&self) -> Option<u32> {
        self.wta.winner_valid.then_some(self.wta.inhibit_step)
    }

    pub fn threshold(&self) -> i32 {
        self.control.thr
    }

    pub fn control(&self) -> &Control {
        &self.control
    }

    pub fn spike_gen(&self) -> &SpikeGen {
        &self.spike_gen
    }

    pub fn neurons(&self) -> &[Neuron] {
        &self.neurons
    }

    pub fn wta(&self) -> &Wta {
        &self.wta
    }

    pub fn stdp(&self) -> &Stdp {
        &self.stdp
    }

    pub fn weight_mem(&self) -> &WeightMem {
        &self.weight_mem
    }

    /// Attach a tracer; it is called after every edge.
    pub fn set_observer(&mut self, o: Box<dyn Observer>) {
        self.observer = Some(o);
    }

    /// Detach the tracer.
    pub fn take_observer(&mut self) -> Option<Box<dyn Observer>> {
        self.observer.take()
    }

    /// Flush the tracer (e.g. the VCD file) and report its first error.
    pub fn finish_observer(&mut self) -> std::io::Result<()> {
        match self.observer.as_mut() {
            Some(o) => o.finish(),
            None => Ok(()),
        }
    }
}
