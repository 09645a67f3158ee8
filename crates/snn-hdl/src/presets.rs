//! The width sets the generator is compiled for. rust-hdl widths are const generics, so every
//! supported combination of `N`, `WB`, `PB`, `AW` (`WORD = N * WB`) is instantiated here once;
//! all other parameters come from the configuration at generation time.

use crate::core::SnnCore;
use crate::verilog;
use snn_sim::params::HwParams;

/// One compiled width set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preset {
    /// The `SnnConfig` constructor whose widths these are.
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
    ($($ty:ident = $name:literal: N = $n:literal, WB = $wb:literal, PB = $pb:literal, AW = $aw:literal;)+) => {
        $(
            #[doc = concat!("The top for the widths of `SnnConfig::", $name, "()`.")]
            pub type $ty = SnnCore<$n, $wb, $pb, { $n * $wb }, $aw>;
        )+

        /// Every compiled width set.
        pub const PRESETS: &[Preset] = &[$(Preset { name: $name, n: $n, wb: $wb, pb: $pb, aw: $aw }),+];

        /// The Verilog of the top (module `top_name`) for `p`, or `None` when no preset has its widths.
        pub fn generate_preset(p: &HwParams, top_name: &str) -> Option<String> {
            $(
                if PRESETS.iter().any(|s| s.name == $name && s.matches(p)) {
                    let mut core = <$ty>::new(p);
                    return Some(verilog::generate(&mut core, top_name));
                }
            )+
            None
        }
    };
}

presets! {
    DefaultCore = "default": N = 10, WB = 10, PB = 20, AW = 10;
    SmallCore = "small": N = 4, WB = 9, PB = 18, AW = 9;
}

#[cfg(test)]
mod tests {
    use super::*;
    use snn_core::config::SnnConfig;

    #[test]
    fn each_preset_matches_its_config() {
        for (cfg, name) in [
            (SnnConfig::default(), "default"),
            (SnnConfig::small(), "small"),
        ] {
            let p = HwParams::new(&cfg).unwrap();
            let hits: Vec<&str> = PRESETS
                .iter()
                .filter(|s| s.matches(&p))
                .map(|s| s.name)
                .collect();
            assert_eq!(hits, [name]);
        }
    }
}
