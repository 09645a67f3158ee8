//! The downloader, against a small HTTP server on 127.0.0.1 started by each test.

mod common;

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};

use common::{listing, ramp};
use md5::{Digest, Md5};
use snn_data::fetch::{fetch_files, fetch_mnist, FILES};
use snn_data::{idx, load, Split};

/// Serves the files under `root` over HTTP/1.1 (`GET /a/b` -> `root/a/b`, 404 when absent) from a
/// background thread, and returns the base URL.
fn serve(root: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || respond(stream, &root));
        }
    });
    base
}

fn respond(mut stream: TcpStream, root: &Path) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    let mut header = String::new();
    while reader.read_line(&mut header).is_ok_and(|n| n > 0) && header != "\r\n" {
        header.clear();
    }
    let target = request
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .trim_start_matches('/');
    let (status, body) = match fs::read(root.join(target)) {
        Ok(body) => ("200 OK", body),
        Err(_) => ("404 Not Found", b"not found".to_vec()),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(&body));
}

fn md5_hex(bytes: &[u8]) -> String {
    format!("{:x}", Md5::digest(bytes))
}

/// Small stand-ins for the four MNIST files in `dir`, and the name/MD5 table for them.
fn fake_mnist(dir: &Path) -> Vec<(String, String)> {
    fs::create_dir_all(dir).unwrap();
    let mut table = Vec::new();
    for (prefix, n) in [("train", 6u8), ("t10k", 3)] {
        let images: Vec<_> = (0..n).map(|k| ramp(28, 28, k)).collect();
        let labels: Vec<u8> = (0..n).collect();
        let img = format!("{prefix}-images-idx3-ubyte.gz");
        let lbl = format!("{prefix}-labels-idx1-ubyte.gz");
        idx::write_images(&dir.join(&img), &images).unwrap();
        idx::write_labels(&dir.join(&lbl), &labels).unwrap();
        for name in [img, lbl] {
            let sum = md5_hex(&fs::read(dir.join(&name)).unwrap());
            table.push((name, sum));
        }
    }
    table
}

#[test]
fn downloads_verifies_and_skips_present_files() {
    let root = tempfile::tempdir().unwrap();
    let table = fake_mnist(&root.path().join("good"));
    let base = serve(root.path().to_path_buf());
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().join("mnist");

    let paths = fetch_files(&out_dir, &[format!("{base}/good/")], &table, true).unwrap();
    assert_eq!(paths.len(), 4);
    for ((name, _), path) in table.iter().zip(&paths) {
        assert_eq!(path, &out_dir.join(name));
        assert_eq!(
            fs::read(path).unwrap(),
            fs::read(root.path().join("good").join(name)).unwrap()
        );
    }
    assert_eq!(listing(&out_dir).len(), 4, "no temporary files left");
    let train = load(out_dir.to_str().unwrap(), Split::Train).unwrap();
    assert_eq!((train.len(), train.labels.map(|l| l.len())), (6, Some(6)));

    // Present files with the right MD5 are not fetched again: a mirror that has nothing works.
    let again = fetch_files(&out_dir, &[format!("{base}/empty")], &table, false).unwrap();
    assert_eq!(again, paths);
}

#[test]
fn falls_back_to_the_next_mirror() {
    let root = tempfile::tempdir().unwrap();
    let table = fake_mnist(&root.path().join("good"));
    let base = serve(root.path().to_path_buf());
    // A port nobody listens on: bind, note the port, and close again.
    let refused = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/", l.local_addr().unwrap())
    };
    let out = tempfile::tempdir().unwrap();
    let mirrors = [format!("{base}/missing/"), refused, format!("{base}/good")];
    let paths = fetch_files(out.path(), &mirrors, &table, false).unwrap();
    assert_eq!(paths.len(), 4);
    assert!(paths.iter().all(|p| p.is_file()));
}

#[test]
fn md5_mismatch_fails_and_leaves_nothing_behind() {
    let root = tempfile::tempdir().unwrap();
    let mut table = fake_mnist(&root.path().join("good"));
    table[2].1 = "0123456789abcdef0123456789abcdef".into();
    let base = serve(root.path().to_path_buf());
    let out = tempfile::tempdir().unwrap();
    let err = format!(
        "{:#}",
        fetch_files(out.path(), &[format!("{base}/good/")], &table, false).unwrap_err()
    );
    assert!(
        err.contains(&table[2].0) && err.contains("MD5 mismatch"),
        "{err}"
    );
    assert!(err.contains("0123456789abcdef0123456789abcdef"), "{err}");
    // The two files before the bad one were kept; the bad one and any temporary file are gone.
    assert_eq!(
        listing(out.path()),
        vec![table[0].0.clone(), table[1].0.clone()]
    );
}

#[test]
fn all_mirrors_failing_names_each_problem() {
    let root = tempfile::tempdir().unwrap();
    let table = fake_mnist(&root.path().join("good"));
    let base = serve(root.path().to_path_buf());
    let out = tempfile::tempdir().unwrap();
    let mirrors = [format!("{base}/nope/"), format!("{base}/neither/")];
    let err = format!(
        "{:#}",
        fetch_files(out.path(), &mirrors, &table, false).unwrap_err()
    );
    assert!(
        err.contains("/nope/") && err.contains("/neither/") && err.contains("404"),
        "{err}"
    );
    assert!(listing(out.path()).is_empty());
}

#[test]
fn fetch_mnist_gets_the_real_files() {
    let Some(mnist) = snn_testkit::mnist_dir("fetch_mnist_gets_the_real_files") else {
        return;
    };
    let base = serve(mnist);
    let out = tempfile::tempdir().unwrap();
    let paths = fetch_mnist(out.path(), &[format!("{base}/")], false).unwrap();
    let names: Vec<_> = paths
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap())
        .collect();
    assert_eq!(names, FILES.map(|(n, _)| n));
    let test = load(out.path().to_str().unwrap(), Split::Test).unwrap();
    assert_eq!(test.len(), 10_000);
}
