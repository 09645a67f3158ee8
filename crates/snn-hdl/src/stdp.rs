//! stdp: the weight-update unit (`snn_sim::stdp`, register for register). For each neuron that
//! fired at step `t` it walks the steps `m` of the STDP window and the lists of the period classes
//! spiking at each `m` (stage A), computes the update of one lane (stage B: bound distance times
//! lookup table, the design's one product, finished in stage C) and writes the word back
//! (stage C). The
//! end-of-image penalty walks the silent list through the same pipeline.

use crate::cmp::AtLeast;
use crate::lowest::{Base, LowestClass};
use crate::mult::UMul;
use crate::neuron::{flipped, many, twos};
use crate::norm::NormUnit;
use crate::split::Split;
use crate::walk::ClassWalk;
use rust_hdl::prelude::*;
use snn_arch::codes::OP_BITS;
use snn_arch::widths::*;
use snn_arch::{HwParams, StdpOp};

/// Product width of the multiplier (`MUL_BITS` operands).
pub const PROD_W: usize = 2 * MUL_BITS;

#[derive(LogicBlock)]
pub struct Stdp<
    const N: usize,
    const WB: usize,
    const WORD: usize,
    const AW: usize,
    const WAW: usize,
    const GB: usize,
    const NB: usize = NEURON_BITS,
> {
    pub clock: Signal<In, Clock>,
    // Commands from control (one per cycle).
    /// Fire with learning and some spike: start the walk of the lowest neuron of `spikes`.
    pub walk_start: Signal<In, Bit>,
    /// State Stdp: one step of the walk.
    pub walk: Signal<In, Bit>,
    /// State StdpDrain: start the walk of the next neuron, if any.
    pub drain: Signal<In, Bit>,
    /// State End with learning and a winner: read the head of the silent list.
    pub pen_start: Signal<In, Bit>,
    /// State Pen: follow the silent list.
    pub pen_walk: Signal<In, Bit>,
    // Operands.
    /// The neurons spiking in this Fire cycle.
    pub spikes: Signal<In, Bits<N>>,
    pub winner: Signal<In, Bits<NB>>,
    /// control: current step, and `lag_m = max(1, t - whi)` with its counters and class mask.
    pub t: Signal<In, Bits<STEP_BITS>>,
    pub lag_m: Signal<In, Bits<STEP_BITS>>,
    pub lag_r: Vec<Signal<In, Bits<RESIDUE_BITS>>>,
    pub lag_q: Vec<Signal<In, Bits<STEP_BITS>>>,
    pub lag_mask: Signal<In, Bits<MASK_BITS>>,
    /// spike_gen: head of the class selected at the last edge (`class_next` then), head of the
    /// silent list, next_mem read data.
    pub head: Signal<In, Bits<AW>>,
    pub head_silent: Signal<In, Bits<AW>>,
    pub next_q: Signal<In, Bits<AW>>,
    /// weight_mem read data.
    pub word: Signal<In, Bits<WORD>>,
    /// Lane `lane_sel` of `word` (the neuron array splits the word into lanes).
    pub lane_w: Signal<In, Bits<WB>>,
    // Results.
    /// Stage B's lane (`lane_b`), for the neuron array's lane mux.
    pub lane_sel: Signal<Out, Bits<NB>>,
    /// The class whose head stage A looks at in the next cycle of a walk under way (the lowest
    /// of `spend` after this edge): spike_gen reads it one cycle ahead.
    pub class_next: Signal<Out, Bits<CLASS_BITS>>,
    /// The first class of a walk that starts at this edge: the lowest of the lag mask, known
    /// before control decides to start one (see `crate::control`). Registered (`begin_r`): the
    /// lag counters change only at an edge into Int, and a walk starts in Fire or StdpDrain,
    /// never in the cycle after such an edge, so the register has caught up by then.
    pub begin_class: Signal<Out, Bits<CLASS_BITS>>,
    /// Address stage A presents to next_mem, and to weight_mem (`wraddr`: with lane groups in
    /// the word of the neuron's group, `(j div P) * M + i`).
    pub raddr: Signal<Out, Bits<AW>>,
    pub wraddr: Signal<Out, Bits<WAW>>,
    /// Walk: the last `m` of the current neuron finished in this cycle.
    pub walk_done: Signal<Out, Bit>,
    /// Drain: another neuron is to be walked.
    pub more: Signal<Out, Bit>,
    /// Pen: the silent list ended.
    pub pen_done: Signal<Out, Bit>,
    /// Stage C's write to weight_mem: the word written is `wnew` in the bits of `wsel` and
    /// `wdata` elsewhere. The new value arrives last, so weight_mem merges it with its host
    /// port in one level after it (see `crate::weight_mem`); the penalty's floor is in `wdata`.
    pub we: Signal<Out, Bit>,
    pub waddr: Signal<Out, Bits<WAW>>,
    pub wdata: Signal<Out, Bits<WORD>>,
    pub wnew: Signal<Out, Bits<WORD>>,
    pub wsel: Signal<Out, Bits<WORD>>,
    // Row normalization (each vector empty without it, one element with it).
    /// Idle with `start`; the image's `learn`; End (NormMul's product starts); NormMul; Done.
    pub sum_start: Vec<Signal<In, Bit>>,
    pub n_learn: Vec<Signal<In, Bit>>,
    pub nm_begin: Vec<Signal<In, Bit>>,
    pub nm_step: Vec<Signal<In, Bit>>,
    pub n_finish: Vec<Signal<In, Bit>>,
    pub winner_valid: Vec<Signal<In, Bit>>,
    /// spike_gen's stage 3 inserts input `ins_a` (silent: `ins_s`) at this edge: the sweep.
    pub ins: Vec<Signal<In, Bit>>,
    pub ins_a: Vec<Signal<In, Bits<AW>>>,
    pub ins_s: Vec<Signal<In, Bit>>,
    /// control's weight_mem address and the host port, which `tag_mem` follows.
    pub craddr: Vec<Signal<In, Bits<AW>>>,
    pub host_mode: Vec<Signal<In, Bit>>,
    pub host_we: Vec<Signal<In, Bit>>,
    pub host_addr: Vec<Signal<In, Bits<WAW>>>,
    /// The sweep reads weight_mem at `n_raddr` (next_mem is not read).
    pub n_rd: Vec<Signal<Out, Bit>>,
    pub n_raddr: Vec<Signal<Out, Bits<WAW>>>,
    /// NormMul's last cycle.
    pub nm_last: Vec<Signal<Out, Bit>>,
    /// weight_mem's read data with the pending update applied: `host_rdata`.
    pub n_rdata: Vec<Signal<Out, Bits<WORD>>>,
    /// Normalization with lane groups (else empty): state Sum, and its last cycle.
    pub n_sum: Vec<Signal<In, Bit>>,
    pub n_sum_end: Vec<Signal<Out, Bit>>,
    norm: Vec<NormUnit<N, WB, WORD, AW, WAW, NB>>,
    /// The lane value stage C writes (the penalty's floor included), for the row sums of one
    /// lane per neuron.
    wval: Vec<Signal<Local, Bits<WB>>>,
    /// 1 with normalization, else 0; the same with one lane per neuron, and with lane groups.
    _nz: usize,
    _nz1: usize,
    _nzl: usize,
    sj: DFF<Bits<NB>>,
    m: DFF<Bits<STEP_BITS>>,
    /// The walk over `m`: its counters, the classes of `m` not yet visited (`spend`) and the
    /// class read next (shared with control).
    cw: ClassWalk,
    stdp_mask: DFF<Bits<N>>,
    v_b: DFF<Bit>,
    op_b: DFF<Bits<OP_BITS>>,
    d_b: DFF<Bits<DISTANCE_BITS>>,
    lane_b: DFF<Bits<NB>>,
    addr_b: DFF<Bits<WAW>>,
    v_c: DFF<Bit>,
    op_c: DFF<Bits<OP_BITS>>,
    lane_c: DFF<Bits<NB>>,
    addr_c: DFF<Bits<WAW>>,
    word_c: DFF<Bits<WORD>>,
    w_c: DFF<Bits<WB>>,
    /// The update is computed as `(w * 2^L + k - lut * u) >> L` (see [`k_pot`]): `u` is the
    /// weight in offset binary, `k` a constant per operation and distance. The product
    /// `lut * u` is split across stages B and C (one multiplier after the RAM read and the
    /// lane mux was the core's longest path): stage B multiplies by the low `split` bits of
    /// `u`, stage C by the high bits.
    prod_lo_c: DFF<Bits<PROD_W>>,
    lut_c: DFF<Bits<MUL_BITS>>,
    u_hi_c: DFF<Bits<MUL_BITS>>,
    k_c: DFF<Bits<PROD_W>>,
    mul_lo: UMul<MUL_BITS, MUL_BITS, PROD_W>,
    mul_hi: UMul<MUL_BITS, MUL_BITS, PROD_W>,
    /// `w_c * 2^L + k_c - prod_lo_c`, formed while mul_hi works.
    base: Signal<Local, Bits<PROD_W>>,
    /// `base - (mul_hi << split)`: the new weight in bits `L..L + WB`.
    upd: Signal<Local, Bits<PROD_W>>,
    u_x: Signal<Local, Bits<MUL_BITS>>,
    /// The low `split` bits of `u`, and `split = WB / 2`.
    u_lo_mask: Constant<Bits<MUL_BITS>>,
    split: Constant<Bits<8>>,
    // Stage A.
    /// The class of the lag mask's lowest bit: the first of a walk starting at `lag_m`.
    low_lag: LowestClass,
    /// `low_lag`'s class, one cycle after the lag counters (see `begin_class`).
    begin_r: DFF<Bits<CLASS_BITS>>,
    follow: Signal<Local, Bit>,
    m1: Signal<Local, Bits<STEP_BITS>>,
    /// `t - m` and `m - t`: the distance of a potentiation / depression.
    d_before: Signal<Local, Bits<DISTANCE_BITS>>,
    d_after: Signal<Local, Bits<DISTANCE_BITS>>,
    /// `|m + 1 - t| >= wlo` and `|lag_m - t| >= wlo`: the step is inside the window.
    in_win1: Signal<Local, Bit>,
    in_win_lag: Signal<Local, Bit>,
    /// The last `m` of the walk: `min(T, t + whi)`.
    m_end: Signal<Local, Bit>,
    /// Next neuron: the lowest of `spikes` (Begin) or of `stdp_mask` (Drain).
    nsrc: Signal<Local, Bits<N>>,
    nlow: Signal<Local, Bits<N>>,
    nsj: Signal<Local, Bits<NB>>,
    /// The weight address of the read stage A issues (`wraddr`'s value, for `addr_b`), and the
    /// lane stage B takes for the walked neuron and for the winner.
    wa0: Signal<Local, Bits<WAW>>,
    wa: Signal<Local, Bits<WAW>>,
    lane_sj: Signal<Local, Bits<NB>>,
    lane_win: Signal<Local, Bits<NB>>,
    // Lane groups only (each vector empty otherwise): the walked neuron `sj` and the winner
    // split into group and lane (from registers: the walk reads `sj`'s words from the cycle
    // after it starts), their groups' first words (`g * M`), and each group's index and
    // first word.
    ssplit: Vec<Split<N, GB, NB>>,
    wsplit: Vec<Split<N, GB, NB>>,
    sbase: Vec<Signal<Local, Bits<WAW>>>,
    wbase: Vec<Signal<Local, Bits<WAW>>>,
    g_id: Vec<Constant<Bits<GB>>>,
    g_base: Vec<Constant<Bits<WAW>>>,
    /// The lanes of a word: `N`, or `P` with lane groups; 1 with lane groups, else 0.
    _c: usize,
    _ln: usize,
    /// `G` with lane groups, else 0.
    _g: usize,
    // Stage B.
    w: Signal<Local, Bits<WB>>,
    lut: Signal<Local, Bits<MUL_BITS>>,
    k: Signal<Local, Bits<PROD_W>>,
    // Stage C.
    value_rep: Signal<Local, Bits<WORD>>,
    lane_mask: Signal<Local, Bits<WORD>>,
    /// A penalty that hits the floor: `w_min` (replicated in `w_min_rep`) is written.
    floor_c: Signal<Local, Bit>,
    w_min_rep: Signal<Local, Bits<WORD>>,
    value: Signal<Local, Bits<WB>>,
    /// Constant comparisons: `m >= T`, and the penalty's floor `w >= w_min + penalty` (offset
    /// binary; unreachable when `w_min + penalty` exceeds every weight).
    m_ge_t: AtLeast<STEP_BITS>,
    pen_ge_min: AtLeast<WB>,
    wlo: Constant<Bits<STEP_BITS>>,
    whi: Constant<Bits<STEP_BITS>>,
    nil: Constant<Bits<AW>>,
    /// The lanes' indices.
    nids: Vec<Constant<Bits<NB>>>,
    /// Per index bit `b`: the neurons whose index has bit `b` set, and `1 << b`.
    id_bit: Vec<Constant<Bits<N>>>,
    bit_of: Vec<Constant<Bits<NB>>>,
    /// `nsj` from its low bits up (entry `b` holds bits `0..=b`).
    nsj_acc: Vec<Signal<Local, Bits<NB>>>,
    lane_off: Vec<Constant<Bits<16>>>,
    /// The bits of lane `j` in a word.
    lane_bits: Vec<Constant<Bits<WORD>>>,
    /// Window distances `wlo..=whi`, their table entries and update constants.
    dids: Vec<Constant<Bits<DISTANCE_BITS>>>,
    lut_pot: Vec<Constant<Bits<MUL_BITS>>>,
    lut_dep: Vec<Constant<Bits<MUL_BITS>>>,
    k_pot: Vec<Constant<Bits<PROD_W>>>,
    k_dep: Vec<Constant<Bits<PROD_W>>>,
    op_pot: Constant<Bits<OP_BITS>>,
    op_dep: Constant<Bits<OP_BITS>>,
    op_pen: Constant<Bits<OP_BITS>>,
    w_min: Constant<Bits<WB>>,
    /// The penalty's update constant ([`k_pen`]).
    k_pen: Constant<Bits<PROD_W>>,
    lut_shift: Constant<Bits<8>>,
    w_sign: Constant<Bits<WB>>,
    _k: usize,
    _nd: usize,
}

impl<
        const N: usize,
        const WB: usize,
        const WORD: usize,
        const AW: usize,
        const WAW: usize,
        const GB: usize,
        const NB: usize,
    > Stdp<N, WB, WORD, AW, WAW, GB, NB>
{
    pub fn new(p: &HwParams) -> Self {
        assert_eq!((p.n, p.widths.weight as usize), (N, WB), "widths");
        assert_eq!(
            (WORD, p.aw as usize),
            (p.lanes * WB, AW),
            "word and address widths"
        );
        snn_arch::limits::assert_rtl(p);
        let c = p.lanes;
        let ln = usize::from(c < N);
        let f = &p.format;
        let c16 = |v: u64| Constant::new(Bits::<16>::from(v));
        let cs = |v: u64| Constant::new(Bits::<STEP_BITS>::from(v));
        let nd = (p.whi - p.wlo + 1) as usize;
        let nz = usize::from(p.normalization);
        Stdp {
            sum_start: many(nz),
            n_learn: many(nz),
            nm_begin: many(nz),
            nm_step: many(nz),
            n_finish: many(nz),
            winner_valid: many(nz),
            ins: many(nz),
            ins_a: many(nz),
            ins_s: many(nz),
            craddr: many(nz),
            host_mode: many(nz),
            host_we: many(nz),
            host_addr: many(nz),
            n_rd: many(nz),
            n_raddr: many(nz),
            nm_last: many(nz),
            n_rdata: many(nz),
            n_sum: many(nz * ln),
            n_sum_end: many(nz * ln),
            norm: (0..nz).map(|_| NormUnit::new(p)).collect(),
            wval: many(nz * (1 - ln)),
            _nz: nz,
            _nz1: nz * (1 - ln),
            _nzl: nz * ln,
            clock: Default::default(),
            walk_start: Default::default(),
            walk: Default::default(),
            drain: Default::default(),
            pen_start: Default::default(),
            pen_walk: Default::default(),
            spikes: Default::default(),
            winner: Default::default(),
            t: Default::default(),
            lag_m: Default::default(),
            lag_r: (0..p.k).map(|_| Default::default()).collect(),
            lag_q: (0..p.k).map(|_| Default::default()).collect(),
            lag_mask: Default::default(),
            head: Default::default(),
            head_silent: Default::default(),
            next_q: Default::default(),
            word: Default::default(),
            lane_w: Default::default(),
            lane_sel: Default::default(),
            class_next: Default::default(),
            begin_class: Default::default(),
            raddr: Default::default(),
            walk_done: Default::default(),
            more: Default::default(),
            pen_done: Default::default(),
            we: Default::default(),
            waddr: Default::default(),
            wdata: Default::default(),
            wnew: Default::default(),
            wsel: Default::default(),
            sj: Default::default(),
            m: Default::default(),
            cw: ClassWalk::new(p),
            stdp_mask: Default::default(),
            v_b: Default::default(),
            op_b: Default::default(),
            d_b: Default::default(),
            lane_b: Default::default(),
            addr_b: Default::default(),
            v_c: Default::default(),
            op_c: Default::default(),
            lane_c: Default::default(),
            addr_c: Default::default(),
            word_c: Default::default(),
            w_c: Default::default(),
            prod_lo_c: Default::default(),
            lut_c: Default::default(),
            u_hi_c: Default::default(),
            k_c: Default::default(),
            mul_lo: UMul::new(),
            mul_hi: UMul::new(),
            base: Default::default(),
            upd: Default::default(),
            u_x: Default::default(),
            u_lo_mask: Constant::new(Bits::<MUL_BITS>::from((1u64 << (WB / 2)) - 1)),
            split: Constant::new(Bits::<8>::from((WB / 2) as u64)),
            low_lag: LowestClass::new(p, Base::Same),
            begin_r: Default::default(),
            follow: Default::default(),
            m1: Default::default(),
            d_before: Default::default(),
            d_after: Default::default(),
            in_win1: Default::default(),
            in_win_lag: Default::default(),
            m_end: Default::default(),
            nsrc: Default::default(),
            nlow: Default::default(),
            nsj: Default::default(),
            wraddr: Default::default(),
            wa0: Default::default(),
            wa: Default::default(),
            lane_sj: Default::default(),
            lane_win: Default::default(),
            ssplit: (0..ln).map(|_| Split::new(p)).collect(),
            wsplit: (0..ln).map(|_| Split::new(p)).collect(),
            sbase: many(ln),
            wbase: many(ln),
            g_id: crate::split::indices(ln * p.groups, 0),
            g_base: (0..ln * p.groups)
                .map(|g| Constant::new(Bits::<WAW>::from((g * p.m) as u64)))
                .collect(),
            _c: c,
            _ln: ln,
            _g: ln * p.groups,
            w: Default::default(),
            lut: Default::default(),
            k: Default::default(),
            value_rep: Default::default(),
            lane_mask: Default::default(),
            floor_c: Default::default(),
            w_min_rep: Default::default(),
            value: Default::default(),
            m_ge_t: AtLeast::new(p.t_steps as u64),
            pen_ge_min: AtLeast::new(pen_floor::<WB>(f.w_min as i64 + f.penalty as i64)),
            wlo: cs(p.wlo as u64),
            whi: cs(p.whi as u64),
            nil: Constant::new(Bits::<AW>::from(p.nil as u64)),
            nsj_acc: many(NB),
            id_bit: (0..NB)
                .map(|b| Constant::new(crate::split::mask_of::<N>(|j| j >> b & 1 == 1)))
                .collect(),
            bit_of: (0..NB)
                .map(|b| Constant::new(Bits::<NB>::from(1u64 << b)))
                .collect(),
            nids: (0..c)
                .map(|j| Constant::new(Bits::<NB>::from(j as u64)))
                .collect(),
            lane_off: (0..c).map(|j| c16((j * WB) as u64)).collect(),
            lane_bits: (0..c)
                .map(|j| Constant::new(only::<WORD>(j * WB..(j + 1) * WB)))
                .collect(),
            dids: (0..nd)
                .map(|d| Constant::new(Bits::<DISTANCE_BITS>::from(p.wlo as u64 + d as u64)))
                .collect(),
            lut_pot: f
                .lut_pot
                .iter()
                .map(|&v| Constant::new(Bits::<MUL_BITS>::from(v as u64)))
                .collect(),
            lut_dep: f
                .lut_dep
                .iter()
                .map(|&v| Constant::new(Bits::<MUL_BITS>::from(v as u64)))
                .collect(),
            k_pot: f
                .lut_pot
                .iter()
                .map(|&v| Constant::new(k_pot::<WB>(v, f.w_max, f.lut_frac_bits)))
                .collect(),
            k_dep: f
                .lut_dep
                .iter()
                .map(|&v| Constant::new(k_dep::<WB>(v, f.w_min, f.lut_frac_bits)))
                .collect(),
            op_pot: Constant::new(StdpOp::Pot.code().into()),
            op_dep: Constant::new(StdpOp::Dep.code().into()),
            op_pen: Constant::new(StdpOp::Pen.code().into()),
            w_min: Constant::new(twos::<WB>(f.w_min as i64)),
            k_pen: Constant::new(k_pen(f.penalty, f.lut_frac_bits)),
            lut_shift: Constant::new(Bits::<8>::from(f.lut_frac_bits as u64)),
            w_sign: Constant::new(Bits::<WB>::from(1u64 << (WB - 1))),
            _k: p.k,
            _nd: nd,
        }
    }
}

/// The constant of a potentiation at table entry `lut`, modulo `2^PROD_W`.
///
/// SPEC's `w + round(lut * (w_max - w))` (round half up, `L = lut_frac_bits` fraction bits) is
/// `floor((w * 2^L + half + lut * (w_max - w)) / 2^L)` with `half = 2^(L-1)`; with
/// `u = w + 2^(WB-1)` that is `floor((w * 2^L + k - lut * u) / 2^L)` where
/// `k = half + lut * (w_max + 2^(WB-1))`. The hardware thus multiplies the weight as read,
/// with no bound distance computed before the multiplier.
pub fn k_pot<const WB: usize>(lut: u32, w_max: i32, lut_frac_bits: u32) -> Bits<PROD_W> {
    let half = 1i128 << (lut_frac_bits - 1);
    k_bits(half + lut as i128 * (w_max as i128 + (1i128 << (WB - 1))))
}

/// The constant of a depression at table entry `lut`, modulo `2^PROD_W`.
///
/// SPEC's `w - round(lut * (w - w_min))` is `w - floor(x / 2^L)` with
/// `x = lut * (w - w_min) + half`, and `w - floor(x / 2^L) = floor((w * 2^L + 2^L - 1 - x) / 2^L)`
/// for every integer `x`; with `u = w + 2^(WB-1)` that is `floor((w * 2^L + k - lut * u) / 2^L)`
/// where `k = 2^L - 1 - half + lut * (w_min + 2^(WB-1))`, the same form as [`k_pot`].
pub fn k_dep<const WB: usize>(lut: u32, w_min: i32, lut_frac_bits: u32) -> Bits<PROD_W> {
    let half = 1i128 << (lut_frac_bits - 1);
    k_bits(
        (1i128 << lut_frac_bits) - 1 - half + lut as i128 * (w_min as i128 + (1i128 << (WB - 1))),
    )
}

/// The constant of the penalty, modulo `2^PROD_W`: with `lut = 0` the update form gives
/// `floor((w * 2^L - penalty * 2^L) / 2^L) = w - penalty`, exact wherever it is used (`w >=
/// w_min + penalty`; below, the floor `w_min` is muxed in). The penalty thus shares the
/// subtraction instead of adding a mux level after it.
pub fn k_pen(penalty: i32, lut_frac_bits: u32) -> Bits<PROD_W> {
    k_bits(-(penalty as i128) << lut_frac_bits)
}

fn k_bits(k: i128) -> Bits<PROD_W> {
    Bits::<PROD_W>::from((k & ((1i128 << PROD_W) - 1)) as u64)
}

/// The offset-binary constant of the penalty's floor test `w >= floor` for `WB`-bit weights,
/// or `2^WB` (never) when no weight reaches it.
pub(crate) fn pen_floor<const WB: usize>(floor: i64) -> u64 {
    if floor >= 1 << (WB - 1) {
        1 << WB
    } else {
        flipped::<WB>(floor).to_u64()
    }
}

/// `Bits<B>` with the bits of `set` set: the mask of one lane of a word. Built bit by bit
/// because words may be wider than any Rust integer.
pub(crate) fn only<const B: usize>(set: std::ops::Range<usize>) -> Bits<B> {
    let mut b = Bits::<B>::default();
    for i in set {
        b = b.replace_bit(i, true);
    }
    b
}

impl<
        const N: usize,
        const WB: usize,
        const WORD: usize,
        const AW: usize,
        const WAW: usize,
        const GB: usize,
        const NB: usize,
    > Logic for Stdp<N, WB, WORD, AW, WAW, GB, NB>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, sj, m, stdp_mask, v_b, op_b, d_b, lane_b, addr_b, v_c, op_c, lane_c,
            addr_c, word_c, w_c, prod_lo_c, lut_c, u_hi_c, k_c, begin_r
        );
        self.cw.clock.next = self.clock.val();
        for k in 0..self._k {
            self.cw.r_in[k].next = self.lag_r[k].val();
            self.cw.q_in[k].next = self.lag_q[k].val();
            self.low_lag.q[k].next = self.lag_q[k].val();
        }

        // Stage C: the new lane value, written back into the word read two cycles ago.
        self.mul_hi.a.next = self.lut_c.q.val();
        self.mul_hi.b.next = self.u_hi_c.q.val();
        // Only one subtraction follows the multiplier: the rest of the sum is formed beside it.
        self.base.next = (bit_cast::<PROD_W, WB>(self.w_c.q.val()) << self.lut_shift.val())
            + self.k_c.q.val()
            - self.prod_lo_c.q.val();
        self.upd.next = self.base.val() - (self.mul_hi.p.val() << self.split.val());
        self.pen_ge_min.x.next = self.w_c.q.val() ^ self.w_sign.val();
        self.value.next = bit_cast::<WB, PROD_W>(self.upd.val() >> self.lut_shift.val());
        // The penalty's `w - penalty` is `upd` too (see `k_pen`); its floor `w_min` is decided
        // from registers and goes into `wdata`.
        self.floor_c.next = (self.op_c.q.val() == self.op_pen.val()) & !self.pen_ge_min.ge.val();
        self.we.next = self.v_c.q.val();
        self.waddr.next = self.addr_c.q.val();
        // The new value in every lane, and the mask of lane `lane_c`: one AND-OR level per
        // bit (a chain of N lane muxes was on the critical path).
        self.value_rep.next = 0.into();
        self.w_min_rep.next = 0.into();
        self.lane_mask.next = 0.into();
        for j in 0..self._c {
            self.value_rep.next = self.value_rep.val()
                | (bit_cast::<WORD, WB>(self.value.val()) << self.lane_off[j].val());
            self.w_min_rep.next = self.w_min_rep.val()
                | (bit_cast::<WORD, WB>(self.w_min.val()) << self.lane_off[j].val());
            if self.lane_c.q.val() == self.nids[j].val() {
                self.lane_mask.next = self.lane_bits[j].val();
            }
        }
        self.wnew.next = self.value_rep.val();
        self.wsel.next = self.lane_mask.val();
        self.wdata.next = self.word_c.q.val() & !self.lane_mask.val();
        if self.floor_c.val() {
            self.wsel.next = 0.into();
            self.wdata.next = (self.word_c.q.val() & !self.lane_mask.val())
                | (self.w_min_rep.val() & self.lane_mask.val());
        }
        // The sweep's write (never in a cycle of stage C): the updated word.
        for i in 0..self._nz {
            if self.norm[i].swe.val() {
                self.we.next = true;
                self.waddr.next = self.norm[i].waddr.val();
                self.wsel.next = 0.into();
                self.wdata.next = self.norm[i].uword.val();
            }
        }

        // Stage B: the lane arrives from weight_mem and goes straight into the multiplier (in
        // offset binary, `u = w + 2^(WB-1)`); the table entry and constant come from registers.
        self.w.next = self.lane_w.val();
        self.lut.next = 0.into();
        self.k.next = 0.into();
        for d in 0..self._nd {
            if self.d_b.q.val() == self.dids[d].val() {
                self.lut.next = self.lut_dep[d].val();
                self.k.next = self.k_dep[d].val();
                if self.op_b.q.val() == self.op_pot.val() {
                    self.lut.next = self.lut_pot[d].val();
                    self.k.next = self.k_pot[d].val();
                }
            }
        }
        if self.op_b.q.val() == self.op_pen.val() {
            self.lut.next = 0.into();
            self.k.next = self.k_pen.val();
        }
        self.u_x.next = bit_cast::<MUL_BITS, WB>(self.w.val() ^ self.w_sign.val());
        self.mul_lo.a.next = self.lut.val();
        self.mul_lo.b.next = self.u_x.val() & self.u_lo_mask.val();
        self.v_c.d.next = self.v_b.q.val();
        if self.v_b.q.val() {
            self.op_c.d.next = self.op_b.q.val();
            self.lane_c.d.next = self.lane_b.q.val();
            self.addr_c.d.next = self.addr_b.q.val();
            self.word_c.d.next = self.word.val();
            self.w_c.d.next = self.w.val();
            self.prod_lo_c.d.next = self.mul_lo.p.val();
            self.lut_c.d.next = self.lut.val();
            self.u_hi_c.d.next = self.u_x.val() >> self.split.val();
            self.k_c.d.next = self.k.val();
        }

        self.m_ge_t.x.next = self.m.q.val();
        // Outputs control and spike_gen use in this cycle: from registers and inputs only,
        // through locals of their own (see `crate::core`).
        self.lane_sel.next = self.lane_b.q.val();
        self.begin_class.next = self.begin_r.q.val();
        self.walk_done.next = self.cw.done.val()
            & (self.m_ge_t.ge.val() | (self.m.q.val() >= self.t.val() + self.whi.val()));
        self.class_next.next = self.cw.class_next.val();
        // The walk's inputs whose outputs come back within the cycle.
        self.cw.walk.next = self.walk.val();
        self.cw.follow.next = self.v_b.q.val() & (self.next_q.val() != self.nil.val());
        self.cw.sweep.next = false;
        self.cw.pop.next = false;
        self.cw.pop_next.next = false;
        self.more.next = self.drain.val() & self.stdp_mask.q.val().any();
        // Stage A's read address: follow the list, else the head of the selected class, or the
        // head of the silent list for the penalty.
        self.raddr.next = self.head.val();
        if self.v_b.q.val() & (self.next_q.val() != self.nil.val()) {
            self.raddr.next = self.next_q.val();
        }
        if self.pen_start.val() {
            self.raddr.next = self.head_silent.val();
        }
        // The same choice for weight_mem, in the neuron's group's words with lane groups (its
        // own statements: `raddr` is read within the cycle, `wa` feeds `addr_b`).
        self.wa0.next = bit_cast::<WAW, AW>(self.head.val());
        if self.v_b.q.val() & (self.next_q.val() != self.nil.val()) {
            self.wa0.next = bit_cast::<WAW, AW>(self.next_q.val());
        }
        if self.pen_start.val() {
            self.wa0.next = bit_cast::<WAW, AW>(self.head_silent.val());
        }
        self.wa.next = self.wa0.val();
        self.lane_sj.next = self.sj.q.val();
        self.lane_win.next = self.winner.val();
        for z in 0..self._ln {
            self.ssplit[z].j.next = self.sj.q.val();
            self.wsplit[z].j.next = self.winner.val();
            self.lane_sj.next = self.ssplit[z].l.val();
            self.lane_win.next = self.wsplit[z].l.val();
            self.sbase[z].next = 0.into();
            self.wbase[z].next = 0.into();
            for g in 0..self._g {
                if self.ssplit[z].g.val() == self.g_id[g].val() {
                    self.sbase[z].next = self.g_base[g].val();
                }
                if self.wsplit[z].g.val() == self.g_id[g].val() {
                    self.wbase[z].next = self.g_base[g].val();
                }
            }
            self.wa.next = self.wa0.val() + self.sbase[z].val();
            if self.pen_start.val() | self.pen_walk.val() {
                self.wa.next = self.wa0.val() + self.wbase[z].val();
            }
        }
        self.wraddr.next = self.wa.val();
        // Row normalization: the sweep, the winner's row sum (every row's sum follows stage C's
        // writes with one lane per neuron), NormMul and the pending update.
        for i in 0..self._nz {
            self.norm[i].clock.next = self.clock.val();
            self.norm[i].start.next = self.sum_start[i].val();
            self.norm[i].learn.next = self.n_learn[i].val();
            self.norm[i].ins.next = self.ins[i].val();
            self.norm[i].ins_a.next = self.ins_a[i].val();
            self.norm[i].ins_s.next = self.ins_s[i].val();
            self.norm[i].nm_begin.next = self.nm_begin[i].val();
            self.norm[i].nm_step.next = self.nm_step[i].val();
            self.norm[i].finish.next = self.n_finish[i].val();
            self.norm[i].win_lane.next = self.lane_win.val();
            self.norm[i].winner_valid.next = self.winner_valid[i].val();
            self.norm[i].craddr.next = self.craddr[i].val();
            self.norm[i].host_mode.next = self.host_mode[i].val();
            self.norm[i].host_we.next = self.host_we[i].val();
            self.norm[i].host_addr.next = self.host_addr[i].val();
            self.norm[i].word.next = self.word.val();
            self.n_rd[i].next = self.norm[i].rd.val();
            self.n_raddr[i].next = self.norm[i].raddr.val();
            self.nm_last[i].next = self.norm[i].nm_last.val();
            self.n_rdata[i].next = self.norm[i].uword.val();
        }
        for z in 0..self._nz1 {
            self.wval[z].next = self.value.val();
            if self.floor_c.val() {
                self.wval[z].next = self.w_min.val();
            }
            self.norm[z].we[0].next = self.v_c.q.val();
            self.norm[z].lane_c[0].next = self.lane_c.q.val();
            self.norm[z].w_c[0].next = self.w_c.q.val();
            self.norm[z].wval[0].next = self.wval[z].val();
        }
        for z in 0..self._nzl {
            self.norm[z].win_base[0].next = self.wbase[z].val();
            self.norm[z].sum[0].next = self.n_sum[z].val();
            self.n_sum_end[z].next = self.norm[z].sum_end[0].val();
        }
        self.pen_done.next =
            self.pen_walk.val() & !(self.v_b.q.val() & (self.next_q.val() != self.nil.val()));

        // Stage A: the walk.
        self.follow.next = self.v_b.q.val() & (self.next_q.val() != self.nil.val());
        self.m1.next = self.m.q.val() + 1;
        self.d_before.next = self.t.val() - self.m.q.val();
        self.d_after.next = self.m.q.val() - self.t.val();
        self.in_win1.next = (self.m1.val() >= self.t.val() + self.wlo.val())
            | (self.m1.val() + self.wlo.val() <= self.t.val());
        self.in_win_lag.next = (self.lag_m.val() >= self.t.val() + self.wlo.val())
            | (self.lag_m.val() + self.wlo.val() <= self.t.val());
        self.m_end.next = self.m_ge_t.ge.val() | (self.m.q.val() >= self.t.val() + self.whi.val());
        self.nsrc.next = self.spikes.val();
        if self.drain.val() {
            self.nsrc.next = self.stdp_mask.q.val();
        }
        self.nlow.next = self.nsrc.val() & (!self.nsrc.val() + 1);
        // `nlow` is one-hot: each bit of its index is the OR of the neurons with that bit set
        // (a tree; a priority chain over the N bits was the longest path at N = 100).
        self.nsj_acc[0].next = 0.into();
        if (self.nlow.val() & self.id_bit[0].val()).any() {
            self.nsj_acc[0].next = self.bit_of[0].val();
        }
        for b in 1..NB {
            self.nsj_acc[b].next = self.nsj_acc[b - 1].val();
            if (self.nlow.val() & self.id_bit[b].val()).any() {
                self.nsj_acc[b].next = self.nsj_acc[b - 1].val() | self.bit_of[b].val();
            }
        }
        for b in (NB - 1)..NB {
            self.nsj.next = self.nsj_acc[b].val();
        }

        // The walk: a neuron's starts at m0 = lag_m (its counters and classes, the window
        // applied); each step's classes are taken lowest first, then m advances (the window
        // applied to the next step's) until the last m.
        self.cw.load.next =
            self.walk_start.val() | (self.drain.val() & self.stdp_mask.q.val().any());
        self.cw.mask_in.next = 0.into();
        if self.in_win_lag.val() {
            self.cw.mask_in.next = self.lag_mask.val();
        }
        self.cw.more.next = !self.m_end.val();
        self.cw.gate.next = self.in_win1.val();
        self.v_b.d.next = false;
        if self.walk_start.val() | (self.drain.val() & self.stdp_mask.q.val().any()) {
            self.sj.d.next = self.nsj.val();
            self.stdp_mask.d.next = self.nsrc.val() ^ self.nlow.val();
            self.m.d.next = self.lag_m.val();
        }
        if self.walk.val() {
            if self.follow.val() {
                self.v_b.d.next = true;
                self.addr_b.d.next = self.wa.val();
            } else if self.cw.pend.val().any() {
                if self.head.val() != self.nil.val() {
                    self.v_b.d.next = true;
                    self.addr_b.d.next = self.wa.val();
                    self.lane_b.d.next = self.lane_sj.val();
                    if self.m.q.val() < self.t.val() {
                        self.op_b.d.next = self.op_pot.val();
                        self.d_b.d.next = self.d_before.val();
                    } else {
                        self.op_b.d.next = self.op_dep.val();
                        self.d_b.d.next = self.d_after.val();
                    }
                }
            } else if !self.m_end.val() {
                self.m.d.next = self.m1.val();
            }
        }
        if self.pen_start.val() & (self.head_silent.val() != self.nil.val()) {
            self.v_b.d.next = true;
            self.addr_b.d.next = self.wa.val();
            self.op_b.d.next = self.op_pen.val();
            self.d_b.d.next = 0.into();
            self.lane_b.d.next = self.lane_win.val();
        }
        if self.pen_walk.val() & self.follow.val() {
            self.v_b.d.next = true;
            self.addr_b.d.next = self.wa.val();
        }
        // The first class of a walk starting at lag_m, registered (see `begin_class`).
        self.low_lag.mask.next = self.lag_mask.val();
        self.begin_r.d.next = self.low_lag.cls.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testing::{lint_and_synth, tick};
    use crate::norm::testing::{norm_mul, present, start_image, unit, unword, word, written};
    use snn_arch::StepCounters;
    use snn_arch::MAX_LANES;
    use snn_core::config::SnnConfig;
    use snn_sim::stdp::{Stdp as Model, StdpCmd, StdpIn};
    use snn_sim::NeuronMask;

    type Uut = Stdp<2, 10, 20, 3, 3, 1>;

    /// Stage C's `(w * 2^L + k - lut * u) >> L`, in the hardware's `PROD_W`-bit arithmetic
    /// and `WB`-bit result, is SPEC's update for every weight in `[w_min, w_max]`, every
    /// distance and both directions (the two formats of the presets and a wide one).
    #[test]
    fn update_constants_reproduce_the_fixed_point_rule() {
        fn check<const WB: usize>(cfg: &SnnConfig) {
            let f = snn_core::fixed::FixedFormat::new(cfg).unwrap();
            let l = f.lut_frac_bits;
            let modp = |x: i128| x & ((1i128 << PROD_W) - 1);
            let hw = |w: i32, lut: u32, k: Bits<PROD_W>| {
                let u = w as i128 + (1i128 << (WB - 1));
                let sum = modp((w as i128) * (1i128 << l) + k.to_u64() as i128 - lut as i128 * u);
                let v = (sum >> l) & ((1i128 << WB) - 1);
                (v - ((v >> (WB - 1)) << WB)) as i32
            };
            for (i, (&lp, &ld)) in f.lut_pot.iter().zip(&f.lut_dep).enumerate() {
                let d = f.window_lo + i as u32;
                let (kp, kd) = (k_pot::<WB>(lp, f.w_max, l), k_dep::<WB>(ld, f.w_min, l));
                for w in f.w_min..=f.w_max {
                    assert_eq!(hw(w, lp, kp), f.potentiate(w, d), "pot w {w} d {d}");
                    assert_eq!(hw(w, ld, kd), f.depress(w, d), "dep w {w} d {d}");
                }
            }
            let kn = k_pen(f.penalty, l);
            for w in f.w_min + f.penalty..=f.w_max {
                assert_eq!(hw(w, 0, kn), f.penalize(w), "pen w {w}");
            }
        }
        check::<10>(&SnnConfig::default());
        check::<9>(&SnnConfig::small());
        let mut wide = SnnConfig::default();
        wide.fixed.weight_bits = 16;
        wide.fixed.frac_bits = 12;
        wide.fixed.lut_frac_bits = 24;
        wide.fixed.potential_bits = 28;
        check::<16>(&wide);
    }

    fn clk(u: &mut Uut, clk: bool) {
        u.clock.next = Clock { clk };
    }

    /// The stub context of `snn_sim::stdp`'s own test, for the RTL and the model side by side:
    /// period 40 (class 10) holds inputs 3 -> 1, the silent list 2 -> 0; both neurons fire at
    /// t = 60, then the winner (1) gets the penalty. Every cycle the RTL presents the model's read
    /// address and write, the walk status agrees, and the memories end equal.
    #[test]
    fn walks_and_penalty_like_the_cycle_model() {
        let p = HwParams::new(&SnnConfig {
            neurons: 2,
            height: 2,
            width: 2,
            ..SnnConfig::default()
        })
        .unwrap();
        let f = &p.format;
        let mut head = vec![p.nil; p.nc];
        head[10] = 3;
        // Inputs 0..4; the rest of the 2^AW words only answer reads of unused addresses.
        let next = [p.nil, p.nil, 0, 1, p.nil, p.nil, p.nil, p.nil];
        let head_silent = 2;
        let init = [
            [100i32, -50],
            [7, 8],
            [-300, 380],
            [0, 1],
            [0, 0],
            [0, 0],
            [0, 0],
            [0, 0],
        ];
        let (mut mem, mut mem_m) = (init, init);
        let t = 60;
        let mut lag = StepCounters::one();
        for _ in 1..t - p.whi {
            lag.advance(&p);
        }
        let lane = |w: i32| (w as i64 as u64) & 0x3ff;
        let word = |w: [i32; 2]| lane(w[0]) | lane(w[1]) << 10;
        let mut uut = Uut::new(&p);
        uut.connect_all();
        uut.t.next = (t as u64).into();
        uut.lag_m.next = ((t - p.whi) as u64).into();
        for k in 0..p.k {
            uut.lag_r[k].next = (lag.r[k] as u64).into();
            uut.lag_q[k].next = (lag.q[k] as u64).into();
        }
        uut.lag_mask.next = lag.mask(&p).into();
        uut.spikes.next = 0b11u64.into();
        uut.winner.next = 1u64.into();
        uut.head_silent.next = (head_silent as u64).into();
        let mut model = Model::new();
        let (mut next_q, mut word_q) = (0u32, [0i32; MAX_LANES]);
        let (mut rtl_next, mut rtl_word) = (0u32, [0i32; 2]);
        let mut cmd = StdpCmd::Begin {
            spikes: NeuronMask::from_fn(2, |_| true),
        };
        // The lag counters were set when the step began (Int), a cycle before Fire starts a walk.
        assert!(simulate(&mut uut, 1000));
        tick(&mut uut, clk);
        // spike_gen shows the head of the class stdp selected at the previous edge.
        let mut class_read = 0;
        for cycle in 0..400 {
            uut.walk_start.next = matches!(cmd, StdpCmd::Begin { .. });
            uut.walk.next = cmd == StdpCmd::Walk;
            uut.drain.next = cmd == StdpCmd::Drain;
            uut.pen_start.next = matches!(cmd, StdpCmd::PenStart { .. });
            uut.pen_walk.next = cmd == StdpCmd::PenWalk;
            uut.next_q.next = (rtl_next as u64).into();
            uut.word.next = word(rtl_word).into();
            assert!(simulate(&mut uut, 1000));
            uut.head.next = (*head.get(class_read).unwrap_or(&p.nil) as u64).into();
            uut.lane_w.next = lane(rtl_word[uut.lane_sel.val().index()]).into();
            assert!(simulate(&mut uut, 1000));
            let inp = StdpIn {
                cmd,
                t,
                lag_m: t - p.whi,
                lag: &lag,
                head: &head,
                head_silent,
                next_q,
                word_q: &word_q,
                replay: None,
            };
            let write = model.write_port(&p);
            if let Some((a, l, v)) = write {
                mem_m[a as usize] = [model.word_c[0], model.word_c[1]];
                mem_m[a as usize][l as usize] = v;
            }
            let out = model.clock(&inp, &p);
            if let Some(a) = out.rd {
                next_q = next[a as usize];
                word_q[..2].copy_from_slice(&mem_m[a as usize]);
                assert_eq!(
                    uut.raddr.val().to_u64() as u32,
                    a,
                    "read address, cycle {cycle}"
                );
            }
            assert_eq!(uut.we.val(), write.is_some(), "write, cycle {cycle}");
            assert_eq!(
                (uut.walk_done.val(), uut.more.val(), uut.pen_done.val()),
                (out.walk_done, out.more, out.pen_done),
                "status, cycle {cycle}"
            );
            // control's choice: a walk starting at this edge reads stdp's begin class.
            class_read = match cmd {
                StdpCmd::Begin { .. } => uut.begin_class.val().index(),
                StdpCmd::Drain if out.more => uut.begin_class.val().index(),
                _ => uut.class_next.val().index(),
            };
            // The RTL's memory: read-first, then the write.
            let a = uut.raddr.val().index();
            rtl_next = next[a];
            rtl_word = mem[a];
            if uut.we.val() {
                let w =
                    (uut.wnew.val() & uut.wsel.val() | uut.wdata.val() & !uut.wsel.val()).to_u64();
                let sx = |v: u64| ((v << 54) as i64 >> 54) as i32;
                mem[uut.waddr.val().index()] = [sx(w & 0x3ff), sx(w >> 10)];
            }
            tick(&mut uut, clk);
            cmd = match cmd {
                StdpCmd::Drain if !out.more => StdpCmd::PenStart { winner: 1 },
                StdpCmd::Drain => StdpCmd::Walk,
                StdpCmd::PenWalk if out.pen_done => StdpCmd::Hold,
                StdpCmd::PenStart { .. } | StdpCmd::PenWalk => StdpCmd::PenWalk,
                StdpCmd::Hold => break,
                _ if out.walk_done => StdpCmd::Drain,
                _ => StdpCmd::Walk,
            };
        }
        assert_eq!(cmd, StdpCmd::Hold, "the walks ended");
        assert_eq!(mem, mem_m);
        let both = |w| f.depress(f.potentiate(w, 20), 20);
        assert_eq!(mem[3], [both(0), both(1)]);
        assert_eq!(mem[1], [both(7), both(8)]);
        assert_eq!(mem[2], [-300, f.penalize(380)]);
        assert_eq!(mem[0], [100, f.penalize(-50)]);
    }

    /// Row normalization against the cycle model, cycle by cycle, over three images on a
    /// 2 x 2 input (M = 4): the sweep of a training image (reads, writes, silent tags, the sum
    /// stage and the row sums with the penalty, compared every cycle), NormMul (the last cycle flagged on the same cycle), Done leaving the
    /// winner's update pending, the host port in Idle (`host_rdata` with the update applied, a
    /// host write that the update must then skip), then a training image whose sweep applies
    /// the update (insertions with gaps) and an inference image that applies the second one.
    /// The memories end equal, and the first update is the fixed model's penalty and
    /// normalization of the winner's row. Targets on both sides of the row's sum, so `delta` is
    /// negative and positive and the clamps are reached.
    #[test]
    fn normalization_like_the_cycle_model() {
        for target in [0.25, 1.5, 3.9] {
            normalize_once(target);
        }
    }

    fn normalize_once(target: f64) {
        let p = HwParams::new(&SnnConfig {
            neurons: 2,
            height: 2,
            width: 2,
            norm_target: target,
            ..SnnConfig::default()
        })
        .unwrap();
        assert!(p.normalization && p.m == 4);
        let f = &p.format;
        let (w_lo, w_hi) = (f.w_min, f.w_max);
        let init = [
            [100i32, -50],
            [7, w_hi],
            [-300, 380.min(w_hi)],
            [w_lo, 1],
            [0, 0],
            [0, 0],
            [0, 0],
            [0, 0],
        ];
        let (mut mem, mut mem_m) = (init, init);
        let winner = 1u32;
        let (mut uut, mut model): (Uut, _) = unit(&p);
        uut.winner.next = (winner as u64).into();
        let mut word_q = [0i32; MAX_LANES];
        let mut rtl_word = [0i32; 2];
        // Per image: learn, the cycle of each insertion, the silent inputs.
        let images: [(bool, [usize; 4], [bool; 4]); 3] = [
            (true, [0, 1, 2, 3], [true, false, true, false]),
            (true, [1, 2, 4, 7], [false, true, true, false]),
            (false, [0, 2, 3, 4], [true, true, false, false]),
        ];
        for (k, &(learn, at, silent)) in images.iter().enumerate() {
            // Idle with start, then the sweep with its two tail cycles (the last word's write
            // and its sum).
            start_image(&mut uut, &mut model, learn);
            for cycle in 0..at[3] + 3 {
                let ins = present(&mut uut, (at, silent), cycle, rtl_word);
                let what = format!("target {target}, image {k}, cycle {cycle}");
                // The registers before this edge.
                let rows = &uut.norm[0].rows[0];
                let sums: Vec<i32> = rows
                    .rsum
                    .iter()
                    .map(|r| {
                        let shift = 64 - snn_arch::widths::ROW_SUM_BITS;
                        ((r.sum.val().to_u64() << shift) as i64 >> shift) as i32
                    })
                    .collect();
                assert_eq!(sums, model.rsum[..2], "row sums, {what}");
                assert_eq!(rows.sum_v.q.val(), model.sum_v, "sum stage, {what}");
                let out = model.sweep_cycle(ins, &word_q[..2], learn, &p);
                let rd = uut.n_rd[0]
                    .val()
                    .then(|| uut.n_raddr[0].val().to_u64() as u32);
                assert_eq!(rd, out.rd, "read, {what}");
                assert_eq!(uut.we.val(), out.write.is_some(), "write, {what}");
                // The RTL's memory: read-first (the data register holds without a read), then
                // the write; the model's likewise.
                if let Some(a) = rd {
                    rtl_word = mem[a as usize];
                }
                if let Some((a, w)) = written(&uut) {
                    mem[a] = w;
                }
                let q = [word_q[0], word_q[1]];
                if let Some((a, l, v)) = out.write {
                    mem_m[a as usize] = q;
                    mem_m[a as usize][l as usize] = v;
                }
                if let Some(a) = out.rd {
                    word_q[..2].copy_from_slice(&mem_m[a as usize]);
                }
                tick(&mut uut, clk);
            }
            uut.ins[0].next = false;
            assert_eq!(mem, mem_m, "after the sweep, target {target}, image {k}");
            assert!(!model.sum_v, "the last word summed");
            // End, NormMul, Done.
            uut.nm_begin[0].next = true;
            tick(&mut uut, clk);
            model.begin_norm_mul();
            uut.nm_begin[0].next = false;
            if learn {
                let what = format!("target {target}, image {k}");
                norm_mul(&mut uut, &mut model, winner, &p, &what);
            }
            uut.n_finish[0].next = true;
            tick(&mut uut, clk);
            model.set_pending(learn, true, winner);
            uut.n_finish[0].next = false;
            // Idle: the host reads every word (its tag read beside it), then writes word 2.
            uut.host_mode[0].next = true;
            for i in 0..p.m {
                uut.host_addr[0].next = (i as u64).into();
                tick(&mut uut, clk);
                uut.word.next = word(mem[i]).into();
                assert!(simulate(&mut uut, 1000));
                let mut want = mem_m[i];
                if let Some(v) = model.pending_value(&mem_m[i], model.tag[i], &p) {
                    want[winner as usize] = v;
                }
                let got = unword(uut.n_rdata[0].val().to_u64());
                assert_eq!(got, want, "host_rdata {i}, target {target}, image {k}");
                if k == 0 {
                    // The first update is SPEC's: the penalty where silent, then the step
                    // of the penalized row's sum.
                    let pen = |i: usize| {
                        let w = init[i][1];
                        if silent[i] {
                            f.penalize(w)
                        } else {
                            w
                        }
                    };
                    let delta = f.norm_delta((0..4).map(|i| pen(i) as i64).sum());
                    assert_eq!(got, [init[i][0], f.normalize(pen(i), delta)], "input {i}");
                }
            }
            uut.host_we[0].next = true;
            uut.host_addr[0].next = 2u64.into();
            tick(&mut uut, clk);
            uut.host_we[0].next = false;
            mem[2] = [-1, 2];
            mem_m[2] = [-1, 2];
            model.host_tag(2, 0, &p);
        }
    }

    #[test]
    fn stdp_synthesizes_without_latches() {
        let p = HwParams::new(&SnnConfig::default()).unwrap();
        lint_and_synth(&mut Stdp::<10, 10, 100, 10, 10, 1>::new(&p), "stdp");
    }

    #[test]
    fn stdp_with_normalization_synthesizes_without_latches() {
        let p = HwParams::new(&SnnConfig {
            neurons: 10,
            ..SnnConfig::learning()
        })
        .unwrap();
        assert!(p.normalization);
        lint_and_synth(&mut Stdp::<10, 10, 100, 10, 10, 1>::new(&p), "stdp_norm");
    }
}
