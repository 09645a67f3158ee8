//! spike_gen: the raster scan with its line buffer and 5x5 window, the receptive-field and
//! period-class pipeline, and the per-class linked lists of inputs (`head`, `count`, `next_mem`)
//! that Int, Stdp and Pen walk (`snn_sim::spike_gen`, register for register).
//!
//! The period of an input is a step function of its receptive-field sum `S`, so its class is
//! the number of class boundaries (`HwParams::breakpoints`) above `S`: one comparator against a
//! constant per class, no divider and no table memory.
//!
//! `head[c]` and `count[c]` live in block RAM ([`ClassLists`]), read one cycle ahead: every
//! reader presents the class it will need in the next cycle (`class_next`, from control's and
//! stdp's [`crate::walk::ClassWalk`]; stage 3's next `class_reg` in Ingest and Drain). The
//! values seen in every cycle are those of the registers of the doc, so the cycle model's
//! behaviour is unchanged.

use crate::bram::Bram;
use crate::class_lists::ClassLists;
use crate::cmp::AtLeast;
use crate::neuron::{flipped, many};
use crate::rf::RfSum;
use rust_hdl::prelude::*;
use snn_arch::widths::*;
use snn_arch::HwParams;
use snn_core::spike_gen::{PIXEL_KERNEL, RF_KERNEL_X8};

#[derive(LogicBlock)]
pub struct SpikeGen<const AW: usize> {
    pub clock: Signal<In, Clock>,
    // Commands from control (at most one per cycle).
    /// Idle with `start`: scan to (0, 0), every list emptied.
    pub start: Signal<In, Bit>,
    /// State Ingest: one scan position, unless the host stalls the pixel port.
    pub ingest: Signal<In, Bit>,
    /// State Drain: one of the three cycles that empty the pipeline.
    pub drain: Signal<In, Bit>,
    // Pixel port (host).
    pub pix_data: Signal<In, Bits<8>>,
    pub pix_valid: Signal<In, Bit>,
    /// The core takes `pix_data` this cycle if `pix_valid` (inside the image, in Ingest).
    pub pix_ready: Signal<Out, Bit>,
    /// Last cycle of the phase: scan at `(H+1, W+1)` in Ingest, third cycle of Drain.
    pub scan_last: Signal<Out, Bit>,
    // Lists.
    /// The class whose `head` and `count` are wanted in the next cycle (control's or stdp's
    /// select, from their registers' next values), and whether the next cycle is Ingest or
    /// Drain (then stage 3's class is read instead).
    pub class_next: Signal<In, Bits<CLASS_BITS>>,
    pub lists_next: Signal<In, Bit>,
    /// Head of the class selected last cycle (`class_next` then).
    pub head: Signal<Out, Bits<AW>>,
    /// Its count, in two parts: the count as read (RAM or bypass) and whether the class has a
    /// list this image (the count is `count_raw` if so, else 0). The per-class valid bit is
    /// the last to arrive (a mux over every class), so control applies it after its comparator.
    pub count_raw: Signal<Out, Bits<AW>>,
    pub listed: Signal<Out, Bit>,
    pub head_silent: Signal<Out, Bits<AW>>,
    /// next_mem read address (the address weight_mem reads in the same cycle).
    pub raddr: Signal<In, Bits<AW>>,
    /// next_mem read data: the list successor of the node read last cycle.
    pub next_q: Signal<Out, Bits<AW>>,
    /// With row normalization (else empty): stage 3 inserts input `ins_a` at this edge, silent
    /// if `ins_s` (stdp's sweep follows the insertions).
    pub ins: Vec<Signal<Out, Bit>>,
    pub ins_a: Vec<Signal<Out, Bits<AW>>>,
    pub ins_s: Vec<Signal<Out, Bit>>,
    scan_r: DFF<Bits<SCAN_BITS>>,
    scan_c: DFF<Bits<SCAN_BITS>>,
    /// `win[row * 5 + col]`: rows `r-4..=r`, columns `c-4..=c` (column 4 is the newest).
    win: Vec<DFF<Bits<8>>>,
    line_buf: Bram<LINE_BUF_ADDR_BITS, LINE_BUF_BITS>,
    v1: DFF<Bit>,
    i1: DFF<Bits<AW>>,
    v2: DFF<Bit>,
    i2: DFF<Bits<AW>>,
    /// Receptive-field sum, two's complement (|S| < 2^14).
    s_reg: DFF<Bits<S_REG_BITS>>,
    v3: DFF<Bit>,
    i3: DFF<Bits<AW>>,
    /// Period class of `i3`; `NC` = silent.
    class_reg: DFF<Bits<CLASS_BITS>>,
    /// Per class: first input of its list and number of inputs (block RAM, read one cycle
    /// ahead).
    lists: ClassLists<AW>,
    silent_r: DFF<Bits<AW>>,
    next_mem: Bram<AW, AW>,
    /// The host stalls the scan: a pixel is due and none is offered.
    stall: Signal<Local, Bit>,
    /// This cycle advances the scan.
    step: Signal<Local, Bit>,
    /// The new column, rows `r-4..=r` in bytes `0..=4`.
    col: Signal<Local, Bits<40>>,
    pixel: Signal<Local, Bits<8>>,
    /// Byte `k` of the line buffer's word, or 0 for a row above the image.
    lb_byte: Vec<Signal<Local, Bits<40>>>,
    /// Stage 2: the receptive-field sum of the window.
    rf: RfSum,
    /// `s_reg >= breakpoints[c]` per class (offset binary): `!ge` is a thermometer code.
    bp_cmp: Vec<AtLeast<S_REG_BITS>>,
    /// `cls_hit[c]`: `s_reg` lies in class `c + 1` exactly (below boundary `c`, not below `c + 1`),
    /// as an all-ones or all-zeros byte; the class number is the OR of `ids[c] & cls_hit[c]`.
    cls_hit: Vec<Signal<Local, Bits<CLASS_BITS>>>,
    cls_acc: Vec<Signal<Local, Bits<CLASS_BITS>>>,
    cls: Signal<Local, Bits<CLASS_BITS>>,
    insert: Signal<Local, Bit>,
    silent: Signal<Local, Bit>,
    rd_next: Signal<Local, Bits<CLASS_BITS>>,
    /// Scan position tests: `r < H`, `c < W`, `r >= 2`, `c >= 2`, and per byte `k` of the
    /// column `r >= 4 - k` (rows above the image read 0).
    r_ge_h: AtLeast<SCAN_BITS>,
    c_ge_w: AtLeast<SCAN_BITS>,
    r_ge_2: AtLeast<SCAN_BITS>,
    c_ge_2: AtLeast<SCAN_BITS>,
    row_k: Vec<AtLeast<SCAN_BITS>>,
    last_r: Constant<Bits<SCAN_BITS>>,
    last_c: Constant<Bits<SCAN_BITS>>,
    drain_last: Constant<Bits<SCAN_BITS>>,
    /// Byte `k` of a column: its mask and its bit offset.
    byte_mask: Vec<Constant<Bits<40>>>,
    byte_off: Vec<Constant<Bits<6>>>,
    sign16: Constant<Bits<S_REG_BITS>>,
    /// `ids[c] = c + 1` for `c in 0..NC` (`NC` = silent).
    ids: Vec<Constant<Bits<CLASS_BITS>>>,
    nc_id: Constant<Bits<CLASS_BITS>>,
    nil: Constant<Bits<AW>>,
    byte_ones: Constant<Bits<CLASS_BITS>>,
    _nc: usize,
    /// `NC - 1`: `for c in _nc1.._nc` visits only the last class.
    _nc1: usize,
    /// 1 with row normalization, else 0.
    _nz: usize,
}

impl<const AW: usize> SpikeGen<AW> {
    pub fn new(p: &HwParams) -> Self {
        assert_eq!(p.aw as usize, AW, "address width");
        snn_arch::limits::assert_rtl(p);
        let cscan = |v: u64| Constant::new(Bits::<SCAN_BITS>::from(v));
        SpikeGen {
            clock: Default::default(),
            start: Default::default(),
            ingest: Default::default(),
            drain: Default::default(),
            pix_data: Default::default(),
            pix_valid: Default::default(),
            pix_ready: Default::default(),
            scan_last: Default::default(),
            class_next: Default::default(),
            lists_next: Default::default(),
            head: Default::default(),
            count_raw: Default::default(),
            listed: Default::default(),
            head_silent: Default::default(),
            raddr: Default::default(),
            next_q: Default::default(),
            ins: many(usize::from(p.normalization)),
            ins_a: many(usize::from(p.normalization)),
            ins_s: many(usize::from(p.normalization)),
            _nz: usize::from(p.normalization),
            scan_r: Default::default(),
            scan_c: Default::default(),
            win: (0..25).map(|_| Default::default()).collect(),
            line_buf: Bram::new(1 << LINE_BUF_ADDR_BITS).without_read_during_write(),
            v1: Default::default(),
            i1: Default::default(),
            v2: Default::default(),
            i2: Default::default(),
            s_reg: Default::default(),
            v3: Default::default(),
            i3: Default::default(),
            class_reg: Default::default(),
            lists: ClassLists::new(p),
            silent_r: Default::default(),
            next_mem: Bram::new(1 << AW).without_read_during_write(),
            stall: Default::default(),
            step: Default::default(),
            col: Default::default(),
            pixel: Default::default(),
            lb_byte: (0..4).map(|_| Default::default()).collect(),
            rf: RfSum::new(if p.pixel_code {
                PIXEL_KERNEL
            } else {
                RF_KERNEL_X8
            }),
            bp_cmp: p
                .breakpoints
                .iter()
                .map(|&b| AtLeast::new(flipped::<S_REG_BITS>(b as i64).to_u64()))
                .collect(),
            cls_hit: (0..p.nc).map(|_| Default::default()).collect(),
            cls_acc: (0..p.nc).map(|_| Default::default()).collect(),
            cls: Default::default(),
            insert: Default::default(),
            silent: Default::default(),
            rd_next: Default::default(),
            r_ge_h: AtLeast::new(p.height as u64),
            c_ge_w: AtLeast::new(p.width as u64),
            r_ge_2: AtLeast::new(2),
            c_ge_2: AtLeast::new(2),
            row_k: (0..4).map(|k| AtLeast::new(4 - k)).collect(),
            last_r: cscan(p.height as u64 + 1),
            last_c: cscan(p.width as u64 + 1),
            drain_last: cscan(2),
            byte_mask: (0..4)
                .map(|k| Constant::new(Bits::<40>::from(0xffu64 << (8 * k))))
                .collect(),
            byte_off: (0..5)
                .map(|k| Constant::new(Bits::<6>::from(8 * k as u64)))
                .collect(),
            sign16: Constant::new(Bits::<S_REG_BITS>::from(1u64 << (S_REG_BITS - 1))),
            ids: (1..=p.nc)
                .map(|c| Constant::new(Bits::<CLASS_BITS>::from(c as u64)))
                .collect(),
            nc_id: Constant::new(Bits::<CLASS_BITS>::from(p.nc as u64)),
            nil: Constant::new(Bits::<AW>::from(p.nil as u64)),
            byte_ones: Constant::new(Bits::<CLASS_BITS>::mask()),
            _nc: p.nc,
            _nc1: p.nc - 1,
        }
    }
}

impl<const AW: usize> Logic for SpikeGen<AW> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, scan_r, scan_c, v1, i1, v2, i2, s_reg, v3, i3, class_reg, silent_r);
        for x in 0..25 {
            self.win[x].clock.next = self.clock.val();
            self.win[x].d.next = self.win[x].q.val();
        }
        self.lists.clock.next = self.clock.val();
        self.line_buf.clock.next = self.clock.val();
        self.next_mem.clock.next = self.clock.val();
        self.head_silent.next = self.silent_r.q.val();
        self.next_mem.raddr.next = self.raddr.val();
        self.next_q.next = self.next_mem.rdata.val();
        self.r_ge_h.x.next = self.scan_r.q.val();
        self.c_ge_w.x.next = self.scan_c.q.val();
        self.r_ge_2.x.next = self.scan_r.q.val();
        self.c_ge_2.x.next = self.scan_c.q.val();
        for k in 0..4 {
            self.row_k[k].x.next = self.scan_r.q.val();
        }

        // Scan (stage 1).
        self.pix_ready.next = self.ingest.val() & !self.r_ge_h.ge.val() & !self.c_ge_w.ge.val();
        self.stall.next = self.ingest.val()
            & !self.r_ge_h.ge.val()
            & !self.c_ge_w.ge.val()
            & !self.pix_valid.val();
        self.step.next = self.ingest.val() & !self.stall.val();
        self.scan_last.next = (self.ingest.val()
            & (self.scan_r.q.val() == self.last_r.val())
            & (self.scan_c.q.val() == self.last_c.val()))
            | (self.drain.val() & (self.scan_c.q.val() == self.drain_last.val()));
        self.pixel.next = 0.into();
        if self.ingest.val() & !self.r_ge_h.ge.val() & !self.c_ge_w.ge.val() {
            self.pixel.next = self.pix_data.val();
        }
        // Column rows r-4..=r: four bytes from the line buffer (0 above the image), the pixel.
        for k in 0..4 {
            self.lb_byte[k].next = 0.into();
            if self.row_k[k].ge.val() {
                self.lb_byte[k].next = bit_cast::<40, LINE_BUF_BITS>(self.line_buf.rdata.val())
                    & self.byte_mask[k].val();
            }
        }
        self.col.next = self.lb_byte[0].val()
            | self.lb_byte[1].val()
            | self.lb_byte[2].val()
            | self.lb_byte[3].val()
            | (bit_cast::<40, 8>(self.pixel.val()) << 32);
        self.line_buf.waddr.next = self.scan_c.q.val();
        self.line_buf.wdata.next = self.col.val().get_bits::<32>(8);
        self.line_buf.we.next = self.step.val();
        // Read one cycle ahead: the column of the next cycle.
        self.line_buf.raddr.next = self.scan_c.q.val();
        if self.step.val() | self.drain.val() {
            self.v1.d.next = false;
        }
        if self.step.val() {
            if self.scan_c.q.val() == self.last_c.val() {
                self.scan_c.d.next = 0.into();
                self.scan_r.d.next = self.scan_r.q.val() + 1;
                self.line_buf.raddr.next = 0.into();
            } else {
                self.scan_c.d.next = self.scan_c.q.val() + 1;
                self.line_buf.raddr.next = self.scan_c.q.val() + 1;
            }
            for k in 0..5 {
                for c in 0..4 {
                    self.win[k * 5 + c].d.next = self.win[k * 5 + c + 1].q.val();
                    if self.scan_c.q.val() == 0 {
                        self.win[k * 5 + c].d.next = 0.into();
                    }
                }
                self.win[k * 5 + 4].d.next =
                    self.col.val().get_bits::<8>(self.byte_off[k].val().index());
            }
            if self.r_ge_2.ge.val() & self.c_ge_2.ge.val() {
                // Centres arrive in raster order, so the index is a counter.
                self.v1.d.next = true;
                self.i1.d.next = self.i1.q.val() + 1;
            }
        }
        if self.drain.val() & !self.c_ge_2.ge.val() {
            self.scan_c.d.next = self.scan_c.q.val() + 1;
            self.line_buf.raddr.next = self.scan_c.q.val() + 1;
        }
        if self.start.val() {
            self.scan_r.d.next = 0.into();
            self.scan_c.d.next = 0.into();
            self.line_buf.raddr.next = 0.into();
            self.i1.d.next = self.nil.val();
        }

        // Stage 2: receptive-field sum of the window.
        for x in 0..25 {
            self.rf.px[x].next = self.win[x].q.val();
        }
        // Stage 3: period class, the number of boundaries above the sum. The boundaries fall
        // with the class, so `below` is 1..10..0 and the class is where it drops.
        for c in 0..self._nc {
            self.bp_cmp[c].x.next = self.s_reg.q.val() ^ self.sign16.val();
        }
        for c in 1..self._nc {
            self.cls_hit[c - 1].next = 0.into();
            if !self.bp_cmp[c - 1].ge.val() & self.bp_cmp[c].ge.val() {
                self.cls_hit[c - 1].next = self.byte_ones.val();
            }
        }
        for c in self._nc1..self._nc {
            self.cls_hit[c].next = 0.into();
            if !self.bp_cmp[c].ge.val() {
                self.cls_hit[c].next = self.byte_ones.val();
            }
        }
        self.cls_acc[0].next = self.ids[0].val() & self.cls_hit[0].val();
        for c in 1..self._nc {
            self.cls_acc[c].next =
                self.cls_acc[c - 1].val() | (self.ids[c].val() & self.cls_hit[c].val());
        }
        for c in self._nc1..self._nc {
            self.cls.next = self.cls_acc[c].val();
        }
        // The stages run in every Ingest and Drain cycle; a stalled scan holds them.
        self.insert.next = false;
        if self.step.val() | self.drain.val() {
            self.v2.d.next = self.v1.q.val();
            self.v3.d.next = self.v2.q.val();
            self.insert.next = self.v3.q.val();
            if self.v1.q.val() {
                self.s_reg.d.next = self.rf.sum.val();
                self.i2.d.next = self.i1.q.val();
            }
            if self.v2.q.val() {
                self.class_reg.d.next = self.cls.val();
                self.i3.d.next = self.i2.q.val();
            }
        }

        // Lists: the class read at the last edge (outputs from the lists' registers only, see
        // `crate::core`), and stage 3 inserting `i3` at the head of its class.
        self.head.next = self.lists.head.val();
        self.count_raw.next = self.lists.count_raw.val();
        self.listed.next = self.lists.listed.val();
        self.silent.next = self.class_reg.q.val() == self.nc_id.val();
        self.next_mem.waddr.next = self.i3.q.val();
        self.next_mem.wdata.next = self.lists.head.val();
        self.next_mem.we.next = self.insert.val();
        if self.silent.val() {
            self.next_mem.wdata.next = self.silent_r.q.val();
        }
        if self.insert.val() & self.silent.val() {
            self.silent_r.d.next = self.i3.q.val();
        }
        self.lists.insert.next = self.insert.val() & !self.silent.val();
        for z in 0..self._nz {
            self.ins[z].next = self.insert.val();
            self.ins_a[z].next = self.i3.q.val();
            self.ins_s[z].next = self.silent.val();
        }
        self.lists.wclass.next = self.class_reg.q.val();
        self.lists.node.next = self.i3.q.val();
        self.lists.clear.next = self.start.val();
        if self.start.val() {
            self.silent_r.d.next = self.nil.val();
        }
        // Read one cycle ahead: stage 3's class of the next cycle in Ingest and Drain, else the
        // walkers' next select. This reads `class_reg`'s next value, so it comes last.
        self.rd_next.next = self.class_next.val();
        if self.lists_next.val() {
            self.rd_next.next = self.class_reg.d.val();
        }
        self.lists.rd_next.next = self.rd_next.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testing::{lint_and_synth, tick};
    use snn_core::config::SnnConfig;
    use snn_sim::spike_gen::{SgCmd, SpikeGen as Model};

    fn clk<const AW: usize>(u: &mut SpikeGen<AW>, clk: bool) {
        u.clock.next = Clock { clk };
    }

    /// Drives start, Ingest (the host stalling when `stall_every > 0`) and Drain like control;
    /// without stalls, compares `pix_ready` and `scan_last` with the model every cycle.
    fn ingest<const AW: usize>(
        uut: &mut SpikeGen<AW>,
        model: &mut Model,
        px: &[u8],
        stall: u64,
        p: &HwParams,
    ) {
        uut.start.next = true;
        tick(uut, clk);
        uut.start.next = false;
        model.clock(SgCmd::Start, 0, p);
        let mut rng = snn_testkit::XorShift::new(99);
        let mut pos = 0;
        for cmd in [SgCmd::Ingest, SgCmd::Drain] {
            uut.ingest.next = cmd == SgCmd::Ingest;
            uut.drain.next = cmd == SgCmd::Drain;
            uut.lists_next.next = true;
            loop {
                let valid = stall == 0 || !rng.next_u64().is_multiple_of(stall);
                uut.pix_valid.next = valid;
                uut.pix_data.next = (px.get(pos).copied().unwrap_or(0) as u64).into();
                assert!(simulate(uut, 1000));
                let ready = uut.pix_ready.val();
                let last = uut.scan_last.val();
                if stall == 0 {
                    assert_eq!(
                        ready,
                        cmd == SgCmd::Ingest && model.pix_ready(p),
                        "pix_ready"
                    );
                    assert_eq!(last, model.scan_last(cmd, p), "scan_last");
                }
                let taken = ready && valid;
                if !ready || valid {
                    model.clock(cmd, if taken { px[pos] } else { 0 }, p);
                }
                pos += taken as usize;
                tick(uut, clk);
                if last {
                    break;
                }
            }
        }
        uut.ingest.next = false;
        uut.drain.next = false;
        assert_eq!(pos, px.len(), "every pixel taken once");
    }

    /// The lists (heads, counts, every successor) of the RTL equal the model's.
    fn compare_lists<const AW: usize>(uut: &mut SpikeGen<AW>, model: &Model, p: &HwParams) {
        uut.lists_next.next = false;
        for c in 0..p.nc {
            uut.class_next.next = (c as u64).into();
            tick(uut, clk);
            assert_eq!(
                uut.head.val().to_u64() as u32,
                model.head[c],
                "head of class {c}"
            );
            let count = if uut.listed.val() {
                uut.count_raw.val().to_u64() as u32
            } else {
                0
            };
            assert_eq!(count, model.count[c], "count of class {c}");
        }
        assert_eq!(
            uut.head_silent.val().to_u64() as u32,
            model.head_silent,
            "silent head"
        );
        for i in 0..p.m {
            uut.raddr.next = (i as u64).into();
            tick(uut, clk);
            let want = model.next_mem[i];
            assert_eq!(uut.next_q.val().to_u64() as u32, want, "next_mem[{i}]");
        }
    }

    #[test]
    fn lists_equal_the_models_with_and_without_stalls() {
        let cfg = SnnConfig {
            height: 9,
            width: 11,
            ..SnnConfig::small()
        };
        let p = HwParams::new(&cfg).unwrap();
        let mut rng = snn_testkit::XorShift::new(7);
        let px: Vec<u8> = (0..p.m)
            .map(|_| (rng.next_u64() >> 56) as u8 & 0xf0)
            .collect();
        for stall in [0, 3] {
            let mut uut = SpikeGen::<7>::new(&p);
            uut.connect_all();
            let mut model = Model::new(&p);
            // Twice: the second image must not see anything of the first.
            for _ in 0..2 {
                ingest(&mut uut, &mut model, &px, stall, &p);
                compare_lists(&mut uut, &model, &p);
            }
        }
    }

    #[test]
    fn spike_gen_synthesizes_with_its_memories_in_block_ram() {
        let p = HwParams::new(&SnnConfig::small()).unwrap();
        if let Some(r) = lint_and_synth(&mut SpikeGen::<9>::new(&p), "spike_gen") {
            // line_buf 256 x 32 (2 blocks), next_mem 512 x 9 (2), heads and counts 256 x 9 (1 each).
            assert_eq!(r.brams, 6, "{r:?}");
        }
    }
}
