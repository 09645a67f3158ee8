//! No silent data loss (issue 11, part 1): outputs never overwrite inputs, output locations are
//! checked before the work, interrupted and piped commands leave nothing behind, round trips
//! keep everything, and data or configuration values that would be ignored are errors.

use serde_json::Value;
use snn_data::{idx, png, Image};
use std::io::Read;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

mod common;
use common::{command, fails, ok, ok_json, read_json, train_fixed};

/// Files whose names start with `.tmp` anywhere under `dir`.
fn temporaries(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(".tmp") {
            found.push(e.path().display().to_string());
        } else if e.path().is_dir() {
            found.extend(temporaries(&e.path()));
        }
    }
    found
}

fn digit_png(dir: &Path, name: &str) {
    let img = snn_data::builtin::digits(snn_data::Split::Test, 1, 0)
        .images
        .remove(0);
    png::write(&dir.join(name), &img).unwrap();
}

#[test]
fn an_output_that_is_an_input_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    train_fixed(d, "3", "10", "w.json");
    ok(d, &["export", "--weights", "w.json", "--out", "a.mem"]);
    digit_png(d, "img.png");
    std::os::unix::fs::symlink(d.join("w.json"), d.join("link.json")).unwrap();
    std::fs::create_dir(d.join("sub")).unwrap();
    let keep: Vec<(&str, Vec<u8>)> = ["w.json", "a.mem", "img.png"]
        .iter()
        .map(|f| (*f, std::fs::read(d.join(f)).unwrap()))
        .collect();
    let cases: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (
            vec!["import", "a.mem", "--out", "a.mem"],
            vec!["--out a.mem", "FILE a.mem"],
        ),
        (
            vec!["export", "--weights", "w.json", "--out", "sub/../w.json"],
            vec!["--out sub/../w.json", "--weights w.json"],
        ),
        (
            vec![
                "export",
                "--weights",
                "w.json",
                "--out",
                "link.json",
                "--format",
                "mem",
            ],
            vec!["--out link.json", "--weights w.json"],
        ),
        (
            vec![
                "plot",
                "--weights",
                "w.json",
                "--image",
                "img.png",
                "--out",
                "w.json",
            ],
            vec!["--out w.json", "--weights w.json"],
        ),
        (
            vec![
                "plot",
                "--weights",
                "w.json",
                "--image",
                "img.png",
                "--out",
                "img.png",
            ],
            vec!["--out img.png", "--image img.png"],
        ),
        (
            vec![
                "simulate",
                "--level",
                "cycle",
                "--weights",
                "w.json",
                "--data",
                "builtin",
                "--limit",
                "1",
                "--vcd",
                "w.json",
            ],
            vec!["--vcd w.json", "--weights w.json"],
        ),
        (
            vec![
                "simulate",
                "--level",
                "cycle",
                "--weights",
                "w.json",
                "--data",
                "builtin",
                "--limit",
                "1",
                "--train",
                "--out",
                "x.json",
                "--vcd",
                "./x.json",
            ],
            vec!["--out x.json", "--vcd ./x.json", "same file"],
        ),
        (
            vec![
                "train",
                "--data",
                "img.png",
                "--neurons",
                "2",
                "--out",
                "img.png",
            ],
            vec!["--out img.png", "--data img.png"],
        ),
        (
            vec![
                "train",
                "--data",
                "builtin",
                "--init-weights",
                "w.json",
                "--out",
                "w.json",
            ],
            vec!["--out w.json", "--init-weights w.json"],
        ),
        (
            vec![
                "train", "--data", "builtin", "--limit", "2", "--out", "t.json", "--trace",
                "t.json",
            ],
            vec!["--out t.json", "--trace t.json", "same file"],
        ),
    ];
    for (args, names) in &cases {
        fails(d, args, names);
    }
    for (f, bytes) in keep {
        assert_eq!(std::fs::read(d.join(f)).unwrap(), bytes, "{f} was changed");
    }
    assert!(!d.join("x.json").exists() && !d.join("t.json").exists());
    assert!(temporaries(d).is_empty(), "{:?}", temporaries(d));
}

#[test]
fn output_locations_are_checked_before_the_work() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("file.txt"), "a file, not a folder").unwrap();
    std::fs::write(d.join("typo.toml"), "neuronz = 3\n").unwrap();
    // The outputs are checked first: the error is about --out, not about the configuration.
    fails(
        d,
        &[
            "train",
            "--data",
            "builtin",
            "--config",
            "typo.toml",
            "--out",
            "file.txt/w.json",
        ],
        &["--out file.txt/w.json", "file.txt is a file"],
    );
    // Every output, before training: no weights are written when the trace cannot be.
    fails(
        d,
        &[
            "train",
            "--data",
            "builtin",
            "--limit",
            "5",
            "--out",
            "w.json",
            "--trace",
            "file.txt/t.json",
        ],
        &["--trace file.txt/t.json"],
    );
    assert!(!d.join("w.json").exists());
    fails(
        d,
        &[
            "reconstruct",
            "--weights",
            "nothing.json",
            "--out",
            "file.txt",
        ],
        &["nothing.json"],
    );
    std::fs::create_dir(d.join("folder")).unwrap();
    fails(
        d,
        &[
            "train", "--data", "builtin", "--limit", "2", "--out", "folder",
        ],
        &["--out folder", "is a folder"],
    );
}

#[test]
fn every_command_creates_missing_output_folders() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(
        d,
        &[
            "train",
            "--data",
            "builtin",
            "--limit",
            "5",
            "--neurons",
            "2",
            "--arith",
            "fixed",
            "--out",
            "a/b/w.json",
            "--trace",
            "c/t.json",
        ],
    );
    ok(
        d,
        &["export", "--weights", "a/b/w.json", "--out", "e/f/w.mem"],
    );
    ok(d, &["import", "e/f/w.mem", "--out", "g/h/w.json"]);
    ok(
        d,
        &[
            "plot",
            "--weights",
            "a/b/w.json",
            "--image",
            "builtin",
            "--out",
            "i/p.png",
        ],
    );
    ok(
        d,
        &[
            "simulate",
            "--level",
            "cycle",
            "--weights",
            "a/b/w.json",
            "--data",
            "builtin",
            "--limit",
            "1",
            "--train",
            "--out",
            "j/w.json",
            "--vcd",
            "k/l/x.vcd",
        ],
    );
    ok(
        d,
        &["reconstruct", "--weights", "a/b/w.json", "--out", "m/n"],
    );
    for f in [
        "a/b/w.json",
        "c/t.json",
        "e/f/w.mem",
        "g/h/w.json",
        "i/p.png",
        "j/w.json",
        "k/l/x.vcd",
        "m/n/grid.png",
    ] {
        assert!(d.join(f).is_file(), "{f} not written");
    }
    // The VCD is readable by others, like every output.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(d.join("k/l/x.vcd"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o644);
}

/// `eval --json` of a weights file, without the `weights` key (the file's name).
fn eval_without_name(d: &Path, weights: &str) -> Value {
    let mut e = ok_json(
        d,
        &[
            "eval",
            "--weights",
            weights,
            "--data",
            "builtin",
            "--limit",
            "60",
            "--json",
        ],
    );
    e.as_object_mut().unwrap().remove("weights");
    e
}

#[test]
fn export_import_round_trips_keep_everything_eval_needs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(
        d,
        &[
            "train",
            "--data",
            "builtin",
            "--limit",
            "60",
            "--neurons",
            "4",
            "--arith",
            "fixed",
            "--seed",
            "5",
            "--out",
            "w.json",
        ],
    );
    let mut original = read_json(&d.join("w.json"));
    original["labels"] = serde_json::json!([3, null, 7, 1]);
    std::fs::write(d.join("w.json"), original.to_string()).unwrap();
    let want = eval_without_name(d, "w.json");
    assert_eq!(want["level"], "golden-fixed");
    for (ext, format) in [
        ("mem", None),
        ("coe", None),
        ("mif", None),
        ("txt", Some("coe")),
    ] {
        let image = format!("w.{ext}");
        let back = format!("back-{ext}.json");
        let mut export = vec!["export", "--weights", "w.json", "--out", &image];
        let mut import = vec!["import", &image, "--out", &back];
        if let Some(f) = format {
            export.extend(["--format", f]);
            import.extend(["--format", f]);
        }
        ok(d, &export);
        ok(d, &import);
        // Everything of the weights file survives: arithmetic, configuration (with its seed),
        // labels, adaptive thresholds.
        let got = read_json(&d.join(&back));
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&got), keys(&original), "{ext}");
        for (key, value) in original.as_object().unwrap() {
            assert!(
                &got[key] == value,
                "{ext}: {key} differs after the round trip"
            );
        }
        assert_eq!(eval_without_name(d, &back), want, "{ext}");
    }
    // A .txt needs --format to be read back.
    fails(
        d,
        &["import", "w.txt", "--out", "x.json"],
        &["w.txt", "--format"],
    );
    // The header fixes the shape: contradicting it is an error.
    fails(
        d,
        &["import", "w.mem", "--neurons", "10", "--out", "x.json"],
        &["w.mem", "neurons = 4", "--neurons 10"],
    );
    // An image without the header holds hardware weights: imported for the golden-fixed level.
    let text = std::fs::read_to_string(d.join("w.mem")).unwrap();
    let words: String = text.lines().skip(1).map(|l| format!("{l}\n")).collect();
    std::fs::write(d.join("bare.mem"), words).unwrap();
    ok(
        d,
        &["import", "bare.mem", "--neurons", "4", "--out", "bare.json"],
    );
    let bare = read_json(&d.join("bare.json"));
    assert_eq!(bare["arith"], "golden-fixed");
    assert_eq!(bare["weights"], original["weights"]);
}

/// An MNIST-like folder of `labels.len()` test images with these labels.
fn labelled_folder(dir: &Path, name: &str, labels: &[u8]) {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    let ds = snn_data::builtin::digits(snn_data::Split::Test, labels.len(), 0);
    idx::write_images(&folder.join("t10k-images-idx3-ubyte"), &ds.images).unwrap();
    idx::write_labels(&folder.join("t10k-labels-idx1-ubyte"), labels).unwrap();
}

#[test]
fn labels_must_name_a_class() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    train_fixed(d, "3", "10", "w.json");
    labelled_folder(d, "all255", &[255; 4]);
    labelled_folder(d, "one10", &[1, 2, 10, 3]);
    let eval = |data: &'static str, extra: &[&'static str]| {
        let mut a = vec![
            "eval",
            "--weights",
            "w.json",
            "--data",
            data,
            "--label-data",
            "builtin",
        ];
        a.extend_from_slice(extra);
        a
    };
    fails(
        d,
        &eval("all255", &[]),
        &[
            "t10k-labels-idx1-ubyte",
            "label 255 at index 0",
            "10 classes",
        ],
    );
    fails(
        d,
        &eval("one10", &[]),
        &["t10k-labels-idx1-ubyte", "label 10 at index 2"],
    );
    let e = ok_json(d, &eval("one10", &["--classes", "11", "--json"]));
    assert_eq!(e["confusion"].as_array().unwrap().len(), 11);
    fails(d, &eval("one10", &["--classes", "0"]), &["--classes"]);

    // Class folders: a label beyond the classes names its folder; a folder that is not a label
    // is an error naming it instead of images silently left out.
    let root = d.join("pngs");
    for class in ["0", "12"] {
        std::fs::create_dir_all(root.join(class)).unwrap();
        png::write(
            &root.join(class).join("a.png"),
            &Image {
                height: 28,
                width: 28,
                pixels: vec![200; 784],
            },
        )
        .unwrap();
    }
    fails(d, &eval("pngs", &[]), &["pngs/12", "label 12 at index 1"]);
    std::fs::rename(root.join("12"), root.join("twelve")).unwrap();
    fails(d, &eval("pngs", &[]), &["pngs/twelve", "not a class label"]);
    fails(
        d,
        &["train", "--data", "pngs", "--out", "x.json"],
        &["pngs/twelve", "not a class label"],
    );
}

/// Starts `snn args` with stdout a pipe that is closed before anything is read, as
/// `snn ... | head -1` does once it has its line; returns the exit status and stderr.
fn into_closed_pipe(dir: &Path, args: &[&str]) -> (std::process::ExitStatus, String) {
    let mut child = command(dir, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (child.wait().unwrap(), err)
}

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    train_fixed(d, "3", "10", "w.json");
    for args in [
        vec!["encode", "builtin:test", "--json"],
        vec!["encode", "builtin:test"],
        vec![
            "simulate",
            "--level",
            "cycle",
            "--weights",
            "w.json",
            "--data",
            "builtin",
            "--limit",
            "3",
            "--json",
        ],
        vec![
            "compare",
            "--weights",
            "w.json",
            "--data",
            "builtin",
            "--limit",
            "3",
            "--json",
        ],
    ] {
        let (status, err) = into_closed_pipe(d, &args);
        let quiet = status.code() == Some(0) || status.signal() == Some(libc::SIGPIPE);
        assert!(quiet, "snn {args:?}: {status:?}\n{err}");
        assert!(err.is_empty(), "snn {args:?} wrote to stderr: {err}");
    }
}

/// Waits up to a minute for `found` to return something.
fn wait_for<T>(mut found: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(x) = found() {
            return x;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "timed out");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_signal_during_a_vcd_leaves_no_temporary_file() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    train_fixed(d, "3", "10", "w.json");
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // 2000 images: minutes of VCD, ended as soon as its temporary file exists.
        let out = d.join("out");
        std::fs::create_dir_all(&out).unwrap();
        let mut child = command(
            d,
            &[
                "simulate",
                "--level",
                "cycle",
                "--weights",
                "w.json",
                "--data",
                "builtin",
                "--split",
                "train",
                "--vcd",
                "out/run.vcd",
            ],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
        wait_for(|| (!temporaries(&out).is_empty()).then_some(()));
        // SAFETY: a signal to the child this test started.
        unsafe {
            libc::kill(child.id() as libc::pid_t, signal);
        }
        let status = child.wait().unwrap();
        assert_eq!(status.signal(), Some(signal), "{status:?}");
        assert!(temporaries(d).is_empty(), "{:?}", temporaries(d));
        assert!(!d.join("out/run.vcd").exists());
    }
}

#[test]
fn configuration_values_that_would_be_ignored_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("tiny.toml"), "height = 1\nwidth = 1\n").unwrap();
    fails(
        d,
        &[
            "train",
            "--data",
            "builtin",
            "--limit",
            "2",
            "--config",
            "tiny.toml",
            "--out",
            "w.json",
        ],
        &["tiny.toml", "height = 1, width = 1", "28x28"],
    );
    train_fixed(d, "4", "5", "w4.json");
    std::fs::write(d.join("three.toml"), "neurons = 3\n").unwrap();
    fails(
        d,
        &[
            "eval",
            "--weights",
            "w4.json",
            "--data",
            "builtin",
            "--limit",
            "5",
            "--config",
            "three.toml",
        ],
        &["three.toml", "neurons = 3", "4 neurons"],
    );
    // A config that agrees with the data is fine.
    std::fs::write(d.join("same.toml"), "height = 28\nwidth = 28\n").unwrap();
    ok(
        d,
        &[
            "train",
            "--data",
            "builtin",
            "--limit",
            "2",
            "--config",
            "same.toml",
            "--out",
            "w.json",
        ],
    );
    // t_steps has an upper limit, from a file and from the flag.
    std::fs::write(d.join("long.toml"), "t_steps = 4294967295\n").unwrap();
    fails(
        d,
        &[
            "train",
            "--data",
            "builtin",
            "--limit",
            "2",
            "--config",
            "long.toml",
            "--out",
            "x.json",
        ],
        &["long.toml", "t_steps", "65535"],
    );
    fails(
        d,
        &["encode", "builtin", "--t-steps", "4294967295"],
        &["--t-steps", "65535"],
    );
    assert!(!d.join("x.json").exists());
}
