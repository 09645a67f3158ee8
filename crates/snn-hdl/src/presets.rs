//! The width sets the generator is compiled for. rust-hdl widths are const generics, so every
//! supported combination of `N`, `WB`, `PB`, `AW` (`WORD = N * WB`) is instantiated here once;
//! all other parameters come from the configuration at generation time.

use crate::core::SnnCore;
use crate::verilog;
use crate::weight_mem::pack_words;
use snn_arch::HwParams;

/// One compiled width set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preset {
    /// Where a configuration with these widths comes from: an `SnnConfig` constructor
    /// (`default`, `small`) or an example file `configs/<name>.toml` (`n32`, `n100`).
    pub name: &'static str,
    pub n: usize,
    pub wb: usize,
    pub pb: usize,
    pub aw: usize,
}

impl Preset {
    /// Whether a configuration with these derived parameters can use this preset.
    pub fn matches(&self, p: &HwParams) -> bool {
        (
            p.n,
            p.widths.weight as usize,
            p.widths.potential as usize,
            p.aw as usize,
        ) == (self.n, self.wb, self.pb, self.aw)
    }
}

/// Declares the presets: for each, a type alias of the top and an entry of [`PRESETS`];
/// [`generate_preset`] dispatches on them.
macro_rules! presets {
    ($($(#[$doc:meta])* $ty:ident = $name:literal: N = $n:literal, WB = $wb:literal, PB = $pb:literal, AW = $aw:literal;)+) => {
        $(
            $(#[$doc])*
            pub type $ty = SnnCore<$n, $wb, $pb, { $n * $wb }, $aw>;
        )+

        /// Every compiled width set.
        pub const PRESETS: &[Preset] = &[$(Preset { name: $name, n: $n, wb: $wb, pb: $pb, aw: $aw }),+];

        /// The Verilog of the top (module `top_name`) for `p`, or `None` when no preset has its
        /// widths. With `init` (raw weights `N x M`, already checked by
        /// `crate::generate::check_initial_weights`), the weight memory starts with them.
        pub fn generate_preset(p: &HwParams, top_name: &str, init: Option<&[Vec<i32>]>) -> Option<String> {
            $(
                if PRESETS.iter().any(|s| s.name == $name && s.matches(p)) {
                    let words = init.map_or_else(Vec::new, |raw| pack_words::<{ $n * $wb }>(raw, $wb));
                    let mut core = <$ty>::with_weights(p, &words);
                    return Some(verilog::generate(&mut core, top_name));
                }
            )+
            None
        }
    };
}

presets! {
    /// The top for the widths of `SnnConfig::default()` (28 x 28 inputs, 10 neurons).
    DefaultCore = "default": N = 10, WB = 10, PB = 20, AW = 10;
    /// The top for the widths of `SnnConfig::small()` (16 x 16 inputs, 4 neurons).
    SmallCore = "small": N = 4, WB = 9, PB = 18, AW = 9;
    /// The top for `configs/n32.toml`: the default configuration with 32 neurons.
    N32Core = "n32": N = 32, WB = 10, PB = 20, AW = 10;
    /// The top for `configs/n100.toml`: the default configuration with 100 neurons.
    N100Core = "n100": N = 100, WB = 10, PB = 20, AW = 10;
}

#[cfg(test)]
mod tests {
    use super::*;
    use snn_core::config::SnnConfig;
    use std::path::Path;

    /// The configuration a preset's name stands for: a constructor or an example file.
    fn preset_config(name: &str) -> SnnConfig {
        match name {
            "default" => SnnConfig::default(),
            "small" => SnnConfig::small(),
            file => SnnConfig::from_toml_file(
                &Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../../configs")
                    .join(format!("{file}.toml")),
            )
            .unwrap(),
        }
    }

    #[test]
    fn each_preset_matches_its_config() {
        for preset in PRESETS {
            let p = HwParams::new(&preset_config(preset.name)).unwrap();
            let hits: Vec<&str> = PRESETS
                .iter()
                .filter(|s| s.matches(&p))
                .map(|s| s.name)
                .collect();
            assert_eq!(hits, [preset.name]);
        }
    }
}
