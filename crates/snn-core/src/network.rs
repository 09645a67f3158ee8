//! A network: configuration, arithmetic, period table and weights, with training and inference
//! over many images. A thin stateful wrapper around `spike_gen::encode` and `control::present`.

use crate::arith::Arith;
use crate::config::SnnConfig;
use crate::control::{present, PresentOptions, Presentation};
use crate::spike_gen::{encode, Encoded, PeriodTable};
use anyhow::{bail, Result};
use ndarray::Array2;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

pub struct Network<A: Arith> {
    pub arith: A,
    pub cfg: SnnConfig,
    pub table: PeriodTable,
    /// `weights[[j, i]]`: synapse from input `i` (row-major pixel order) to neuron `j`.
    pub weights: Array2<A::W>,
}

impl<A: Arith> Network<A> {
    /// Initial weights uniform in `[w_init[0], w_init[1])`, drawn row by row from ChaCha8 seeded
    /// with `cfg.seed`, so a seed gives the same network on every machine and thread count.
    pub fn with_random_weights(arith: A, cfg: &SnnConfig) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        let [lo, hi] = cfg.w_init;
        let weights = Array2::from_shape_fn((cfg.neurons, cfg.inputs()), |_| {
            let x = if hi > lo { rng.gen_range(lo..hi) } else { lo };
            arith.initial_weight(x)
        });
        Network {
            table: PeriodTable::new(cfg),
            arith,
            cfg: cfg.clone(),
            weights,
        }
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
        Ok(Network {
            table: PeriodTable::new(cfg),
            arith,
            cfg: cfg.clone(),
            weights,
        })
    }

    /// The weights as reals (what weights files hold).
    pub fn weights_f64(&self) -> Array2<f64> {
        self.weights.mapv(|w| self.arith.weight_to_f64(w))
    }

    pub fn encode(&self, pixels: &[u8]) -> Encoded {
        encode(
            &self.cfg,
            &self.table,
            pixels,
            self.cfg.height,
            self.cfg.width,
        )
    }

    /// One presentation (learning when `opts.learn`).
    pub fn present(&mut self, pixels: &[u8], opts: PresentOptions) -> Presentation<A::P> {
        let enc = self.encode(pixels);
        present(
            &self.arith,
            self.cfg.t_ref,
            self.cfg.stdp_window,
            &mut self.weights,
            &enc,
            opts,
        )
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
            for k in self.epoch_order(images.len(), epoch) {
                let p = self.present(
                    images[k],
                    PresentOptions {
                        learn: true,
                        record: false,
                    },
                );
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
                || self.weights.clone(),
                |w, px| {
                    let enc = self.encode(px);
                    present(
                        &self.arith,
                        self.cfg.t_ref,
                        self.cfg.stdp_window,
                        w,
                        &enc,
                        PresentOptions::default(),
                    )
                },
            )
            .collect()
    }
}
