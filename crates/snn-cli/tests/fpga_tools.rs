//! `snn fpga` around its tools, with a stand-in `yosys` on PATH (the real flow takes minutes):
//! the tools end with `snn` when it is signalled, the default output folder is in the current
//! directory, and progress with the elapsed time goes to stderr, also with `--json`.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

mod common;
use common::{assert_documented, command};

/// A `yosys` that answers `--version`, records its pid, and then either writes the files the
/// flow reads (`ok`) or starts a child of its own and waits for it (`hang`), like yosys waiting
/// for `yosys-abc`. Arguments as the flow passes them: `-q -l LOG -p SCRIPT`.
const FAKE_YOSYS: &str = r#"#!/bin/sh
[ "$1" = "--version" ] && { echo "Yosys (stand-in)"; exit 0; }
echo $$ > "$FAKE_DIR/yosys.pid"
if [ "$FAKE_MODE" = hang ]; then
    sleep 300 &
    echo $! > "$FAKE_DIR/child.pid"
    wait
    exit 1
fi
stat=$(printf '%s' "$5" | sed -n 's/.*tee -q -o \([^ ]*\) stat -json.*/\1/p')
net=$(printf '%s' "$5" | sed -n 's/.*write_json \([^ ;]*\).*/\1/p')
echo '{"design":{"num_cells_by_type":{"LUT4":100,"CCU2C":4,"TRELLIS_FF":50}}}' > "$stat"
echo '{}' > "$net"
echo "stand-in synthesis" > "$3"
"#;

/// A folder holding the stand-in `yosys`, to put first on PATH.
fn fake_tools(dir: &Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let yosys = bin.join("yosys");
    std::fs::write(&yosys, FAKE_YOSYS).unwrap();
    std::fs::set_permissions(&yosys, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

fn fpga(dir: &Path, mode: &str, args: &[&str]) -> std::process::Command {
    let bin = fake_tools(dir);
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let mut cmd = command(
        dir,
        &[&["fpga", "--target", "ecp5", "--cycle-images", "1"], args].concat(),
    );
    cmd.env("PATH", path)
        .env("FAKE_DIR", dir)
        .env("FAKE_MODE", mode);
    cmd
}

#[test]
fn the_flow_writes_beside_the_caller_and_reports_progress() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = fpga(d, "ok", &["--no-place", "--json"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_documented("## `snn fpga", &report);
    assert_eq!(
        (report["luts"].as_u64(), report["placed"].as_bool()),
        (Some(108), Some(false))
    );
    // The default folder is in the current directory, not in the source tree.
    assert!(d.join("fpga-out/snn_fpga_top-ecp5/report.json").is_file());
    assert!(d
        .join("fpga-out/snn_fpga_top-ecp5/snn_fpga_top.v")
        .is_file());
    // Progress on stderr while stdout holds the JSON: the step and the elapsed time.
    assert!(
        err.contains("] fpga ecp5: yosys: synthesis (synth_ecp5"),
        "{err}"
    );
    assert!(err.lines().all(|l| l.starts_with("[0:0")), "{err}");
    // $SNN_FPGA_BUILD moves the default folder.
    let out = fpga(d, "ok", &["--no-place"])
        .env("SNN_FPGA_BUILD", d.join("elsewhere"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(d.join("elsewhere/snn_fpga_top-ecp5/report.json").is_file());
}

/// Whether process `pid` still runs (a zombie has ended; only its parent has not reaped it).
fn running(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .and_then(|rest| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}

fn read_pid(path: &Path) -> Option<i32> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

#[test]
fn a_signal_to_snn_alone_ends_the_tools_it_started() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut snn = fpga(d, "hang", &["--no-place", "--out", "o"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let (tool, child) = loop {
        if let (Some(t), Some(c)) = (
            read_pid(&d.join("yosys.pid")),
            read_pid(&d.join("child.pid")),
        ) {
            break (t, c);
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "yosys never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(running(tool) && running(child));
    // SIGTERM to snn only, as `kill PID` sends it: not to its process group.
    // SAFETY: signals to processes this test started.
    unsafe {
        libc::kill(snn.id() as libc::pid_t, libc::SIGTERM);
    }
    let status = snn.wait().unwrap();
    assert_eq!(status.signal(), Some(libc::SIGTERM), "{status:?}");
    let ended = Instant::now();
    while (running(tool) || running(child)) && ended.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let survivors: Vec<i32> = [tool, child].into_iter().filter(|&p| running(p)).collect();
    for &p in &survivors {
        // SAFETY: as above; the test cleans up after a failure.
        unsafe {
            libc::kill(p, libc::SIGKILL);
        }
    }
    assert!(survivors.is_empty(), "tools outlived snn: {survivors:?}");
}
