//! Dispatch of `load` on odd inputs, `load_all`, and `write_atomic`.

mod common;

use std::fs;

use common::{flat, listing, s};
use snn_data::{builtin, load, load_all, png, write_atomic, Split};

#[test]
fn missing_path_is_an_error_naming_it() {
    let err = format!(
        "{:#}",
        load("/definitely/not/here.png", Split::Train).unwrap_err()
    );
    assert!(
        err.contains("/definitely/not/here.png") && err.contains("no such file or folder"),
        "{err}"
    );
}

#[test]
fn builtin_names() {
    let train = load("builtin", Split::Train).unwrap();
    assert_eq!(train.len(), builtin::DEFAULT_TRAIN);
    let test = load("builtin", Split::Test).unwrap();
    assert_eq!(test.len(), builtin::DEFAULT_TEST);
    let explicit = load("builtin:test", Split::Train).unwrap();
    assert_eq!(explicit.images, test.images, "the explicit split wins");
    assert!(load("builtin:validation", Split::Train).is_err());
}

#[test]
fn load_all_concatenates_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.png");
    let b = dir.path().join("b.png");
    png::write(&a, &flat(28, 28, 1)).unwrap();
    png::write(&b, &flat(28, 28, 2)).unwrap();
    let paths = vec![
        s(&b).to_string(),
        "builtin:test".to_string(),
        s(&a).to_string(),
    ];
    let d = load_all(&paths, Split::Train).unwrap();
    assert_eq!(d.len(), builtin::DEFAULT_TEST + 2);
    assert_eq!(d.images[0].pixels[0], 2);
    assert_eq!(d.images.last().unwrap().pixels[0], 1);
    assert_eq!(
        d.labels, None,
        "PNG files are unlabelled, so the whole set is"
    );
    assert!(d.source.contains("b.png") && d.source.contains("a.png"));

    let labelled = load_all(
        &["builtin:train".into(), "builtin:test".into()],
        Split::Train,
    )
    .unwrap();
    assert_eq!(
        labelled.labels.as_ref().map(Vec::len),
        Some(builtin::DEFAULT_TRAIN + builtin::DEFAULT_TEST)
    );

    assert!(load_all(&[], Split::Train).is_err());
}

#[test]
fn load_all_rejects_mixed_sizes_naming_both_sources() {
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("small.png");
    png::write(&small, &flat(16, 16, 0)).unwrap();
    let err = format!(
        "{:#}",
        load_all(&["builtin".into(), s(&small).into()], Split::Train).unwrap_err()
    );
    assert!(
        err.contains("builtin")
            && err.contains("28x28")
            && err.contains("small.png")
            && err.contains("16x16"),
        "{err}"
    );
}

#[test]
fn write_atomic_replaces_whole_files_and_leaves_no_temporaries() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.bin");
    write_atomic(&path, b"first").unwrap();
    write_atomic(&path, b"second").unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"second");
    assert_eq!(listing(dir.path()), vec!["out.bin"]);
    let err = format!(
        "{:#}",
        write_atomic(&dir.path().join("no/such/dir/x"), b"x").unwrap_err()
    );
    assert!(err.contains("no/such/dir/x"), "{err}");
}
