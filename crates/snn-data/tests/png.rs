//! PNG reading and writing, and loading of PNG files and folders.

mod common;

use std::fs;
use std::path::Path;

use common::{flat, ramp, s};
use snn_data::{load, png, Image, Split};

fn save_rgb(path: &Path, w: u32, h: u32, rgb: &[u8]) {
    image::RgbImage::from_raw(w, h, rgb.to_vec())
        .unwrap()
        .save(path)
        .unwrap();
}

#[test]
fn colour_is_converted_to_opencv_luma() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rgb.png");
    // Pure red: 0.299 * 255 = 76.2. (0, 65, 196): the float formula gives 60.499, which rounds to
    // 60, but OpenCV's fixed-point form (65*9617 + 196*1868 + 8192) >> 14 gives 61.
    save_rgb(&path, 2, 1, &[255, 0, 0, 0, 65, 196]);
    let img = png::read(&path).unwrap();
    assert_eq!(
        img,
        Image {
            height: 1,
            width: 2,
            pixels: vec![76, 61]
        }
    );
    assert_eq!(png::luma(0, 255, 0), 150);
    assert_eq!(png::luma(0, 0, 255), 29);
    assert_eq!(png::luma(255, 255, 255), 255);
    assert_eq!(png::luma(10, 200, 30), 124);
}

#[test]
fn alpha_is_ignored_and_16_bit_is_scaled() {
    let dir = tempfile::tempdir().unwrap();
    let rgba = dir.path().join("rgba.png");
    image::RgbaImage::from_raw(2, 1, vec![255, 0, 0, 0, 0, 65, 196, 17])
        .unwrap()
        .save(&rgba)
        .unwrap();
    assert_eq!(png::read(&rgba).unwrap().pixels, vec![76, 61]);

    let gray_alpha = dir.path().join("ga.png");
    image::GrayAlphaImage::from_raw(2, 1, vec![9, 0, 200, 255])
        .unwrap()
        .save(&gray_alpha)
        .unwrap();
    assert_eq!(png::read(&gray_alpha).unwrap().pixels, vec![9, 200]);

    let gray16 = dir.path().join("g16.png");
    image::ImageBuffer::<image::Luma<u16>, _>::from_raw(3, 1, vec![0xabcd_u16, 0x00ff, 0xffff])
        .unwrap()
        .save(&gray16)
        .unwrap();
    assert_eq!(png::read(&gray16).unwrap().pixels, vec![0xab, 0x00, 0xff]);

    let rgb16 = dir.path().join("rgb16.png");
    image::ImageBuffer::<image::Rgb<u16>, _>::from_raw(1, 1, vec![0xff00_u16, 0x0011, 0x00ff])
        .unwrap()
        .save(&rgb16)
        .unwrap();
    assert_eq!(png::read(&rgb16).unwrap().pixels, vec![76]);
}

#[test]
fn gray_png_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.png");
    let img = ramp(5, 7, 100);
    png::write(&path, &img).unwrap();
    assert_eq!(png::read(&path).unwrap(), img);
    let d = load(s(&path), Split::Train).unwrap();
    assert_eq!((d.images, d.labels), (vec![img], None));
}

#[test]
fn writing_a_malformed_image_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.png");
    let err = format!(
        "{:#}",
        png::write(
            &path,
            &Image {
                height: 2,
                width: 2,
                pixels: vec![0; 3]
            }
        )
        .unwrap_err()
    );
    assert!(err.contains(s(&path)), "{err}");
    assert!(!path.exists());
}

#[test]
fn non_image_file_is_not_a_png() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    fs::write(&path, "just some text").unwrap();
    let err = format!("{:#}", png::read(&path).unwrap_err());
    assert!(
        err.starts_with(&format!("{}: not a PNG image (", path.display())),
        "{err}"
    );
    let err = format!("{:#}", load(s(&path), Split::Train).unwrap_err());
    assert!(
        err.contains(
            "notes.txt: neither a PNG image nor an MNIST IDX file (starts with bytes 6a 75"
        ),
        "{err}"
    );

    let empty = dir.path().join("empty.png");
    fs::write(&empty, "").unwrap();
    assert!(format!("{:#}", png::read(&empty).unwrap_err())
        .contains("not a PNG image (the file is empty)"));

    let corrupt = dir.path().join("corrupt.png");
    fs::write(&corrupt, b"\x89PNG\r\n\x1a\ngarbage after the signature").unwrap();
    let err = format!("{:#}", png::read(&corrupt).unwrap_err());
    assert!(
        err.contains(s(&corrupt)) && err.contains("corrupt PNG"),
        "{err}"
    );
}

#[test]
fn png_folder_is_read_in_file_name_order_unlabelled() {
    let dir = tempfile::tempdir().unwrap();
    for (name, value) in [("b.png", 2), ("a.png", 1), ("c.PNG", 3)] {
        png::write(&dir.path().join(name), &flat(4, 3, value)).unwrap();
    }
    fs::write(dir.path().join("readme.txt"), "ignored").unwrap();
    fs::write(dir.path().join("._a.png"), "macOS side file, ignored").unwrap();
    let d = load(s(dir.path()), Split::Train).unwrap();
    let values: Vec<u8> = d.images.iter().map(|i| i.pixels[0]).collect();
    assert_eq!(values, vec![1, 2, 3]);
    assert_eq!(d.labels, None);
    assert_eq!(d.image_size(), Some((4, 3)));
}

#[test]
fn class_folders_are_labelled_in_numeric_order() {
    let dir = tempfile::tempdir().unwrap();
    // Numeric order 0, 2, 10 differs from name order 0, 10, 2.
    for (class, files) in [
        ("10", &["y.png", "x.png"][..]),
        ("2", &["p.png"]),
        ("0", &["z.png", "a.png"]),
    ] {
        let sub = dir.path().join(class);
        fs::create_dir(&sub).unwrap();
        for f in files {
            let value = class.parse::<u8>().unwrap() * 10 + f.as_bytes()[0] - b'a';
            png::write(&sub.join(f), &flat(3, 3, value)).unwrap();
        }
    }
    fs::create_dir(dir.path().join(".git")).unwrap();
    let d = load(s(dir.path()), Split::Test).unwrap();
    assert_eq!(d.labels, Some(vec![0, 0, 2, 10, 10]));
    let values: Vec<u8> = d.images.iter().map(|i| i.pixels[0]).collect();
    assert_eq!(values, vec![0, 25, 35, 123, 124]);
    // What a load reads, and where each label comes from, before reading anything.
    let source = snn_data::resolve(s(dir.path()), Split::Test).unwrap();
    assert_eq!(source.files().len(), 5);
    assert!(source.files()[2].ends_with("2/p.png"));
    assert!(source.label_origin(3).unwrap().ends_with("10"));

    // A subfolder that is not a label would silently drop its images: an error naming it.
    for name in ["notes", "256", "-1"] {
        fs::create_dir(dir.path().join(name)).unwrap();
        let err = format!("{:#}", load(s(dir.path()), Split::Test).unwrap_err());
        assert!(
            err.contains(&format!(
                "{name}: a subfolder whose name is not a class label"
            )),
            "{err}"
        );
        fs::remove_dir(dir.path().join(name)).unwrap();
    }
}

#[test]
fn mixed_sizes_in_a_folder_name_the_first_odd_file() {
    let dir = tempfile::tempdir().unwrap();
    png::write(&dir.path().join("1.png"), &flat(28, 28, 0)).unwrap();
    png::write(&dir.path().join("2.png"), &flat(28, 28, 0)).unwrap();
    png::write(&dir.path().join("3.png"), &flat(16, 16, 0)).unwrap();
    png::write(&dir.path().join("4.png"), &flat(10, 10, 0)).unwrap();
    let err = format!("{:#}", load(s(dir.path()), Split::Train).unwrap_err());
    assert!(
        err.contains("3.png") && err.contains("16x16") && err.contains("28x28"),
        "{err}"
    );
    assert!(!err.contains("4.png"), "{err}");
}

#[test]
fn ambiguous_or_empty_folders_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let err = format!("{:#}", load(s(dir.path()), Split::Train).unwrap_err());
    assert!(err.contains("no PNG files"), "{err}");
    png::write(&dir.path().join("a.png"), &flat(2, 2, 0)).unwrap();
    fs::create_dir(dir.path().join("3")).unwrap();
    png::write(&dir.path().join("3").join("b.png"), &flat(2, 2, 0)).unwrap();
    let err = format!("{:#}", load(s(dir.path()), Split::Train).unwrap_err());
    assert!(err.contains("both PNG files and class subfolders"), "{err}");
}

#[test]
fn seed_images_load_when_present() {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/seed-images/classification/training_images"
    ));
    if !dir.is_dir() {
        snn_testkit::cannot_run(
            "seed_images_load_when_present",
            &format!("seed images not found at {}", dir.display()),
        );
        return;
    }
    let d = load(s(dir), Split::Train).unwrap();
    assert_eq!(d.len(), 6);
    assert!(d.image_size().is_some());
}
