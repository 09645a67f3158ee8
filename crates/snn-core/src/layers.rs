//! Several layers (SPEC section 12): a stack of one-layer networks presented in order for each
//! image, layer `l` taking the output spike trains of layer `l - 1` from the same presentation
//! as its inputs. Each layer keeps its own weights, theta, WTA, threshold and learning; only
//! the first sees the image (through the input code).

use crate::arith::Arith;
use crate::config::SnnConfig;
use crate::control::{present, PresentOptions, Presentation};
use crate::network::Network;
use crate::spike_gen::Encoded;
use anyhow::{bail, Result};
use rayon::prelude::*;

pub struct Stack<A: Arith> {
    /// The whole network's configuration (`layers`, or one layer of `neurons`).
    pub cfg: SnnConfig,
    /// Layer `l` (from 0) is a network of `cfg.layer_config(l)`.
    pub layers: Vec<Network<A>>,
}

impl<A: Arith> Stack<A> {
    /// The layers of `cfg` (`SnnConfig::layer_sizes`) with seeded random weights, each with the
    /// arithmetic `arith` makes for its configuration.
    pub fn with_random_weights(
        cfg: &SnnConfig,
        arith: impl Fn(&SnnConfig) -> Result<A>,
    ) -> Result<Self> {
        let layers = (0..cfg.layer_sizes().len())
            .map(|l| {
                let c = cfg.layer_config(l);
                Ok(Network::with_random_weights(arith(&c)?, &c))
            })
            .collect::<Result<Vec<_>>>()?;
        Stack::new(cfg, layers)
    }

    /// The network of `cfg` made of `layers`, which must be its layers: as many, with
    /// `n_l x n_(l-1)` weights (layer `l` has as many inputs as layer `l - 1` has neurons).
    pub fn new(cfg: &SnnConfig, layers: Vec<Network<A>>) -> Result<Self> {
        let sizes = cfg.layer_sizes();
        if layers.len() != sizes.len() {
            bail!(
                "{} layers of weights but the configuration has {} (layers = {sizes:?})",
                layers.len(),
                sizes.len()
            );
        }
        for (l, (net, &n)) in layers.iter().zip(&sizes).enumerate() {
            if net.weights.nrows() != n {
                bail!(
                    "layer {} has {} neurons but the configuration says {n} (layers = {sizes:?})",
                    l + 1,
                    net.weights.nrows()
                );
            }
        }
        for (l, pair) in layers.windows(2).enumerate() {
            let (below, above) = (pair[0].weights.nrows(), pair[1].weights.ncols());
            if below != above {
                bail!(
                    "layer {} has {above} inputs but layer {} has {below} neurons (weights must be n_l x n_(l-1))",
                    l + 2,
                    l + 1
                );
            }
        }
        Ok(Stack {
            cfg: cfg.clone(),
            layers,
        })
    }

    /// The output layer, whose spikes classify (SPEC section 7).
    pub fn output(&self) -> &Network<A> {
        self.layers.last().expect("at least one layer")
    }

    /// The arithmetic of every layer in `epoch` (its learning-rate schedule).
    pub fn epoch_arith(&self, epoch: usize) -> Vec<A> {
        self.layers.iter().map(|n| n.epoch_arith(epoch)).collect()
    }

    /// One presentation of an image to every layer in order, with the arithmetic `ariths[l]`
    /// for layer `l`: one presentation per layer.
    pub fn present_with(
        &mut self,
        ariths: &[A],
        pixels: &[u8],
        opts: PresentOptions,
    ) -> Vec<Presentation<A::P>> {
        let t_steps = self.layers[0].cfg.t_steps;
        let mut enc = self.layers[0].encode(pixels);
        let mut out: Vec<Presentation<A::P>> = Vec::with_capacity(self.layers.len());
        for (l, (net, a)) in self.layers.iter_mut().zip(ariths).enumerate() {
            if l > 0 {
                enc = Encoded::from_spike_times(t_steps, &out[l - 1].spike_times);
            }
            out.push(net.present_encoded(a, &enc, opts));
        }
        out
    }

    /// One presentation at the first epoch's learning rate.
    pub fn present(&mut self, pixels: &[u8], opts: PresentOptions) -> Vec<Presentation<A::P>> {
        let ariths = self.epoch_arith(0);
        self.present_with(&ariths, pixels, opts)
    }

    /// `epochs` passes of learning over `images` in the first layer's epoch order (SPEC section
    /// 7); `on_image(epoch, index, presentations)` after each.
    pub fn train(
        &mut self,
        images: &[&[u8]],
        mut on_image: impl FnMut(usize, usize, &[Presentation<A::P>]),
    ) {
        for epoch in 0..self.layers[0].cfg.epochs {
            let ariths = self.epoch_arith(epoch);
            for k in self.layers[0].epoch_order(images.len(), epoch) {
                let p = self.present_with(&ariths, images[k], PresentOptions::training());
                on_image(epoch, k, &p);
            }
        }
    }

    /// Inference on every image, in parallel over images (results in input order; identical
    /// for any thread count, as with `Network::infer`).
    pub fn infer(&self, images: &[&[u8]]) -> Vec<Vec<Presentation<A::P>>> {
        let t_steps = self.layers[0].cfg.t_steps;
        images
            .par_iter()
            .map_init(
                || {
                    let state = |n: &Network<A>| (n.weights.clone(), n.theta.clone());
                    self.layers.iter().map(state).collect::<Vec<_>>()
                },
                |state, px| {
                    let mut enc = self.layers[0].encode(px);
                    let mut out: Vec<Presentation<A::P>> = Vec::with_capacity(state.len());
                    for (l, (net, (w, th))) in self.layers.iter().zip(state.iter_mut()).enumerate()
                    {
                        if l > 0 {
                            enc = Encoded::from_spike_times(t_steps, &out[l - 1].spike_times);
                        }
                        let (t_ref, window) = (net.cfg.t_ref, net.cfg.stdp_window);
                        let opts = PresentOptions::default();
                        out.push(present(&net.arith, t_ref, window, w, th, &enc, opts));
                    }
                    out
                },
            )
            .collect()
    }
}
