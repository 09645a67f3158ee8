//! `Split`: a neuron index `j` as its lane group `j div P` and its lane `j mod P`
//! (docs/ARCHITECTURE.md, "Neuron lanes").
//!
//! rust-hdl has no division, and its loops cannot index a vector by an expression of the
//! configuration, so the split is a one-hot decode of `j` matched against constant masks: the
//! neurons of each group and the neurons of each lane. Yosys folds the masks into the decode;
//! the groups and lanes are at most a few hundred.

use rust_hdl::prelude::*;
use snn_arch::widths::NEURON_BITS;
use snn_arch::HwParams;

/// `GB` bits hold a group, `N` is the neuron count.
#[derive(LogicBlock)]
pub struct Split<const N: usize, const GB: usize, const NB: usize = NEURON_BITS> {
    pub j: Signal<In, Bits<NB>>,
    /// `j div P` and `j mod P`; both 0 for `j >= N`.
    pub g: Signal<Out, Bits<GB>>,
    pub l: Signal<Out, Bits<NB>>,
    /// `j` one-hot.
    hot: Signal<Local, Bits<N>>,
    one: Constant<Bits<N>>,
    /// Per group: its neurons, its index; per lane: its neurons, its index.
    g_mask: Vec<Constant<Bits<N>>>,
    g_id: Vec<Constant<Bits<GB>>>,
    l_mask: Vec<Constant<Bits<N>>>,
    l_id: Vec<Constant<Bits<NB>>>,
    /// `G` and `P`.
    _g: usize,
    _l: usize,
}

/// The `N`-bit mask of the neurons `j` for which `pick(j)` holds.
pub(crate) fn mask_of<const N: usize>(pick: impl Fn(usize) -> bool) -> Bits<N> {
    (0..N)
        .filter(|&j| pick(j))
        .fold(Bits::<N>::default(), |m, j| {
            m | crate::stdp::only::<N>(j..j + 1)
        })
}

/// For each group `g`, the mask of the neurons of group `g + shift` (modulo `G`: with 1, the
/// group after); for each lane, the mask of its neurons in every group.
pub(crate) fn group_masks<const N: usize>(p: &HwParams, shift: usize) -> Vec<Constant<Bits<N>>> {
    let (lanes, groups) = (p.lanes, p.groups);
    (0..groups)
        .map(|g| Constant::new(mask_of::<N>(|j| j / lanes == (g + shift) % groups)))
        .collect()
}

pub(crate) fn lane_masks<const N: usize>(p: &HwParams) -> Vec<Constant<Bits<N>>> {
    let lanes = p.lanes;
    (0..lanes)
        .map(|l| Constant::new(mask_of::<N>(|j| j % lanes == l)))
        .collect()
}

/// `k + shift` modulo `modulus`, for each `k < modulus`, as `B`-bit constants.
pub(crate) fn indices<const B: usize>(modulus: usize, shift: usize) -> Vec<Constant<Bits<B>>> {
    (0..modulus)
        .map(|k| Constant::new(Bits::<B>::from(((k + shift) % modulus) as u64)))
        .collect()
}

impl<const N: usize, const GB: usize, const NB: usize> Split<N, GB, NB> {
    pub fn new(p: &HwParams) -> Self {
        assert_eq!(p.n, N, "neuron count");
        let (lanes, groups) = (p.lanes, p.groups);
        assert!(groups <= 1 << GB, "{groups} groups in {GB} bits");
        Split {
            j: Default::default(),
            g: Default::default(),
            l: Default::default(),
            hot: Default::default(),
            one: Constant::new(Bits::<N>::from(1u64)),
            g_mask: group_masks(p, 0),
            g_id: indices(groups, 0),
            l_mask: lane_masks(p),
            l_id: indices(lanes, 0),
            _g: groups,
            _l: lanes,
        }
    }
}

impl<const N: usize, const GB: usize, const NB: usize> Logic for Split<N, GB, NB> {
    #[hdl_gen]
    fn update(&mut self) {
        self.hot.next = self.one.val() << self.j.val();
        self.g.next = 0.into();
        for g in 0..self._g {
            if (self.hot.val() & self.g_mask[g].val()).any() {
                self.g.next = self.g_id[g].val();
            }
        }
        self.l.next = 0.into();
        for l in 0..self._l {
            if (self.hot.val() & self.l_mask[l].val()).any() {
                self.l.next = self.l_id[l].val();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testing::lint_and_synth;
    use snn_core::config::SnnConfig;

    /// Every index of a 30-neuron, 4-lane network (a last group of 2 lanes) and past its end.
    #[test]
    fn splits_every_index() {
        let cfg = SnnConfig {
            neurons: 30,
            lanes: Some(4),
            ..SnnConfig::small()
        };
        let p = HwParams::new(&cfg).unwrap();
        let mut uut = Split::<30, 3>::new(&p);
        uut.connect_all();
        for j in 0..40u64 {
            uut.j.next = j.into();
            assert!(simulate(&mut uut, 100));
            let (g, l) = if j < 30 { (j / 4, j % 4) } else { (0, 0) };
            assert_eq!(
                (uut.g.val().to_u64(), uut.l.val().to_u64()),
                (g, l),
                "j = {j}"
            );
        }
        lint_and_synth(&mut uut, "split");
    }
}
