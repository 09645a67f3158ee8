//! The Verilog committed in `hdl/` must be exactly what the generator produces now: the generated
//! files are build products that people synthesize from, so a stale copy is a bug.
//! Regenerate with `cargo run --release -p snn-cli -- generate --preset seed --out hdl` (hdl/ holds the
//! `seed` design, the one that fits the iCE40-HX8K).

use snn_core::config::SnnConfig;
use std::path::Path;

#[test]
fn committed_hdl_equals_the_generator_output() {
    let hdl = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../hdl");
    let cfg = SnnConfig::seed();
    let fresh = tempfile::tempdir().unwrap();
    let written = snn_hdl::generate::write_hdl(&cfg, fresh.path()).unwrap();
    assert!(!written.is_empty());
    for path in written {
        let name = path.file_name().unwrap();
        let committed = std::fs::read_to_string(hdl.join(name)).unwrap_or_else(|e| {
            panic!(
                "hdl/{}: {e}; regenerate with `snn generate --preset seed --out hdl`",
                name.to_string_lossy()
            )
        });
        let now = std::fs::read_to_string(&path).unwrap();
        assert!(
            committed == now,
            "hdl/{} differs from the generator output; regenerate with `snn generate --preset seed --out hdl`",
            name.to_string_lossy()
        );
    }
}
