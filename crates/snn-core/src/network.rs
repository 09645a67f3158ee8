//! A network: configuration, arithmetic, input code, weights and adaptive thresholds, with
//! training and inference over many images. A thin stateful wrapper around
//! `spike_gen::InputCode::encode` and `control::present`.

use crate::arith::Arith;
use crate::config::SnnConfig;
use crate::control::{present, PresentOptions, Presentation};
use crate::spike_gen::{Encoded, InputCode};
use anyhow::{bail, Result};
use ndarray::Array2;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

pub struct Network<A: Arith> {
    pub arith: A,
    pub cfg: SnnConfig,
    pub code: InputCode,
    /// `weights[[j, i]]`: synapse from input `i` (row-major pixel order) to neuron `j`.
    pub weights: Array2<A::W>,
    /// Adaptive threshold of each neuron (SPEC section 10), potential units; all 0 untrained.
    pub theta: Vec<A::P>,
}

impl<A: Arith> Network<A> {
    /// The network with the given raw weights and `theta = 0`.
    pub fn from_parts(arith: A, cfg: &SnnConfig, weights: Array2<A::W>) -> Self {
        assert_eq!(weights.dim(), (cfg.neurons, cfg.inputs()), "weights shape");
        Network {
            code: InputCode::new(cfg),
            theta: vec![arith.theta_zero(); cfg.neurons],
            arith,
            cfg: cfg.clone(),
            weights,
        }
    }

    /// Initial weights uniform in `[w_init[0], w_init[1])`, drawn row by row from ChaCha8 seeded
    /// with `cfg.seed`, so a seed gives the same network on every machine and thread count.
    pub fn with_random_weights(arith: A, cfg: &SnnConfig) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        let [lo, hi] = cfg.w_init;
        let weights = Array2::from_shape_fn((cfg.neurons, cfg.inputs()), |_| {
            let x = if hi > lo { rng.gen_range(lo..hi) } else { lo };
            arith.initial_weight(x)
        });
        Network::from_parts(arith, cfg, weights)
    }

    /// Weights given as reals (a weights file); see [`Arith::weight_from_f64`] for `quantize`.
    /// The first value the arithmetic cannot hold is named by neuron and input.
    pub fn with_weights(
        arith: A,
        cfg: &SnnConfig,
        weights: &Array2<f64>,
        quantize: bool,
    ) -> Result<Self> {
        if weights.dim() != (cfg.neurons, cfg.inputs()) {
            bail!(
                "weights are {}x{} (neurons x inputs) but the configuration needs {}x{}",
                weights.nrows(),
                weights.ncols(),
                cfg.neurons,
                cfg.inputs()
            );
        }
        let mut raw = Vec::with_capacity(weights.len());
        for ((j, i), &x) in weights.indexed_iter() {
            match arith.weight_from_f64(x, quantize) {
                Ok(w) => raw.push(w),
                Err(e) => bail!("neuron {j}, input {i}: {e}"),
            }
        }
        let weights = Array2::from_shape_vec(weights.dim(), raw).expect("same shape");
        Ok(Network::from_parts(arith, cfg, weights))
    }

    /// Sets the adaptive thresholds from reals (a weights file's `theta`), naming the first
    /// neuron whose value the arithmetic cannot hold.
    pub fn set_theta(&mut self, theta: &[f64], quantize: bool) -> Result<()> {
        if theta.len() != self.cfg.neurons {
            bail!(
                "theta has {} values but the network has {} neurons",
                theta.len(),
                self.cfg.neurons
            );
        }
        let mut raw = Vec::with_capacity(theta.len());
        for (j, &x) in theta.iter().enumerate() {
            match self.arith.theta_from_f64(x, quantize) {
                Ok(v) => raw.push(v),
                Err(e) => bail!("neuron {j}: {e}"),
            }
        }
        self.theta = raw;
        Ok(())
    }

    /// The weights as reals (what weights files hold).
    pub fn weights_f64(&self) -> Array2<f64> {
        self.weights.mapv(|w| self.arith.weight_to_f64(w))
    }

    /// The adaptive thresholds as reals.
    pub fn theta_f64(&self) -> Vec<f64> {
        self.theta
            .iter()
            .map(|&p| self.arith.potential_to_f64(p))
            .collect()
    }

    pub fn encode(&self, pixels: &[u8]) -> Encoded {
        self.code
            .encode(&self.cfg, pixels, self.cfg.height, self.cfg.width)
    }

    /// One presentation at the first epoch's learning rate (learning when `opts.learn`).
    pub fn present(&mut self, pixels: &[u8], opts: PresentOptions) -> Presentation<A::P> {
        let enc = self.encode(pixels);
        present(
            &self.arith,
            self.cfg.t_ref,
            self.cfg.stdp_window,
            &mut self.weights,
            &mut self.theta,
            &enc,
            opts,
        )
    }

    /// One presentation of input trains already encoded (an image, or the layer below's
    /// output), with `arith` (an epoch's, [`Network::epoch_arith`]).
    pub fn present_encoded(
        &mut self,
        arith: &A,
        enc: &Encoded,
        opts: PresentOptions,
    ) -> Presentation<A::P> {
        present(
            arith,
            self.cfg.t_ref,
            self.cfg.stdp_window,
            &mut self.weights,
            &mut self.theta,
            enc,
            opts,
        )
    }

    /// How many times `sigma` is halved in `epoch` (`sigma_halving_epochs`, SPEC section 10).
    pub fn sigma_halvings(&self, epoch: usize) -> u32 {
        match self.cfg.sigma_halving_epochs {
            0 => 0,
            k => (epoch / k).min(u32::MAX as usize) as u32,
        }
    }

    /// The arithmetic of `epoch`: the learning-rate schedule applied.
    pub fn epoch_arith(&self, epoch: usize) -> A {
        self.arith.with_sigma_halvings(self.sigma_halvings(epoch))
    }

    /// One training presentation with `epoch_arith` (from [`Network::epoch_arith`]).
    pub fn train_image(&mut self, epoch_arith: &A, pixels: &[u8]) -> Presentation<A::P> {
        let enc = self.encode(pixels);
        self.present_encoded(epoch_arith, &enc, PresentOptions::training())
    }

    /// The order of the images in `epoch`: as given, or shuffled by `(seed, epoch)`.
    pub fn epoch_order(&self, count: usize, epoch: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..count).collect();
        if self.cfg.shuffle {
            let mut rng = ChaCha8Rng::seed_from_u64(
                self.cfg.seed ^ (epoch as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            );
            order.shuffle(&mut rng);
        }
        order
    }

    /// `cfg.epochs` passes of learning over `images`; `on_image(epoch, index, presentation)`
    /// after each.
    pub fn train(
        &mut self,
        images: &[&[u8]],
        mut on_image: impl FnMut(usize, usize, &Presentation<A::P>),
    ) {
        for epoch in 0..self.cfg.epochs {
            let arith = self.epoch_arith(epoch);
            for k in self.epoch_order(images.len(), epoch) {
                let p = self.train_image(&arith, images[k]);
                on_image(epoch, k, &p);
            }
        }
    }

    /// Inference on every image, in parallel over images (results in input order; identical for
    /// any thread count since presentations are independent).
    pub fn infer(&self, images: &[&[u8]]) -> Vec<Presentation<A::P>> {
        images
            .par_iter()
            .map_init(
                || (self.weights.clone(), self.theta.clone()),
                |(w, th), px| {
                    let enc = self.encode(px);
                    present(
                        &self.arith,
                        self.cfg.t_ref,
                        self.cfg.stdp_window,
                        w,
                        th,
                        &enc,
                        PresentOptions::default(),
                    )
                },
            )
            .collect()
    }
}
