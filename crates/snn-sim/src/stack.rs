//! Several layers (SPEC section 12) on the core, one after another for each image
//! (docs/ARCHITECTURE.md, "Several layers"): the first layer takes the image; each Fire cycle of
//! a layer writes its spike mask into a spike memory ([`SpikeMem`]), which the next layer
//! replays as its inputs from the edge that ends the layer below. Each layer has its own
//! weights, theta and lane groups (`min(lanes, n_l)` lanes of the core's), so each is a
//! [`Machine`] with the [`HwParams`] of its own configuration (`SnnConfig::layer_config`);
//! the cycles of an image are the sum of its layers'.

use crate::machine::Machine;
use crate::spike_mem::SpikeMem;
use anyhow::{Context, Result};
use snn_arch::HwParams;
use snn_core::config::SnnConfig;
use snn_core::control::Presentation;

pub struct Stack {
    layers: Vec<Machine>,
}

impl Stack {
    /// The layers of `cfg` (`layers`, or one layer of `neurons`), all weights 0.
    pub fn new(cfg: &SnnConfig) -> Result<Self> {
        let layers = (0..cfg.layer_sizes().len())
            .map(|l| {
                let p = HwParams::new(&Stack::layer_config(cfg, l))
                    .with_context(|| format!("layer {}", l + 1))?;
                Ok(if l == 0 {
                    Machine::with_params(p)
                } else {
                    Machine::for_replay(p)
                })
            })
            .collect::<Result<_>>()?;
        Ok(Stack { layers })
    }

    /// Layer `l`'s configuration on the core: the golden model's, with at most as many lanes as
    /// the layer has neurons (a smaller layer is one group).
    pub fn layer_config(cfg: &SnnConfig, l: usize) -> SnnConfig {
        let mut c = cfg.layer_config(l);
        c.lanes = cfg.lanes.map(|p| p.min(c.neurons));
        c
    }

    pub fn layers(&self) -> &[Machine] {
        &self.layers
    }

    /// Layer `l` (from 0), for its host port (weights, theta) and its registers.
    pub fn layer_mut(&mut self, l: usize) -> &mut Machine {
        &mut self.layers[l]
    }

    /// Presents one image to every layer in turn: the first scans it, each further layer
    /// replays the spike memory the one below wrote. One presentation per layer, each with its
    /// own cycles.
    pub fn run_image(&mut self, pixels: &[u8], learn: bool) -> Result<Vec<Presentation<i32>>> {
        let (first, above) = self.layers.split_first_mut().expect("one layer at least");
        let mut out = vec![first.run_image(pixels, learn)?];
        for layer in above {
            let below = out.last().expect("the layer below");
            let mem = SpikeMem::from_spike_times(layer.params().t_steps, &below.spike_times);
            out.push(layer.run_replay(mem, learn)?);
        }
        Ok(out)
    }
}
