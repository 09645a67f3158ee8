//! spike_gen: the raster scan with its line buffer and 5x5 window, the receptive-field and
//! period-class pipeline, and the per-class linked lists of inputs (`head`, `count`, `next_mem`)
//! that Int, Stdp and Pen walk (`snn_sim::spike_gen`, register for register).
//!
//! The period of an input is a step function of its receptive-field sum `S`, so its class is
//! the number of class boundaries (`HwParams::breakpoints`) above `S`: one comparator against a
//! constant per class, no divider and no table memory.

use crate::bram::Bram;
use crate::neuron::flipped;
use rust_hdl::prelude::*;
use snn_core::spike_gen::RF_KERNEL_X8;
use snn_sim::params::HwParams;

/// Width of `line_buf` addresses: 256 entries fill the two `SB_RAM40_4K` a 32-bit word needs
/// anyway, so any image up to 254 columns wide costs the same two block RAMs.
pub const LB_AW: usize = 8;

/// Kernel entries (times 8) grouped by value, as `rf` sums them: positions `row * 5 + col`.
const RF_GROUPS: [(i32, &[usize]); 5] = [
    (8, &[12]),
    (5, &[7, 11, 13, 17]),
    (1, &[6, 8, 16, 18, 2, 10, 14, 22]),
    (-4, &[0, 4, 20, 24]),
    (-1, &[1, 3, 5, 9, 15, 19, 21, 23]),
];

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
    /// Class whose `head` and `count` are read (control or stdp); ignored while stage 3 inserts.
    pub class_sel: Signal<In, Bits<8>>,
    pub head: Signal<Out, Bits<AW>>,
    pub count: Signal<Out, Bits<AW>>,
    pub head_silent: Signal<Out, Bits<AW>>,
    /// next_mem read address (the address weight_mem reads in the same cycle).
    pub raddr: Signal<In, Bits<AW>>,
    /// next_mem read data: the list successor of the node read last cycle.
    pub next_q: Signal<Out, Bits<AW>>,
    scan_r: DFF<Bits<16>>,
    scan_c: DFF<Bits<16>>,
    /// `win[row * 5 + col]`: rows `r-4..=r`, columns `c-4..=c` (column 4 is the newest).
    win: Vec<DFF<Bits<8>>>,
    line_buf: Bram<LB_AW, 32>,
    v1: DFF<Bit>,
    i1: DFF<Bits<AW>>,
    v2: DFF<Bit>,
    i2: DFF<Bits<AW>>,
    /// Receptive-field sum, two's complement (|S| < 2^14).
    s_reg: DFF<Bits<16>>,
    v3: DFF<Bit>,
    i3: DFF<Bits<AW>>,
    /// Period class of `i3`; `NC` = silent.
    class_reg: DFF<Bits<8>>,
    heads: Vec<DFF<Bits<AW>>>,
    counts: Vec<DFF<Bits<AW>>>,
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
    /// Sums of the window pixels whose kernel entry (times 8) is 5, 1, -4 and -1.
    g5: Signal<Local, Bits<16>>,
    g1: Signal<Local, Bits<16>>,
    g4n: Signal<Local, Bits<16>>,
    g1n: Signal<Local, Bits<16>>,
    rf: Signal<Local, Bits<16>>,
    /// `s_reg < breakpoints[c]`, per class (a thermometer code).
    below: Vec<Signal<Local, Bit>>,
    cls: Signal<Local, Bits<8>>,
    insert: Signal<Local, Bit>,
    silent: Signal<Local, Bit>,
    sel: Signal<Local, Bits<8>>,
    head_sel: Signal<Local, Bits<AW>>,
    count_sel: Signal<Local, Bits<AW>>,
    height: Constant<Bits<16>>,
    width: Constant<Bits<16>>,
    last_r: Constant<Bits<16>>,
    last_c: Constant<Bits<16>>,
    drain_last: Constant<Bits<16>>,
    /// Rows `0..4` of the column read 0 above the image, i.e. while `r < 4 - k` for byte `k`.
    row_k: Vec<Constant<Bits<16>>>,
    /// Byte `k` of a column: its mask and its bit offset.
    byte_mask: Vec<Constant<Bits<40>>>,
    byte_off: Vec<Constant<Bits<6>>>,
    /// Offset-binary class boundaries.
    bp_f: Vec<Constant<Bits<16>>>,
    sign16: Constant<Bits<16>>,
    /// `ids[c] = c` for `c in 0..=NC` (`NC` = silent).
    ids: Vec<Constant<Bits<8>>>,
    nc_id: Constant<Bits<8>>,
    nil: Constant<Bits<AW>>,
    _nc: usize,
}

impl<const AW: usize> SpikeGen<AW> {
    pub fn new(p: &HwParams) -> Self {
        assert_eq!(p.aw as usize, AW, "address width");
        assert!(p.nc < 255, "NC = {} classes do not fit the 8-bit class register", p.nc);
        assert!(p.width + 2 <= 1 << LB_AW, "the line buffer holds at most {} columns", (1 << LB_AW) - 2);
        assert!(p.height + 2 < 1 << 16 && p.width + 2 < 1 << 16, "scan counters are 16 bits");
        // The adder tree below hard-wires the kernel; it must be the one the models use.
        let mut k = [[0i32; 5]; 5];
        for (v, pos) in RF_GROUPS {
            for &x in pos {
                k[x / 5][x % 5] = v;
            }
        }
        assert_eq!(k, RF_KERNEL_X8, "rf adder tree out of date with RF_KERNEL_X8");
        let c16 = |v: u64| Constant::new(Bits::<16>::from(v));
        SpikeGen {
            clock: Default::default(),
            start: Default::default(),
            ingest: Default::default(),
            drain: Default::default(),
            pix_data: Default::default(),
            pix_valid: Default::default(),
            pix_ready: Default::default(),
            scan_last: Default::default(),
            class_sel: Default::default(),
            head: Default::default(),
            count: Default::default(),
            head_silent: Default::default(),
            raddr: Default::default(),
            next_q: Default::default(),
            scan_r: Default::default(),
            scan_c: Default::default(),
            win: (0..25).map(|_| Default::default()).collect(),
            line_buf: Bram::new(1 << LB_AW),
            v1: Default::default(),
            i1: Default::default(),
            v2: Default::default(),
            i2: Default::default(),
            s_reg: Default::default(),
            v3: Default::default(),
            i3: Default::default(),
            class_reg: Default::default(),
            heads: (0..p.nc).map(|_| Default::default()).collect(),
            counts: (0..p.nc).map(|_| Default::default()).collect(),
            silent_r: Default::default(),
            next_mem: Bram::new(1 << AW),
            stall: Default::default(),
            step: Default::default(),
            col: Default::default(),
            pixel: Default::default(),
            lb_byte: (0..4).map(|_| Default::default()).collect(),
            g5: Default::default(),
            g1: Default::default(),
            g4n: Default::default(),
            g1n: Default::default(),
            rf: Default::default(),
            below: (0..p.nc).map(|_| Default::default()).collect(),
            cls: Default::default(),
            insert: Default::default(),
            silent: Default::default(),
            sel: Default::default(),
            head_sel: Default::default(),
            count_sel: Default::default(),
            height: c16(p.height as u64),
            width: c16(p.width as u64),
            last_r: c16(p.height as u64 + 1),
            last_c: c16(p.width as u64 + 1),
            drain_last: c16(2),
            row_k: (0..4).map(|k| c16(4 - k)).collect(),
            byte_mask: (0..4).map(|k| Constant::new(Bits::<40>::from(0xffu64 << (8 * k)))).collect(),
            byte_off: (0..5).map(|k| Constant::new(Bits::<6>::from(8 * k as u64))).collect(),
            bp_f: p.breakpoints.iter().map(|&b| Constant::new(flipped::<16>(b as i64))).collect(),
            sign16: c16(1 << 15),
            ids: (0..=p.nc).map(|c| Constant::new(Bits::<8>::from(c as u64))).collect(),
            nc_id: Constant::new(Bits::<8>::from(p.nc as u64)),
            nil: Constant::new(Bits::<AW>::from(p.nil as u64)),
            _nc: p.nc,
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
        for c in 0..self._nc {
            self.heads[c].clock.next = self.clock.val();
            self.heads[c].d.next = self.heads[c].q.val();
            self.counts[c].clock.next = self.clock.val();
            self.counts[c].d.next = self.counts[c].q.val();
        }
        self.line_buf.clock.next = self.clock.val();
        self.next_mem.clock.next = self.clock.val();
        self.head_silent.next = self.silent_r.q.val();

        // Scan (stage 1).
        self.pix_ready.next = self.ingest.val()
            & (self.scan_r.q.val() < self.height.val())
            & (self.scan_c.q.val() < self.width.val());
        self.stall.next = self.pix_ready.val() & !self.pix_valid.val();
        self.step.next = self.ingest.val() & !self.stall.val();
        self.scan_last.next = (self.ingest.val()
            & (self.scan_r.q.val() == self.last_r.val())
            & (self.scan_c.q.val() == self.last_c.val()))
            | (self.drain.val() & (self.scan_c.q.val() == self.drain_last.val()));
        self.pixel.next = 0.into();
        if self.pix_ready.val() {
            self.pixel.next = self.pix_data.val();
        }
        // Column rows r-4..=r: four bytes from the line buffer (0 above the image), the pixel.
        for k in 0..4 {
            self.lb_byte[k].next = 0.into();
            if self.scan_r.q.val() >= self.row_k[k].val() {
                self.lb_byte[k].next = bit_cast::<40, 32>(self.line_buf.rdata.val()) & self.byte_mask[k].val();
            }
        }
        self.col.next = self.lb_byte[0].val()
            | self.lb_byte[1].val()
            | self.lb_byte[2].val()
            | self.lb_byte[3].val()
            | (bit_cast::<40, 8>(self.pixel.val()) << 32);
        self.line_buf.waddr.next = self.scan_c.q.val().get_bits::<LB_AW>(0);
        self.line_buf.wdata.next = self.col.val().get_bits::<32>(8);
        self.line_buf.we.next = self.step.val();
        // Read one cycle ahead: the column of the next cycle.
        self.line_buf.raddr.next = self.scan_c.q.val().get_bits::<LB_AW>(0);
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
                self.line_buf.raddr.next = self.scan_c.q.val().get_bits::<LB_AW>(0) + 1;
            }
            for k in 0..5 {
                for c in 0..4 {
                    self.win[k * 5 + c].d.next = self.win[k * 5 + c + 1].q.val();
                    if self.scan_c.q.val() == 0 {
                        self.win[k * 5 + c].d.next = 0.into();
                    }
                }
                self.win[k * 5 + 4].d.next = self.col.val().get_bits::<8>(self.byte_off[k].val().index());
            }
            if (self.scan_r.q.val() >= 2) & (self.scan_c.q.val() >= 2) {
                // Centres arrive in raster order, so the index is a counter.
                self.v1.d.next = true;
                self.i1.d.next = self.i1.q.val() + 1;
            }
        }
        if self.drain.val() & (self.scan_c.q.val() < self.drain_last.val()) {
            self.scan_c.d.next = self.scan_c.q.val() + 1;
            self.line_buf.raddr.next = self.scan_c.q.val().get_bits::<LB_AW>(0) + 1;
        }
        if self.start.val() {
            self.scan_r.d.next = 0.into();
            self.scan_c.d.next = 0.into();
            self.line_buf.raddr.next = 0.into();
            self.i1.d.next = self.nil.val();
        }

        // Stage 2: receptive-field sum of the window.
        self.g5.next = bit_cast::<16, 8>(self.win[7].q.val())
            + bit_cast::<16, 8>(self.win[11].q.val())
            + bit_cast::<16, 8>(self.win[13].q.val())
            + bit_cast::<16, 8>(self.win[17].q.val());
        self.g1.next = bit_cast::<16, 8>(self.win[6].q.val())
            + bit_cast::<16, 8>(self.win[8].q.val())
            + bit_cast::<16, 8>(self.win[16].q.val())
            + bit_cast::<16, 8>(self.win[18].q.val())
            + bit_cast::<16, 8>(self.win[2].q.val())
            + bit_cast::<16, 8>(self.win[10].q.val())
            + bit_cast::<16, 8>(self.win[14].q.val())
            + bit_cast::<16, 8>(self.win[22].q.val());
        self.g4n.next = bit_cast::<16, 8>(self.win[0].q.val())
            + bit_cast::<16, 8>(self.win[4].q.val())
            + bit_cast::<16, 8>(self.win[20].q.val())
            + bit_cast::<16, 8>(self.win[24].q.val());
        self.g1n.next = bit_cast::<16, 8>(self.win[1].q.val())
            + bit_cast::<16, 8>(self.win[3].q.val())
            + bit_cast::<16, 8>(self.win[5].q.val())
            + bit_cast::<16, 8>(self.win[9].q.val())
            + bit_cast::<16, 8>(self.win[15].q.val())
            + bit_cast::<16, 8>(self.win[19].q.val())
            + bit_cast::<16, 8>(self.win[21].q.val())
            + bit_cast::<16, 8>(self.win[23].q.val());
        self.rf.next = (bit_cast::<16, 8>(self.win[12].q.val()) << 3) + (self.g5.val() << 2) + self.g5.val()
            + self.g1.val()
            - (self.g4n.val() << 2)
            - self.g1n.val();
        // Stage 3: period class, the number of boundaries above the sum.
        self.cls.next = self.ids[0].val();
        for c in 0..self._nc {
            self.below[c].next = (self.s_reg.q.val() ^ self.sign16.val()) < self.bp_f[c].val();
            if self.below[c].val() {
                self.cls.next = self.ids[c + 1].val();
            }
        }
        // The stages run in every Ingest and Drain cycle; a stalled scan holds them.
        self.insert.next = false;
        if self.step.val() | self.drain.val() {
            self.v2.d.next = self.v1.q.val();
            self.v3.d.next = self.v2.q.val();
            self.insert.next = self.v3.q.val();
            if self.v1.q.val() {
                self.s_reg.d.next = self.rf.val();
                self.i2.d.next = self.i1.q.val();
            }
            if self.v2.q.val() {
                self.class_reg.d.next = self.cls.val();
                self.i3.d.next = self.i2.q.val();
            }
        }

        // Lists: one read mux for head and count, shared by insertion and the walkers.
        self.sel.next = self.class_sel.val();
        if self.insert.val() {
            self.sel.next = self.class_reg.q.val();
        }
        self.head_sel.next = self.nil.val();
        self.count_sel.next = 0.into();
        for c in 0..self._nc {
            if self.sel.val() == self.ids[c].val() {
                self.head_sel.next = self.heads[c].q.val();
                self.count_sel.next = self.counts[c].q.val();
            }
        }
        self.head.next = self.head_sel.val();
        self.count.next = self.count_sel.val();
        self.silent.next = self.class_reg.q.val() == self.nc_id.val();
        self.next_mem.raddr.next = self.raddr.val();
        self.next_q.next = self.next_mem.rdata.val();
        self.next_mem.waddr.next = self.i3.q.val();
        self.next_mem.wdata.next = self.head_sel.val();
        self.next_mem.we.next = self.insert.val();
        if self.silent.val() {
            self.next_mem.wdata.next = self.silent_r.q.val();
        }
        if self.insert.val() & self.silent.val() {
            self.silent_r.d.next = self.i3.q.val();
        }
        for c in 0..self._nc {
            if self.insert.val() & (self.class_reg.q.val() == self.ids[c].val()) {
                self.heads[c].d.next = self.i3.q.val();
                self.counts[c].d.next = self.count_sel.val() + 1;
            }
            if self.start.val() {
                self.heads[c].d.next = self.nil.val();
                self.counts[c].d.next = 0.into();
            }
        }
        if self.start.val() {
            self.silent_r.d.next = self.nil.val();
        }
    }
}
