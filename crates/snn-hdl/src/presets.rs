//! The width sets the generator is compiled for. rust-hdl widths are const generics, so every
//! supported combination of `N`, `WB`, `PB`, `AW` (`WORD = N * WB`) is instantiated here once;
//! all other parameters come from the configuration at generation time.

use crate::core::SnnCore;
use crate::verilog;
use crate::weight_mem::pack_words;
use snn_arch::widths::neuron_bits;
use snn_arch::HwParams;
use snn_core::config::SnnConfig;

/// `SnnConfig::small()` with homeostasis (preset `small-theta`): theta moves by whole
/// thresholds' worth within a few images, so a short co-simulation exercises both clamps.
pub fn small_theta() -> SnnConfig {
    SnnConfig {
        theta_plus: 2.0,
        theta_minus: 0.25,
        theta_max: 64.0,
        ..SnnConfig::small()
    }
}

/// `small_theta()` with row normalization (preset `small-norm`): the co-simulation's small
/// configuration of the whole learning rule. The target is the `default` preset's mean weight
/// (100 over 784 inputs) over the 256 inputs.
pub fn small_norm() -> SnnConfig {
    SnnConfig {
        norm_target: 32.0,
        ..small_theta()
    }
}

/// One compiled width set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Preset {
    /// Where a configuration with these widths comes from: an `SnnConfig` constructor
    /// (`default`, `small`) or an example file `configs/<name>.toml` (`n32`, `n100`).
    pub name: &'static str,
    pub n: usize,
    pub wb: usize,
    pub pb: usize,
    pub aw: usize,
    /// Theta bits; only a configuration with homeostasis has theta (and `VB = PB + 1`).
    pub tb: usize,
    pub homeostasis: bool,
    /// Row normalization (no width of its own: the row sums are `ROW_SUM_BITS` wide).
    pub normalization: bool,
    /// Lanes `P` (`N`: one lane per neuron); with lane groups the weight address bits `WAW`,
    /// the group bits `GB` and the state memory's word `SW` follow from the configuration
    /// (`HwParams::waw`, `gb`, `state_word`) and are checked.
    pub lanes: usize,
    pub waw: usize,
    pub gb: usize,
    pub sw: usize,
}

impl Preset {
    /// Whether a configuration with these derived parameters can use this preset.
    pub fn matches(&self, p: &HwParams) -> bool {
        (
            p.n,
            p.widths.weight as usize,
            p.widths.potential as usize,
            p.aw as usize,
            p.homeostasis,
            p.normalization,
            p.lanes,
            p.waw as usize,
        ) == (
            self.n,
            self.wb,
            self.pb,
            self.aw,
            self.homeostasis,
            self.normalization,
            self.lanes,
            self.waw,
        ) && (!p.homeostasis || p.format.theta_bits as usize == self.tb)
            && (p.groups == 1 || (p.gb as usize, p.state_word as usize) == (self.gb, self.sw))
    }
}

/// Declares the presets: for each, a type alias of the top and an entry of [`PRESETS`];
/// [`generate_preset`] dispatches on them.
macro_rules! presets {
    ($($(#[$doc:meta])* $ty:ident = $name:literal: N = $n:literal, WB = $wb:literal, PB = $pb:literal, AW = $aw:literal, TB = $tb:literal, VB = $vb:literal, NORM = $norm:literal $(, P = $p:literal, WAW = $waw:literal, GB = $gb:literal, SW = $sw:literal)?;)+) => {
        $(
            $(#[$doc])*
            pub type $ty = presets!(@core $n, $wb, $pb, $aw, $tb, $vb $(, $p, $waw, $gb, $sw)?);
        )+

        /// Every compiled width set.
        pub const PRESETS: &[Preset] = &[$(presets!(@entry $name, $n, $wb, $pb, $aw, $tb, $vb, $norm $(, $p, $waw, $gb, $sw)?)),+];

        /// The Verilog of the top (module `top_name`) for `p`, or `None` when no preset has its
        /// widths. With `init` (raw weights `N x M`, already checked by
        /// `crate::generate::check_initial_weights`), the weight memory starts with them, and
        /// with `theta` (raw, one per neuron, homeostasis only) the theta registers.
        pub fn generate_preset(p: &HwParams, top_name: &str, init: Option<&[Vec<i32>]>, theta: &[u64]) -> Option<String> {
            $(
                if PRESETS.iter().any(|s| s.name == $name && s.matches(p)) {
                    let words = init.map_or_else(Vec::new, |raw| pack_words(raw, $wb, p.lanes));
                    let mut core = <$ty>::with_state(p, &words, theta);
                    return Some(verilog::generate(&mut core, top_name));
                }
            )+
            None
        }
    };
    (@core $n:literal, $wb:literal, $pb:literal, $aw:literal, $tb:literal, $vb:literal) => {
        SnnCore<$n, $wb, $pb, { $n * $wb }, $aw, $tb, $vb, $aw, 1, 1, { neuron_bits($n) }>
    };
    (@core $n:literal, $wb:literal, $pb:literal, $aw:literal, $tb:literal, $vb:literal, $p:literal, $waw:literal, $gb:literal, $sw:literal) => {
        SnnCore<$n, $wb, $pb, { $p * $wb }, $aw, $tb, $vb, $waw, $gb, $sw, { neuron_bits($n) }>
    };
    (@entry $name:literal, $n:literal, $wb:literal, $pb:literal, $aw:literal, $tb:literal, $vb:literal, $norm:literal) => {
        Preset { name: $name, n: $n, wb: $wb, pb: $pb, aw: $aw, tb: $tb, homeostasis: $vb > $pb, normalization: $norm, lanes: $n, waw: $aw, gb: 0, sw: 0 }
    };
    (@entry $name:literal, $n:literal, $wb:literal, $pb:literal, $aw:literal, $tb:literal, $vb:literal, $norm:literal, $p:literal, $waw:literal, $gb:literal, $sw:literal) => {
        Preset { name: $name, n: $n, wb: $wb, pb: $pb, aw: $aw, tb: $tb, homeostasis: $vb > $pb, normalization: $norm, lanes: $p, waw: $waw, gb: $gb, sw: $sw }
    };
}

presets! {
    /// The top for the widths of the `seed` preset, `SnnConfig::seed()` (28 x 28 inputs, 10
    /// neurons, no homeostasis: `TB` unused).
    DefaultCore = "default": N = 10, WB = 10, PB = 20, AW = 10, TB = 16, VB = 20, NORM = false;
    /// The top for the widths of `SnnConfig::small()` (16 x 16 inputs, 4 neurons).
    SmallCore = "small": N = 4, WB = 9, PB = 18, AW = 9, TB = 16, VB = 18, NORM = false;
    /// The top for `configs/n32.toml`: the seed configuration with 32 neurons.
    N32Core = "n32": N = 32, WB = 10, PB = 20, AW = 10, TB = 16, VB = 20, NORM = false;
    /// The top for `configs/n100.toml`: the seed configuration with 100 neurons.
    N100Core = "n100": N = 100, WB = 10, PB = 20, AW = 10, TB = 16, VB = 20, NORM = false;
    /// The top for the `default` (learning) preset with 10 neurons, `configs/default-n10.toml`:
    /// homeostasis and row normalization.
    LearningCore = "default-n10": N = 10, WB = 10, PB = 21, AW = 10, TB = 17, VB = 22, NORM = true;
    /// The same with 100 neurons (`configs/default-n100.toml`).
    LearningN100Core = "default-n100": N = 100, WB = 10, PB = 21, AW = 10, TB = 17, VB = 22, NORM = true;
    /// The `default` preset's homeostasis without normalization (`configs/default-theta.toml`).
    ThetaCore = "default-theta": N = 10, WB = 10, PB = 21, AW = 10, TB = 17, VB = 22, NORM = false;
    /// The same with 100 neurons (`configs/default-theta-n100.toml`).
    ThetaN100Core = "default-theta-n100": N = 100, WB = 10, PB = 21, AW = 10, TB = 17, VB = 22, NORM = false;
    /// `SnnConfig::small()` with homeostasis (the co-simulation's small configuration).
    SmallThetaCore = "small-theta": N = 4, WB = 9, PB = 18, AW = 9, TB = 16, VB = 19, NORM = false;
    /// `small_theta()` with row normalization, [`small_norm`].
    SmallNormCore = "small-norm": N = 4, WB = 9, PB = 18, AW = 9, TB = 16, VB = 19, NORM = true;
    /// Lane groups: `SnnConfig::small()` with 10 neurons in 3 groups of 4 lanes (the last with
    /// 2 neurons), [`small_lanes`].
    SmallLanesCore = "small-lanes": N = 10, WB = 9, PB = 18, AW = 9, TB = 16, VB = 18, NORM = false, P = 4, WAW = 10, GB = 2, SW = 176;
    /// Two lane groups (the state memory's bypass): 8 neurons in 2 groups of 4, [`small_lanes2`].
    SmallLanes2Core = "small-lanes2": N = 8, WB = 9, PB = 18, AW = 9, TB = 16, VB = 18, NORM = false, P = 4, WAW = 10, GB = 1, SW = 176;
    /// The seed configuration with 100 neurons in 10 groups of 10 lanes
    /// (`configs/n100-p10.toml`).
    N100P10Core = "n100-p10": N = 100, WB = 10, PB = 20, AW = 10, TB = 16, VB = 20, NORM = false, P = 10, WAW = 13, GB = 4, SW = 480;
    /// Lane groups with homeostasis: [`small_theta`] with 10 neurons in 3 groups of 4
    /// ([`small_lanes_theta`]).
    SmallLanesThetaCore = "small-lanes-theta": N = 10, WB = 9, PB = 18, AW = 9, TB = 16, VB = 19, NORM = false, P = 4, WAW = 10, GB = 2, SW = 176;
    /// The same in two groups (the bypass of the theta memories), [`small_lanes2_theta`].
    SmallLanes2ThetaCore = "small-lanes2-theta": N = 8, WB = 9, PB = 18, AW = 9, TB = 16, VB = 19, NORM = false, P = 4, WAW = 10, GB = 1, SW = 176;
    /// The `default` preset's homeostasis without normalization, 100 neurons in 10 groups of
    /// 10 lanes (`configs/default-theta-n100-p10.toml`).
    ThetaN100P10Core = "default-theta-n100-p10": N = 100, WB = 10, PB = 21, AW = 10, TB = 17, VB = 22, NORM = false, P = 10, WAW = 13, GB = 4, SW = 500;
    /// Lane groups with the whole learning rule: [`small_norm`] with 10 neurons in 3 groups of
    /// 4 ([`small_lanes_norm`]).
    SmallLanesNormCore = "small-lanes-norm": N = 10, WB = 9, PB = 18, AW = 9, TB = 16, VB = 19, NORM = true, P = 4, WAW = 10, GB = 2, SW = 176;
    /// The same in two groups, [`small_lanes2_norm`].
    SmallLanes2NormCore = "small-lanes2-norm": N = 8, WB = 9, PB = 18, AW = 9, TB = 16, VB = 19, NORM = true, P = 4, WAW = 10, GB = 1, SW = 176;
    /// The `default` preset (homeostasis and row normalization), 100 neurons in 10 groups of
    /// 10 lanes (`configs/default-n100-p10.toml`).
    LearningN100P10Core = "default-n100-p10": N = 100, WB = 10, PB = 21, AW = 10, TB = 17, VB = 22, NORM = true, P = 10, WAW = 13, GB = 4, SW = 500;
    /// The Arty A7-35T board preset: the `default` preset with 200 neurons in 10 groups of 20
    /// lanes (`configs/arty-n200.toml`).
    ArtyN200Core = "arty-n200": N = 200, WB = 10, PB = 21, AW = 10, TB = 17, VB = 22, NORM = true, P = 20, WAW = 13, GB = 4, SW = 1000;
    /// The iCEBreaker (UP5K) board preset's network: the `default` preset with 100 neurons in
    /// 20 groups of 5 lanes (`configs/up5k-n100.toml`; the UP5K itself cannot hold it yet).
    Up5kN100Core = "up5k-n100": N = 100, WB = 10, PB = 21, AW = 10, TB = 17, VB = 22, NORM = true, P = 5, WAW = 14, GB = 5, SW = 250;
    /// The ULX3S 85F (ECP5) board preset: the `default` preset with 400 neurons in 8 groups of 50
    /// lanes (`configs/ecp5-n400.toml`), the first with a 9-bit neuron index.
    Ecp5N400Core = "ecp5-n400": N = 400, WB = 10, PB = 21, AW = 10, TB = 17, VB = 22, NORM = true, P = 50, WAW = 13, GB = 3, SW = 2500;
}

/// `SnnConfig::small()` with 10 neurons in lane groups of 4 (preset `small-lanes`).
pub fn small_lanes() -> SnnConfig {
    SnnConfig {
        neurons: 10,
        lanes: Some(4),
        ..SnnConfig::small()
    }
}

/// `SnnConfig::small()` with 8 neurons in two lane groups of 4 (preset `small-lanes2`).
pub fn small_lanes2() -> SnnConfig {
    SnnConfig {
        neurons: 8,
        lanes: Some(4),
        ..SnnConfig::small()
    }
}

/// [`small_theta`] with 10 neurons in lane groups of 4 (preset `small-lanes-theta`).
pub fn small_lanes_theta() -> SnnConfig {
    SnnConfig {
        neurons: 10,
        lanes: Some(4),
        ..small_theta()
    }
}

/// [`small_theta`] with 8 neurons in two lane groups of 4 (preset `small-lanes2-theta`).
pub fn small_lanes2_theta() -> SnnConfig {
    SnnConfig {
        neurons: 8,
        lanes: Some(4),
        ..small_theta()
    }
}

/// [`small_norm`] with 10 neurons in lane groups of 4 (preset `small-lanes-norm`).
pub fn small_lanes_norm() -> SnnConfig {
    SnnConfig {
        neurons: 10,
        lanes: Some(4),
        ..small_norm()
    }
}

/// [`small_norm`] with 8 neurons in two lane groups of 4 (preset `small-lanes2-norm`).
pub fn small_lanes2_norm() -> SnnConfig {
    SnnConfig {
        neurons: 8,
        lanes: Some(4),
        ..small_norm()
    }
}

/// The configuration a preset's name stands for: a constructor (`default` is the seed's widths,
/// `small`, `small-theta`) or an example file `configs/<name>.toml` of the repository.
pub fn preset_config(name: &str) -> anyhow::Result<SnnConfig> {
    Ok(match name {
        "default" => SnnConfig::default(),
        "small" => SnnConfig::small(),
        "small-theta" => small_theta(),
        "small-norm" => small_norm(),
        "small-lanes" => small_lanes(),
        "small-lanes2" => small_lanes2(),
        "small-lanes-theta" => small_lanes_theta(),
        "small-lanes2-theta" => small_lanes2_theta(),
        "small-lanes-norm" => small_lanes_norm(),
        "small-lanes2-norm" => small_lanes2_norm(),
        file => SnnConfig::from_toml_file(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../configs")
                .join(format!("{file}.toml")),
        )?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_preset_matches_its_config() {
        for preset in PRESETS {
            let p = HwParams::new(&preset_config(preset.name).unwrap()).unwrap();
            let hits: Vec<&str> = PRESETS
                .iter()
                .filter(|s| s.matches(&p))
                .map(|s| s.name)
                .collect();
            assert_eq!(hits, [preset.name]);
        }
    }
}
