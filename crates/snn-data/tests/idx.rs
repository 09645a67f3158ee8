//! IDX reading and writing, and loading of MNIST-style files and folders.

mod common;

use std::fs;

use common::{ramp, s};
use snn_data::{idx, load, Split};

#[test]
fn images_and_labels_round_trip_plain_and_gz() {
    let dir = tempfile::tempdir().unwrap();
    let images: Vec<_> = (0..7).map(|k| ramp(5, 3, k * 20)).collect();
    let labels: Vec<u8> = (0..7).collect();
    for name in ["x-images-idx3-ubyte", "x-images-idx3-ubyte.gz"] {
        let path = dir.path().join(name);
        idx::write_images(&path, &images).unwrap();
        assert_eq!(idx::read_images(&path).unwrap(), images, "{name}");
        let head = fs::read(&path).unwrap();
        assert_eq!(
            head.starts_with(&[0x1f, 0x8b]),
            name.ends_with(".gz"),
            "{name}: compressed only when named .gz"
        );
    }
    for name in ["x-labels-idx1-ubyte", "x-labels-idx1-ubyte.gz"] {
        let path = dir.path().join(name);
        idx::write_labels(&path, &labels).unwrap();
        assert_eq!(idx::read_labels(&path).unwrap(), labels, "{name}");
    }
    let plain = fs::read(dir.path().join("x-images-idx3-ubyte")).unwrap();
    assert_eq!(
        &plain[..16],
        &[0, 0, 8, 3, 0, 0, 0, 7, 0, 0, 0, 5, 0, 0, 0, 3],
        "standard header"
    );
    assert_eq!(plain.len(), 16 + 7 * 15);
}

#[test]
fn gzip_is_detected_by_content_not_name() {
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("a.gz");
    let images = vec![ramp(2, 2, 9)];
    idx::write_images(&gz, &images).unwrap();
    let renamed = dir.path().join("misnamed-images-idx3-ubyte");
    fs::rename(&gz, &renamed).unwrap();
    assert_eq!(idx::read_images(&renamed).unwrap(), images);
    let d = load(s(&renamed), Split::Train).unwrap();
    assert_eq!(d.images, images);
}

#[test]
fn truncated_file_reports_expected_and_actual_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t-images-idx3-ubyte");
    idx::write_images(&path, &[ramp(4, 4, 0), ramp(4, 4, 1)]).unwrap();
    let bytes = fs::read(&path).unwrap();
    fs::write(&path, &bytes[..bytes.len() - 5]).unwrap();
    let err = format!("{:#}", idx::read_images(&path).unwrap_err());
    assert!(err.contains(s(&path)) && err.contains("truncated"), "{err}");
    assert!(
        err.contains("expected 48 bytes") && err.contains("found 43 bytes"),
        "{err}"
    );

    let mut longer = bytes.clone();
    longer.push(0);
    fs::write(&path, &longer).unwrap();
    let err = format!("{:#}", idx::read_images(&path).unwrap_err());
    assert!(
        err.contains("trailing data") && err.contains("found 49 bytes"),
        "{err}"
    );

    // Only part of a header.
    fs::write(&path, &bytes[..10]).unwrap();
    let err = format!("{:#}", idx::read_images(&path).unwrap_err());
    assert!(err.contains(s(&path)) && err.contains("header"), "{err}");
}

#[test]
fn truncated_gzip_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t-images-idx3-ubyte.gz");
    idx::write_images(&path, &(0..50).map(|k| ramp(28, 28, k)).collect::<Vec<_>>()).unwrap();
    let bytes = fs::read(&path).unwrap();
    fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err = format!("{:#}", idx::read_images(&path).unwrap_err());
    assert!(err.contains(s(&path)) && err.contains("gzip"), "{err}");
}

#[test]
fn wrong_magic_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let labels = dir.path().join("l-labels-idx1-ubyte");
    idx::write_labels(&labels, &[1, 2, 3]).unwrap();
    let err = format!("{:#}", idx::read_images(&labels).unwrap_err());
    assert!(
        err.contains(s(&labels)) && err.contains("magic") && err.contains("0x00000801"),
        "{err}"
    );
    assert!(err.contains("label file"), "{err}");

    let images = dir.path().join("i-images-idx3-ubyte");
    idx::write_images(&images, &[ramp(2, 2, 0)]).unwrap();
    let err = format!("{:#}", idx::read_labels(&images).unwrap_err());
    assert!(
        err.contains(s(&images)) && err.contains("0x00000803"),
        "{err}"
    );

    let junk = dir.path().join("junk");
    fs::write(&junk, b"hello world, not idx").unwrap();
    let err = format!("{:#}", idx::read_images(&junk).unwrap_err());
    assert!(err.contains(s(&junk)) && err.contains("magic"), "{err}");
    let empty = dir.path().join("empty");
    fs::write(&empty, b"").unwrap();
    let err = format!("{:#}", idx::read_labels(&empty).unwrap_err());
    assert!(err.contains("only 0 bytes"), "{err}");
}

#[test]
fn absurd_header_dimensions_do_not_panic_or_allocate() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge");
    let mut header = vec![0, 0, 8, 3];
    for _ in 0..3 {
        header.extend_from_slice(&u32::MAX.to_be_bytes());
    }
    fs::write(&path, &header).unwrap();
    assert!(idx::read_images(&path).is_err());
    let zero_size = [
        &[0u8, 0, 8, 3][..],
        &5u32.to_be_bytes(),
        &0u32.to_be_bytes(),
        &28u32.to_be_bytes(),
    ]
    .concat();
    fs::write(&path, zero_size).unwrap();
    let err = format!("{:#}", idx::read_images(&path).unwrap_err());
    assert!(err.contains("0x28"), "{err}");
}

#[test]
fn writing_inconsistent_images_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w");
    assert!(idx::write_images(&path, &[]).is_err());
    assert!(idx::write_images(&path, &[ramp(2, 2, 0), ramp(3, 2, 0)]).is_err());
    let mut bad = ramp(2, 2, 0);
    bad.pixels.pop();
    assert!(idx::write_images(&path, &[bad]).is_err());
    assert!(!path.exists(), "nothing written on error");
}

#[test]
fn idx_lookalikes_say_what_they_are_not() {
    let dir = tempfile::tempdir().unwrap();
    // An IDX file of floats (type code 0x0d): not "a broken PNG".
    let floats = dir.path().join("weights.bin");
    fs::write(
        &floats,
        [
            0, 0, 0x0d, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0,
        ],
    )
    .unwrap();
    let err = format!("{:#}", load(s(&floats), Split::Train).unwrap_err());
    assert!(
        err.contains("weights.bin: not an MNIST IDX file: magic 0x00000d03 (IDX type code 0x0d = 32-bit float, 3 dimensions)")
            && err.contains("0x00000803")
            && !err.contains("PNG"),
        "{err}"
    );
    // Random bytes under an IDX name: bad magic.
    let random = dir.path().join("random.idx");
    fs::write(&random, [0x37, 0x12, 0xa0, 0x05, 0x99]).unwrap();
    let err = format!("{:#}", load(s(&random), Split::Train).unwrap_err());
    assert!(
        err.contains("random.idx: not an MNIST IDX file: magic 0x3712a005,")
            && !err.contains("PNG"),
        "{err}"
    );
    // Unsigned bytes in 2 dimensions: the dimension count is named.
    let two = dir.path().join("t10k-images-idx3-ubyte");
    fs::write(&two, [0, 0, 8, 2, 0, 0, 0, 1, 0, 0, 0, 1, 7]).unwrap();
    let err = format!("{:#}", load(s(&two), Split::Train).unwrap_err());
    assert!(err.contains("unsigned byte, 2 dimensions"), "{err}");
}

#[test]
fn load_picks_up_labels_beside_the_images() {
    let dir = tempfile::tempdir().unwrap();
    let images: Vec<_> = (0..4).map(|k| ramp(3, 3, k)).collect();
    let img_path = dir.path().join("train-images-idx3-ubyte.gz");
    idx::write_images(&img_path, &images).unwrap();
    let unlabelled = load(s(&img_path), Split::Test).unwrap();
    assert_eq!(unlabelled.images, images);
    assert_eq!(unlabelled.labels, None);
    // A plain (not gzipped) label file also matches a gzipped image file.
    idx::write_labels(&dir.path().join("train-labels-idx1-ubyte"), &[3, 1, 4, 1]).unwrap();
    let labelled = load(s(&img_path), Split::Test).unwrap();
    assert_eq!(labelled.labels, Some(vec![3, 1, 4, 1]));
    let source = snn_data::resolve(s(&img_path), Split::Test).unwrap();
    let files: Vec<_> = source.files().iter().map(|p| p.to_path_buf()).collect();
    assert_eq!(
        files,
        [img_path.clone(), dir.path().join("train-labels-idx1-ubyte")]
    );
    assert!(source
        .label_origin(2)
        .unwrap()
        .ends_with("train-labels-idx1-ubyte"));
    assert_eq!(labelled.image_size(), Some((3, 3)));
}

#[test]
fn label_count_mismatch_names_both_files_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let img_path = dir.path().join("t10k-images-idx3-ubyte");
    let lbl_path = dir.path().join("t10k-labels-idx1-ubyte");
    idx::write_images(&img_path, &[ramp(2, 2, 0), ramp(2, 2, 1), ramp(2, 2, 2)]).unwrap();
    idx::write_labels(&lbl_path, &[0, 1]).unwrap();
    let err = format!("{:#}", load(s(&img_path), Split::Test).unwrap_err());
    assert!(
        err.contains(s(&img_path)) && err.contains(s(&lbl_path)),
        "{err}"
    );
    assert!(
        err.contains("2 labels") && err.contains("3 images"),
        "{err}"
    );
}

#[test]
fn label_file_alone_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["train-labels-idx1-ubyte", "train-labels-idx1-ubyte.gz"] {
        let path = dir.path().join(name);
        idx::write_labels(&path, &[1, 2]).unwrap();
        let err = format!("{:#}", load(s(&path), Split::Train).unwrap_err());
        assert!(
            err.contains(s(&path)) && err.contains("is a label file; pass the images file"),
            "{err}"
        );
        assert!(err.contains("train-images-idx3-ubyte"), "{err}");
    }
}

#[test]
fn mnist_folder_gives_the_chosen_split() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    idx::write_images(
        &p.join("train-images-idx3-ubyte.gz"),
        &[ramp(4, 4, 0), ramp(4, 4, 1)],
    )
    .unwrap();
    idx::write_labels(&p.join("train-labels-idx1-ubyte.gz"), &[5, 0]).unwrap();
    idx::write_images(&p.join("t10k-images-idx3-ubyte"), &[ramp(4, 4, 7)]).unwrap();
    idx::write_labels(&p.join("t10k-labels-idx1-ubyte"), &[7]).unwrap();
    let train = load(s(p), Split::Train).unwrap();
    assert_eq!((train.len(), train.labels.clone()), (2, Some(vec![5, 0])));
    let test = load(s(p), Split::Test).unwrap();
    assert_eq!((test.len(), test.labels.clone()), (1, Some(vec![7])));
    assert_eq!(test.images[0], ramp(4, 4, 7));
}

#[test]
fn mnist_folder_missing_the_split_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    idx::write_images(
        &dir.path().join("train-images-idx3-ubyte.gz"),
        &[ramp(4, 4, 0)],
    )
    .unwrap();
    let err = format!("{:#}", load(s(dir.path()), Split::Test).unwrap_err());
    assert!(
        err.contains("t10k-images-idx3-ubyte") && err.contains("test split"),
        "{err}"
    );
}
