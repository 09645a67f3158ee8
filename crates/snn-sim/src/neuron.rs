//! neuron: the registers of one leaky integrate-and-fire neuron (`pot`, `shown`, `free_at`, and
//! with homeostasis its adaptive threshold `theta` and its own threshold `thr_j`) and the
//! operations control applies to all N of them at once (each one clock edge of the neuron's
//! registers: the new values are computed from the current ones).
//!
//! [`Neuron`] is one neuron and its transfers; [`Neurons`] holds the N of them the machine has,
//! one array per register, and applies a [`Neuron`] transfer to every lane (loops the compiler
//! turns into vector instructions, where an array of structs would be a loop of scalar ones).

use crate::mask::NeuronMask;
use snn_arch::HwParams;

/// One neuron's registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Neuron {
    /// Membrane potential (`PB` bits).
    pub pot: i32,
    /// Last potential the WTA unit saw (frozen while refractory).
    pub shown: i32,
    /// First step at which the neuron integrates again (`t_rest = free_at - 1`).
    pub free_at: u32,
}

/// `c ? a : b` computed with a mask instead of a branch: written this way, a transfer applied to
/// four neurons in a row compiles to vector instructions.
#[inline(always)]
fn sel(c: bool, a: i32, b: i32) -> i32 {
    let m = -(c as i32);
    (a & m) | (b & !m)
}

/// `a <= b` for step values (`t`, `free_at`: far below `2^31`), as a signed comparison, which
/// the vector instructions have.
#[inline(always)]
fn not_after(a: u32, b: u32) -> bool {
    (a as i32) <= (b as i32)
}

impl Neuron {
    pub fn new(p: &HwParams) -> Self {
        Neuron {
            pot: p.format.p_rest,
            shown: p.format.p_rest,
            free_at: 0,
        }
    }

    /// The neuron's spike comparator (`pot >= thr`, `thr` its own threshold `thr + theta`).
    #[inline]
    pub fn fires(&self, thr: i32) -> bool {
        self.pot >= thr
    }

    /// The WTA trigger comparator (`shown > thr`, i.e. `shown - theta > thr + 0`).
    #[inline]
    pub fn above(&self, thr: i32) -> bool {
        self.shown > thr
    }

    /// Stage B of Int at step `t`: a non-refractory neuron adds its lane of the weight word.
    #[inline(always)]
    pub fn accumulate(&mut self, t: u32, lane: i32, p: &HwParams) {
        self.pot = Self::accumulated(self.pot, self.free_at, t, lane, p);
    }

    /// [`Neuron::accumulate`] on the registers it reads (a refractory neuron adds 0).
    #[inline(always)]
    fn accumulated(pot: i32, free_at: u32, t: u32, lane: i32, p: &HwParams) -> i32 {
        let pot = p.format.integrate(pot, sel(not_after(free_at, t), lane, 0));
        debug_assert!(
            (pot as i64) >= -(1i64 << (p.widths.potential - 1))
                && (pot as i64) < (1i64 << (p.widths.potential - 1)),
            "pot {pot} overflows {} bits",
            p.widths.potential
        );
        pot
    }

    /// Last cycle of Int at step `t` (after stage B): a non-refractory neuron leaks and
    /// publishes its potential to the WTA unit.
    #[inline(always)]
    pub fn complete(&mut self, t: u32, p: &HwParams) {
        (self.pot, self.shown) = Self::completed(self.pot, self.shown, self.free_at, t, p);
    }

    /// [`Neuron::complete`] on the registers it reads: the new `pot` and `shown`.
    #[inline(always)]
    fn completed(pot: i32, shown: i32, free_at: u32, t: u32, p: &HwParams) -> (i32, i32) {
        let active = not_after(free_at, t);
        let leaked = p.format.leak(pot);
        (sel(active, leaked, pot), sel(active, leaked, shown))
    }

    /// Fire at step `t`: `pot >= thr` spikes (`pot = p_rest`, `free_at = t + t_ref + 1`), else
    /// `pot < p_min` resets to `p_rest`.
    #[inline(always)]
    pub fn fire(&mut self, t: u32, thr: i32, p: &HwParams) {
        (self.pot, self.free_at) = Self::fired(self.pot, self.free_at, t, thr, p);
    }

    /// [`Neuron::fire`] on the registers it reads: the new `pot` and `free_at`.
    #[inline(always)]
    fn fired(pot: i32, free_at: u32, t: u32, thr: i32, p: &HwParams) -> (i32, u32) {
        let f = &p.format;
        let spikes = pot >= thr;
        let free_at = sel(spikes, (t + p.t_ref + 1) as i32, free_at as i32) as u32;
        (sel(spikes | (pot < f.p_min), f.p_rest, pot), free_at)
    }

    /// Last Wta cycle, for every neuron but the winner: `pot = p_min`.
    #[inline]
    pub fn inhibit(&mut self, p: &HwParams) {
        self.pot = p.format.p_min;
    }
}

/// Neurons per group of the register arrays: each transfer is applied to a group at once, on
/// copies of its lanes (values the compiler keeps in vector registers).
pub(crate) const GROUP: usize = 4;

/// The Fire cycle's comparator outputs over all neurons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Comparators {
    /// Bit `j`: neuron `j` fires ([`Neuron::fires`]).
    pub spikes: NeuronMask,
    /// Some neuron is [`Neuron::above`] the threshold (asked while no winner is chosen).
    pub above: bool,
    /// Some `pot` is below `p_min`: [`Neuron::fire`] resets it.
    pub below_min: bool,
}

/// The N neurons, one array per register: lane `j` of each is neuron `j`'s register. The arrays
/// are padded to a multiple of 4 lanes with neurons that nothing reads, so that every transfer
/// runs on whole groups of 4 (vector instructions); the accessors show lanes `0..N`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Neurons {
    n: usize,
    /// Lanes `P`: lane group `g` is neurons `g * P .. (g + 1) * P` (the last group's lanes at or
    /// beyond `N` are padding, like the lanes that round the arrays up to whole [`GROUP`]s).
    p: usize,
    pot: Vec<i32>,
    shown: Vec<i32>,
    free_at: Vec<u32>,
    /// Adaptive thresholds (SPEC section 10): learned state like the weights, kept across
    /// images, written and read by the host; 0 without homeostasis.
    theta: Vec<i32>,
    /// Each neuron's threshold for this image, `thr + theta[j]` (loaded in Bias, or with `thr`
    /// itself when homeostasis is not built); padding lanes hold `i32::MAX` (never reached).
    thr_j: Vec<i32>,
}

impl Neurons {
    /// N neurons at rest (the state `start` loads).
    pub fn new(p: &HwParams) -> Self {
        let nr = Neuron::new(p);
        let lanes = (p.groups * p.lanes).next_multiple_of(GROUP);
        Neurons {
            n: p.n,
            p: p.lanes,
            pot: vec![nr.pot; lanes],
            shown: vec![nr.shown; lanes],
            free_at: vec![nr.free_at; lanes],
            theta: vec![0; lanes],
            thr_j: vec![i32::MAX; lanes],
        }
    }

    /// `theta[j]` of every neuron.
    pub fn theta(&self) -> &[i32] {
        &self.theta[..self.n]
    }

    /// Each neuron's threshold of the current image.
    pub fn thr_j(&self) -> &[i32] {
        &self.thr_j[..self.n]
    }

    /// Host port: neuron `j`'s adaptive threshold.
    pub fn set_theta(&mut self, j: usize, theta: i32) {
        self.theta[j] = theta;
    }

    /// The threshold registers loaded with the image's `thr`: `thr + theta[j]` (Bias), which is
    /// `thr` itself when homeostasis is not built (theta stays 0).
    pub fn load_thresholds(&mut self, thr: i32) {
        for (tj, &th) in self.thr_j[..self.n].iter_mut().zip(&self.theta) {
            *tj = thr + th;
        }
    }

    /// Homeostasis in the Done cycle of a training image: every neuron's `theta` moves by the
    /// fixed-point rule, the winner's up.
    pub fn update_theta(&mut self, winner: Option<u32>, p: &HwParams) {
        for (j, th) in self.theta[..self.n].iter_mut().enumerate() {
            *th = p.format.theta_update(*th, winner == Some(j as u32));
        }
    }

    /// `pot[j]` of every neuron.
    pub fn pot(&self) -> &[i32] {
        &self.pot[..self.n]
    }

    /// `shown[j]` of every neuron.
    pub fn shown(&self) -> &[i32] {
        &self.shown[..self.n]
    }

    /// `free_at[j]` of every neuron.
    pub fn free_at(&self) -> &[u32] {
        &self.free_at[..self.n]
    }

    /// Neuron `j`'s registers.
    pub fn get(&self, j: usize) -> Neuron {
        Neuron {
            pot: self.pot[j],
            shown: self.shown[j],
            free_at: self.free_at[j],
        }
    }

    /// Every neuron's registers, in order.
    #[inline(always)]
    pub fn iter(&self) -> impl Iterator<Item = Neuron> + '_ {
        let lanes = self.pot().iter().zip(self.shown()).zip(self.free_at());
        lanes.map(|((&pot, &shown), &free_at)| Neuron {
            pot,
            shown,
            free_at,
        })
    }

    /// `start`: every neuron at rest (theta, learned state, is kept).
    pub fn reset(&mut self, p: &HwParams) {
        let nr = Neuron::new(p);
        self.pot.fill(nr.pot);
        self.shown.fill(nr.shown);
        self.free_at.fill(nr.free_at);
    }

    /// Stage B of Int: [`Neuron::accumulate`] of lane `j` of the weight word, every `j`; the
    /// word comes with its padding to whole groups ([`WeightMem::q_groups`]).
    ///
    /// [`WeightMem::q_groups`]: crate::weight_mem::WeightMem::q_groups
    #[inline(always)]
    pub fn accumulate(&mut self, t: u32, word: &[i32], p: &HwParams) {
        let pot = self.pot.as_chunks_mut::<GROUP>().0;
        let groups = pot.iter_mut().zip(self.free_at.as_chunks::<GROUP>().0);
        for ((pot, free_at), word) in groups.zip(word.as_chunks::<GROUP>().0) {
            let mut pv = *pot;
            for j in 0..GROUP {
                pv[j] = Neuron::accumulated(pv[j], free_at[j], t, word[j], p);
            }
            *pot = pv;
        }
    }

    /// [`Neuron::complete`], every neuron.
    #[inline(always)]
    pub fn complete(&mut self, t: u32, p: &HwParams) {
        let pot = self.pot.as_chunks_mut::<GROUP>().0;
        let groups = pot.iter_mut().zip(self.shown.as_chunks_mut::<GROUP>().0);
        for ((pot, shown), free_at) in groups.zip(self.free_at.as_chunks::<GROUP>().0) {
            let (mut pv, mut sv) = (*pot, *shown);
            for j in 0..GROUP {
                (pv[j], sv[j]) = Neuron::completed(pv[j], sv[j], free_at[j], t, p);
            }
            (*pot, *shown) = (pv, sv);
        }
    }

    /// Lane group `g`'s neurons: the lanes of the group that are neurons.
    #[inline(always)]
    fn group(&self, g: u32) -> std::ops::Range<usize> {
        let start = g as usize * self.p;
        start..(start + self.p).min(self.n)
    }

    /// Stage B of Int for lane group `g` (lane groups, `G > 1`): [`Neuron::accumulate`] of lane
    /// `l` of the word (`P` lanes) into neuron `g * P + l`.
    #[inline(always)]
    pub fn accumulate_group(&mut self, g: u32, t: u32, word: &[i32], p: &HwParams) {
        for (j, &w) in self.group(g).zip(word) {
            self.pot[j] = Neuron::accumulated(self.pot[j], self.free_at[j], t, w, p);
        }
    }

    /// The completing cycle of lane group `g`'s walk: [`Neuron::complete`] of its neurons, then
    /// Fire's reset of a potential below `p_min` to rest, which depends on the neuron alone and
    /// excludes a spike, so that Fire need not visit the groups for it (an inhibition that
    /// follows overwrites the potential either way).
    #[inline(always)]
    pub fn complete_group(&mut self, g: u32, t: u32, p: &HwParams) {
        let f = &p.format;
        for j in self.group(g) {
            let (pot, shown) = Neuron::completed(self.pot[j], self.shown[j], self.free_at[j], t, p);
            self.pot[j] = if pot < f.p_min { f.p_rest } else { pot };
            self.shown[j] = shown;
        }
    }

    /// One cycle of a Fire pass (lane groups): [`Neuron::fire`] of group `g`'s neurons, after
    /// the inhibition the last Wta cycle left pending (`inhibit`: every neuron but that winner
    /// at `p_min`).
    pub fn fire_group(&mut self, g: u32, t: u32, inhibit: Option<u32>, p: &HwParams) {
        for j in self.group(g) {
            if inhibit.is_some_and(|w| w as usize != j) {
                self.pot[j] = p.format.p_min;
            }
            (self.pot[j], self.free_at[j]) =
                Neuron::fired(self.pot[j], self.free_at[j], t, self.thr_j[j], p);
        }
    }

    /// The comparators of the Fire cycle after a Wta scan whose inhibition is still pending
    /// (lane groups): as [`Neurons::compare`] would see them with every neuron but `winner` at
    /// `p_min` (the winner is chosen, so `above` decides nothing and reads false).
    pub fn compare_inhibited(&self, winner: u32, p: &HwParams) -> Comparators {
        let p_min = p.format.p_min;
        let pot = |j: usize| {
            if j as u32 == winner {
                self.pot[j]
            } else {
                p_min
            }
        };
        Comparators {
            spikes: NeuronMask::from_fn(self.n, |j| pot(j) >= self.thr_j[j]),
            above: false,
            below_min: (0..self.n).any(|j| pot(j) < p_min),
        }
    }

    /// One Bias cycle (lane groups): group `g`'s thresholds `thr + theta[j]`.
    pub fn load_thresholds_group(&mut self, g: u32, thr: i32) {
        for j in self.group(g) {
            self.thr_j[j] = thr + self.theta[j];
        }
    }

    /// One cycle of Done's theta pass (lane groups): [`Neurons::update_theta`] for group `g`.
    pub fn update_theta_group(&mut self, g: u32, winner: Option<u32>, p: &HwParams) {
        for j in self.group(g) {
            self.theta[j] = p
                .format
                .theta_update(self.theta[j], winner == Some(j as u32));
        }
    }

    /// The Fire cycle's comparators against each neuron's own threshold `thr_j`; `above` only
    /// while `armed` (no winner yet: once there is one, it decides nothing, and reads false).
    /// Most steps nobody fires, nothing is above its threshold and no potential is below
    /// `p_min`: the margins `pot - thr_j`, `shown - thr_j` and the lowest `pot` of the lanes
    /// (padding lanes never reach `i32::MAX`), group by group, rule these out before any exact
    /// comparison.
    #[inline(always)]
    pub fn compare(&self, armed: bool, p: &HwParams) -> Comparators {
        let (mut pot_margin, mut pot_min) = ([i64::MIN; GROUP], [i32::MAX; GROUP]);
        let mut shown_margin = [i64::MIN; GROUP];
        let pot = self.pot.as_chunks::<GROUP>().0;
        let lanes = pot.iter().zip(self.shown.as_chunks::<GROUP>().0);
        for ((pot, shown), thr) in lanes.zip(self.thr_j.as_chunks::<GROUP>().0) {
            for j in 0..GROUP {
                pot_margin[j] = pot_margin[j].max(pot[j] as i64 - thr[j] as i64);
                pot_min[j] = pot_min[j].min(pot[j]);
                shown_margin[j] = shown_margin[j].max(shown[j] as i64 - thr[j] as i64);
            }
        }
        let mut spikes = NeuronMask::EMPTY;
        if pot_margin.iter().any(|&x| x >= 0) {
            spikes = NeuronMask::from_fn(self.n, |j| self.get(j).fires(self.thr_j[j]));
        }
        let p_min = p.format.p_min;
        Comparators {
            spikes,
            above: armed
                && shown_margin.iter().any(|&x| x > 0)
                && self
                    .iter()
                    .enumerate()
                    .any(|(j, nr)| nr.above(self.thr_j[j])),
            below_min: pot_min.iter().any(|&x| x < p_min) && self.pot().iter().any(|&x| x < p_min),
        }
    }

    /// [`Neuron::fire`], every neuron against its own threshold. With no spike and no `pot`
    /// below `p_min` (see [`Comparators`]) it changes nothing, and the machine skips it.
    #[inline(always)]
    pub fn fire(&mut self, t: u32, p: &HwParams) {
        let pot = self.pot.as_chunks_mut::<GROUP>().0;
        let lanes = pot.iter_mut().zip(self.free_at.as_chunks_mut::<GROUP>().0);
        for ((pot, free_at), thr) in lanes.zip(self.thr_j.as_chunks::<GROUP>().0) {
            let (mut pv, mut fv) = (*pot, *free_at);
            for j in 0..GROUP {
                (pv[j], fv[j]) = Neuron::fired(pv[j], fv[j], t, thr[j], p);
            }
            (*pot, *free_at) = (pv, fv);
        }
    }

    /// The value the WTA scan compares for neuron `j`: `shown[j] - theta[j]`.
    #[inline]
    pub fn wta_value(&self, j: usize) -> i32 {
        self.shown[j] - self.theta[j]
    }

    /// Last Wta cycle: [`Neuron::inhibit`] every neuron but `winner`.
    pub fn inhibit_all_but(&mut self, winner: u32, p: &HwParams) {
        for j in (0..self.n).filter(|&j| j as u32 != winner) {
            let mut nr = self.get(j);
            nr.inhibit(p);
            self.pot[j] = nr.pot;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use snn_core::config::SnnConfig;

    #[test]
    fn integrate_leak_fire_by_hand() {
        let p = HwParams::new(&SnnConfig::default()).unwrap();
        let leak = p.format.leak;
        let mut a = Neuron::new(&p);
        a.accumulate(1, 100, &p);
        a.accumulate(1, 50, &p);
        assert_eq!((a.pot, a.shown), (150, 0));
        a.complete(1, &p);
        assert_eq!((a.pot, a.shown), (150 - leak, 150 - leak));
        a.fire(1, 100, &p);
        assert_eq!((a.pot, a.free_at), (0, 1 + 30 + 1));
        // Refractory through step 31: frozen, the add and the leak are both ignored.
        let mut frozen = a;
        frozen.accumulate(31, 500, &p);
        frozen.complete(31, &p);
        assert_eq!(frozen, a);
        let mut b = a;
        b.accumulate(32, 500, &p);
        b.complete(32, &p);
        assert_eq!((b.pot, b.shown), (500 - leak, 500 - leak));
        // Inhibited to p_min, a potential stays there at Fire; below it, it floors to rest.
        let mut low = b;
        low.inhibit(&p);
        assert_eq!(low.pot, p.format.p_min);
        let mut below = Neuron {
            pot: p.format.p_min - 1,
            ..low
        };
        below.fire(40, 10, &p);
        assert_eq!(below.pot, p.format.p_rest);
        low.fire(40, 10, &p);
        assert_eq!(low.pot, p.format.p_min);
        // A neuron at the threshold fires even while refractory (SPEC 5.3 applies to all).
        let mut r = Neuron { pot: 10, ..a };
        r.fire(5, 10, &p);
        assert_eq!((r.pot, r.free_at), (0, 5 + 30 + 1));
    }

    /// A transfer of one neuron, lane `j` of the array.
    type LaneOp<'a> = dyn Fn(&mut Neuron, usize) + 'a;

    #[test]
    fn neurons_apply_the_neuron_transfers_to_every_lane() {
        let mut rng = snn_testkit::Lcg::new(3);
        let mut rand = |m: u64| rng.below(m);
        for n in [1, 3, 4, 10, 64, 100, 128] {
            let p = HwParams::new(&SnnConfig {
                neurons: n,
                ..SnnConfig::small()
            })
            .unwrap();
            let (p_min, p_rest) = (p.format.p_min, p.format.p_rest);
            for _ in 0..50 {
                let mut all = Neurons::new(&p);
                for j in 0..n {
                    all.pot[j] = p_min - 3 + rand(600) as i32;
                    all.shown[j] = p_min - 3 + rand(600) as i32;
                    all.free_at[j] = rand(60) as u32;
                }
                let lanes: Vec<Neuron> = all.iter().collect();
                let (t, thr) = (rand(50) as u32 + 5, p_rest + rand(300) as i32 - 100);
                // Every neuron its own threshold (homeostasis): thr + theta[j].
                for j in 0..n {
                    all.set_theta(j, rand(3) as i32 * rand(100) as i32);
                }
                all.load_thresholds(thr);
                let own: Vec<i32> = (0..n).map(|j| thr + all.theta()[j]).collect();
                assert_eq!(all.thr_j(), &own[..]);
                let word: Vec<i32> = (0..n.next_multiple_of(GROUP))
                    .map(|j| if j < n { rand(200) as i32 - 100 } else { 0 })
                    .collect();
                let cmp = all.compare(true, &p);
                assert!(!all.compare(false, &p).above);
                let want_spikes = NeuronMask::from_fn(n, |j| lanes[j].fires(own[j]));
                assert_eq!(cmp.spikes, want_spikes);
                assert_eq!(cmp.above, (0..n).any(|j| lanes[j].above(own[j])));
                assert_eq!(cmp.below_min, lanes.iter().any(|nr| nr.pot < p_min));
                // An array operation against the neuron's transfer on every lane.
                let check = |what: &str, each: &dyn Fn(&mut Neurons), one: &LaneOp| {
                    let mut got = all.clone();
                    each(&mut got);
                    let want: Vec<Neuron> = (0..n)
                        .map(|j| {
                            let mut nr = lanes[j];
                            one(&mut nr, j);
                            nr
                        })
                        .collect();
                    assert_eq!(got.iter().collect::<Vec<_>>(), want, "N = {n}, {what}");
                };
                check("accumulate", &|a| a.accumulate(t, &word, &p), &|nr, j| {
                    nr.accumulate(t, word[j], &p)
                });
                check("complete", &|a| a.complete(t, &p), &|nr, _| {
                    nr.complete(t, &p)
                });
                check("fire", &|a| a.fire(t, &p), &|nr, j| nr.fire(t, own[j], &p));
                check("inhibit", &|a| a.inhibit_all_but(2, &p), &|nr, j| {
                    if j != 2 {
                        nr.inhibit(&p)
                    }
                });
            }
        }
    }
}
