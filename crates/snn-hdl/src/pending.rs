//! The value of the pending normalization update of one weight (`U(word, tag)`'s lane,
//! docs/ARCHITECTURE.md "Sweep"): `min(max(w1 + delta, w_min), w_max)` with `w1 = silent ?
//! max(w - penalty, w_min) : w`.
//!
//! It sits between weight_mem's read data and its write data, so it is built for depth rather
//! than size: both candidates are computed beside each other from `w` as read, and the tag's
//! silent bit only picks one at the end. `max(w - penalty, w_min) + delta` is `w + (delta -
//! penalty)` when `w >= w_min + penalty`, else the constant `w_min + delta`; each sum is a
//! `WB`-bit add whose clamp is decided by comparisons of `w` with bounds registered from `delta`
//! (see [`Bounds`]), so no `delta`-wide carry chain follows the read.

use crate::cmp::AtLeast;
use crate::neuron::{flipped, twos};
use crate::stdp::pen_floor;
use rust_hdl::prelude::*;
use snn_arch::widths::ROW_SUM_BITS;
use snn_arch::HwParams;

/// `delta`'s width.
const DB: usize = ROW_SUM_BITS;

/// `out = U`'s value of weight `w` under a pending update by `delta` (the bounds follow `delta`
/// one edge late: it moves only at NormMul's last edge, and `U` is used from the next Idle on).
#[derive(LogicBlock)]
pub struct Pending<const WB: usize> {
    pub clock: Signal<In, Clock>,
    pub delta: Signal<In, Bits<DB>>,
    pub w: Signal<In, Bits<WB>>,
    pub silent: Signal<In, Bit>,
    pub out: Signal<Out, Bits<WB>>,
    /// The bounds of `w + delta` and of `w + (delta - penalty)`.
    moved: Bounds<WB>,
    penalized: Bounds<WB>,
    /// `clamp(w + delta)`, `clamp(w + delta - penalty)` and `clamp(w_min + delta)`.
    plain: Clamp<WB>,
    above_floor: Clamp<WB>,
    at_floor: Clamp<WB>,
    /// `w >= w_min + penalty` (in offset binary).
    floor: AtLeast<WB>,
    w_min: Constant<Bits<WB>>,
    w_sign: Constant<Bits<WB>>,
}

impl<const WB: usize> Pending<WB> {
    pub fn new(p: &HwParams) -> Self {
        let f = &p.format;
        Pending {
            clock: Default::default(),
            delta: Default::default(),
            w: Default::default(),
            silent: Default::default(),
            out: Default::default(),
            moved: Bounds::new(p, 0),
            penalized: Bounds::new(p, f.penalty as i64),
            plain: Clamp::new(p),
            above_floor: Clamp::new(p),
            at_floor: Clamp::new(p),
            floor: AtLeast::new(pen_floor::<WB>(f.w_min as i64 + f.penalty as i64)),
            w_min: Constant::new(twos::<WB>(f.w_min as i64)),
            w_sign: Constant::new(Bits::<WB>::from(1u64 << (WB - 1))),
        }
    }
}

impl<const WB: usize> Logic for Pending<WB> {
    #[hdl_gen]
    fn update(&mut self) {
        self.moved.clock.next = self.clock.val();
        self.moved.delta.next = self.delta.val();
        self.penalized.clock.next = self.clock.val();
        self.penalized.delta.next = self.delta.val();
        self.plain.w.next = self.w.val();
        self.plain.lo.next = self.moved.lo.val();
        self.plain.lo_top.next = self.moved.lo_top.val();
        self.plain.hi.next = self.moved.hi.val();
        self.plain.hi_top.next = self.moved.hi_top.val();
        self.plain.d.next = self.moved.d.val();
        self.at_floor.w.next = self.w_min.val();
        self.at_floor.lo.next = self.moved.lo.val();
        self.at_floor.lo_top.next = self.moved.lo_top.val();
        self.at_floor.hi.next = self.moved.hi.val();
        self.at_floor.hi_top.next = self.moved.hi_top.val();
        self.at_floor.d.next = self.moved.d.val();
        self.above_floor.w.next = self.w.val();
        self.above_floor.lo.next = self.penalized.lo.val();
        self.above_floor.lo_top.next = self.penalized.lo_top.val();
        self.above_floor.hi.next = self.penalized.hi.val();
        self.above_floor.hi_top.next = self.penalized.hi_top.val();
        self.above_floor.d.next = self.penalized.d.val();
        self.floor.x.next = self.w.val() ^ self.w_sign.val();
        self.out.next = self.plain.out.val();
        if self.silent.val() {
            self.out.next = self.at_floor.out.val();
            if self.floor.ge.val() {
                self.out.next = self.above_floor.out.val();
            }
        }
    }
}

/// The clamp of `w + delta'` (`delta' = delta - k`) as comparisons of `w` itself, registered
/// from `delta` at every edge: `w + delta' < w_min` iff `w_f < lo_f` and `w + delta' > w_max`
/// iff `w_f >= hi_f`, where `w_f` is `w` in offset binary (in `[0, 2^WB)`), `lo_f = w_min -
/// delta' + 2^(WB-1)` and `hi_f = w_max + 1 - delta' + 2^(WB-1)`. Each bound is kept as its
/// low `WB` bits (`lo`, `hi`; 0 when the bound is negative, so that `w_f < 0` never holds and
/// `w_f >= 0` always does) and a flag that it is at least `2^WB` (`lo_top`: `w_f < lo_f` always
/// holds; `hi_top`: `w_f >= hi_f` never does); `d` is `delta'` modulo `2^WB`, which makes `w +
/// d` exact wherever the sum is not clamped.
#[derive(LogicBlock)]
pub struct Bounds<const WB: usize> {
    pub clock: Signal<In, Clock>,
    pub delta: Signal<In, Bits<DB>>,
    pub lo: Signal<Out, Bits<WB>>,
    pub lo_top: Signal<Out, Bit>,
    pub hi: Signal<Out, Bits<WB>>,
    pub hi_top: Signal<Out, Bit>,
    pub d: Signal<Out, Bits<WB>>,
    lo_r: DFF<Bits<WB>>,
    lo_top_r: DFF<Bit>,
    hi_r: DFF<Bits<WB>>,
    hi_top_r: DFF<Bit>,
    d_r: DFF<Bits<WB>>,
    /// `lo_f` and `hi_f` unsaturated, at `delta`'s width.
    lo_raw: Signal<Local, Bits<DB>>,
    hi_raw: Signal<Local, Bits<DB>>,
    /// `lo_f + delta` and `hi_f + delta`, and `k` modulo `2^WB`.
    lo_c: Constant<Bits<DB>>,
    hi_c: Constant<Bits<DB>>,
    k: Constant<Bits<WB>>,
    /// The sign bit at `delta`'s width, and the bits from `WB` up below it (set in a
    /// non-negative value iff it is at least `2^WB`).
    sign: Constant<Bits<DB>>,
    high: Constant<Bits<DB>>,
}

impl<const WB: usize> Bounds<WB> {
    /// The bounds for `delta - k`.
    pub fn new(p: &HwParams, k: i64) -> Self {
        let f = &p.format;
        let off = k + (1 << (WB - 1));
        Bounds {
            clock: Default::default(),
            delta: Default::default(),
            lo: Default::default(),
            lo_top: Default::default(),
            hi: Default::default(),
            hi_top: Default::default(),
            d: Default::default(),
            lo_r: Default::default(),
            lo_top_r: Default::default(),
            hi_r: Default::default(),
            hi_top_r: Default::default(),
            d_r: Default::default(),
            lo_raw: Default::default(),
            hi_raw: Default::default(),
            lo_c: Constant::new(twos::<DB>(f.w_min as i64 + off)),
            hi_c: Constant::new(twos::<DB>(f.w_max as i64 + 1 + off)),
            k: Constant::new(twos::<WB>(k)),
            sign: Constant::new(flipped::<DB>(0)),
            high: Constant::new(Bits::<DB>::from(
                ((1u64 << (DB - 1)) - 1) & !((1u64 << WB) - 1),
            )),
        }
    }
}

impl<const WB: usize> Logic for Bounds<WB> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, lo_r, lo_top_r, hi_r, hi_top_r, d_r);
        self.lo.next = self.lo_r.q.val();
        self.lo_top.next = self.lo_top_r.q.val();
        self.hi.next = self.hi_r.q.val();
        self.hi_top.next = self.hi_top_r.q.val();
        self.d.next = self.d_r.q.val();
        self.lo_raw.next = self.lo_c.val() - self.delta.val();
        self.hi_raw.next = self.hi_c.val() - self.delta.val();
        self.lo_r.d.next = bit_cast::<WB, DB>(self.lo_raw.val());
        if (self.lo_raw.val() & self.sign.val()).any() {
            self.lo_r.d.next = 0.into();
        }
        self.lo_top_r.d.next = !(self.lo_raw.val() & self.sign.val()).any()
            & (self.lo_raw.val() & self.high.val()).any();
        self.hi_r.d.next = bit_cast::<WB, DB>(self.hi_raw.val());
        if (self.hi_raw.val() & self.sign.val()).any() {
            self.hi_r.d.next = 0.into();
        }
        self.hi_top_r.d.next = !(self.hi_raw.val() & self.sign.val()).any()
            & (self.hi_raw.val() & self.high.val()).any();
        self.d_r.d.next = bit_cast::<WB, DB>(self.delta.val()) - self.k.val();
    }
}

/// `clamp(w + d)` to `[w_min, w_max]` with the bounds of a [`Bounds`]: a `WB`-bit add beside
/// two `WB`-bit comparisons.
#[derive(LogicBlock)]
pub struct Clamp<const WB: usize> {
    pub w: Signal<In, Bits<WB>>,
    pub lo: Signal<In, Bits<WB>>,
    pub lo_top: Signal<In, Bit>,
    pub hi: Signal<In, Bits<WB>>,
    pub hi_top: Signal<In, Bit>,
    pub d: Signal<In, Bits<WB>>,
    pub out: Signal<Out, Bits<WB>>,
    /// `w` in offset binary.
    w_f: Signal<Local, Bits<WB>>,
    w_min: Constant<Bits<WB>>,
    w_max: Constant<Bits<WB>>,
    w_sign: Constant<Bits<WB>>,
}

impl<const WB: usize> Clamp<WB> {
    pub fn new(p: &HwParams) -> Self {
        let f = &p.format;
        Clamp {
            w: Default::default(),
            lo: Default::default(),
            lo_top: Default::default(),
            hi: Default::default(),
            hi_top: Default::default(),
            d: Default::default(),
            out: Default::default(),
            w_f: Default::default(),
            w_min: Constant::new(twos::<WB>(f.w_min as i64)),
            w_max: Constant::new(twos::<WB>(f.w_max as i64)),
            w_sign: Constant::new(Bits::<WB>::from(1u64 << (WB - 1))),
        }
    }
}

impl<const WB: usize> Logic for Clamp<WB> {
    #[hdl_gen]
    fn update(&mut self) {
        self.w_f.next = self.w.val() ^ self.w_sign.val();
        self.out.next = self.w.val() + self.d.val();
        // `hi_f > lo_f`, so at most one of the two holds.
        if self.lo_top.val() | (self.w_f.val() < self.lo.val()) {
            self.out.next = self.w_min.val();
        }
        if !self.hi_top.val() & (self.w_f.val() >= self.hi.val()) {
            self.out.next = self.w_max.val();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testing::tick;
    use snn_core::config::SnnConfig;
    use snn_sim::stdp::{Stdp as Model, TAG_SILENT};

    /// For every weight in `[w_min, w_max]`, both tags and `delta` across and well beyond
    /// `[-(w_max - w_min), w_max - w_min]` (every value near a bound's saturation, a stride
    /// elsewhere), the block's value is the cycle model's `pending_value`.
    fn like_the_model<const WB: usize>(cfg: &SnnConfig) {
        let p = HwParams::new(cfg).unwrap();
        let f = &p.format;
        let mut model = Model::new();
        model.upd = true;
        let mut uut = Pending::<WB>::new(&p);
        uut.connect_all();
        let half = 1i32 << (WB - 1);
        let mut deltas: Vec<i32> = (-(4 << WB)..=(4 << WB)).step_by(23).collect();
        for edge in [
            f.w_min - half,
            f.w_min + half,
            f.w_max + 1 - half,
            f.w_max + 1 + half,
        ] {
            for k in [0, f.penalty] {
                deltas.extend(edge + k - 3..=edge + k + 3);
            }
        }
        // Far beyond any weight range, with the headroom a row sum's step has in `DB` bits.
        let far = 1i32 << (DB - 4);
        deltas.extend([0, 1, -1, 1 << 16, -(1 << 16), far, -far]);
        for delta in deltas {
            model.delta = delta;
            uut.delta.next = twos::<DB>(delta as i64);
            tick(&mut uut, |u, clk| u.clock.next = Clock { clk });
            for w in f.w_min..=f.w_max {
                for tag in [0, TAG_SILENT] {
                    uut.w.next = twos::<WB>(w as i64);
                    uut.silent.next = tag == TAG_SILENT;
                    assert!(simulate(&mut uut, 100), "settles");
                    let want = model.pending_value(&[w], tag, &p).unwrap();
                    assert_eq!(
                        uut.out.val(),
                        twos::<WB>(want as i64),
                        "w {w} delta {delta} tag {tag}"
                    );
                }
            }
        }
    }

    #[test]
    fn pending_value_like_the_cycle_model() {
        like_the_model::<10>(&SnnConfig::default());
        like_the_model::<9>(&SnnConfig::small());
    }
}
