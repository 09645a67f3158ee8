//! The documents say what the code does: the lint flags the READMEs quote are those
//! `scripts/lint.sh` runs, and hdl/README.md lists the `state` code of every FSM state.

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{ROOT}/{path}")).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_readmes_quote_the_lint_that_runs() {
    let script = read("scripts/lint.sh");
    let command = script
        .lines()
        .find(|l| l.contains("exec verilator"))
        .expect("lint.sh runs verilator");
    let flags: Vec<&str> = command
        .split_whitespace()
        .skip_while(|w| *w != "--lint-only")
        .take_while(|w| w.starts_with('-') && *w != "--top-module")
        .collect();
    assert!(flags.contains(&"-Wall"), "{flags:?}");
    let lint = format!("verilator {}", flags.join(" "));
    for doc in ["README.md", "hdl/README.md"] {
        let text = read(doc).split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(text.contains(&lint), "{doc} does not quote `{lint}`");
        assert!(
            !text.contains("no waivers)"),
            "{doc} still says there are no waivers"
        );
    }
}

/// Every state code of the committed Verilog (`localparam s_stdp_drain = 5'b1001;`) is in
/// hdl/README.md's table, under its name (`StdpDrain`, `snn_arch::FsmState`).
#[test]
fn the_hdl_readme_lists_every_state_code() {
    let text = read("hdl/README.md");
    let verilog = read("hdl/snn_core.v");
    let mut codes = 0;
    for line in verilog.lines().map(str::trim) {
        let Some(rest) = line.strip_prefix("localparam  s_") else {
            continue;
        };
        let (name, value) = rest.split_once(" = ").expect("localparam NAME = VALUE;");
        // `5'b1101;` or `4'h9;`: the radix letter after the quote, then the digits.
        let literal = value.split('\'').nth(1).expect("a sized literal");
        let radix = match literal.as_bytes()[0] {
            b'b' => 2,
            b'h' => 16,
            b'd' => 10,
            r => panic!("radix {} in {value}", r as char),
        };
        let code = u8::from_str_radix(literal[1..].trim_end_matches(';'), radix).unwrap();
        let state = snn_arch::FsmState::ALL
            .into_iter()
            .find(|s| s.name().to_lowercase() == name.replace('_', ""))
            .unwrap_or_else(|| panic!("s_{name} is no FsmState"));
        let entry = format!("| {code} | `{}` |", state.name());
        assert!(text.contains(&entry), "hdl/README.md lacks {entry}");
        codes += 1;
    }
    assert!(codes >= 14, "{codes} state codes found in hdl/snn_core.v");
}
