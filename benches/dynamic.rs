//! Dynamic-prompt benchmarks: parsing, random and combinatorial expansion on the sample
//! collection's `basic.txt`, loading a million-line wildcard file, and one draw from it.
//! Whole-process figures live in BENCHMARKS.md ("Dynamic prompts").

use std::hint::black_box;
use std::io::Write;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use promptloom::dynamic::{Collection, ExpandOptions, Expander, Sampler, Template};

const BASIC: &str = "__subject__, __lighting__, __mood__ atmosphere, {oil painting|watercolor|digital art|photograph}, in the style of __style__, __palette__ palette, __camera__";

fn sample_wildcards() -> PathBuf {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/wildcards-sample/wildcards");
    if shared.exists() {
        return shared;
    }
    let dir = std::env::temp_dir().join("promptloom-bench-wildcards");
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["subject", "lighting", "mood", "style", "palette", "camera"] {
        let vals: String = (0..40).map(|i| format!("{name} value {i}\n")).collect();
        std::fs::write(dir.join(format!("{name}.txt")), vals).unwrap();
    }
    dir
}

fn million_line_root() -> PathBuf {
    let dir = std::env::temp_dir().join("promptloom-bench-million");
    let path = dir.join("big.txt");
    if !path.exists() {
        std::fs::create_dir_all(&dir).unwrap();
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        for i in 0..1_000_000u32 {
            writeln!(f, "value number {i} with some words").unwrap();
        }
        f.flush().unwrap();
    }
    dir
}

fn bench(c: &mut Criterion) {
    let coll = Collection::load(&[sample_wildcards()]).unwrap();
    c.bench_function("dynamic/parse_basic", |b| {
        b.iter(|| Template::parse(black_box(BASIC), "basic").unwrap())
    });

    let t = Template::parse(BASIC, "basic").unwrap();
    let random = Expander::new(&t, &coll, ExpandOptions::default());
    let mut buf = String::new();
    let mut i = 0u64;
    c.bench_function("dynamic/expand_basic_random", |b| {
        b.iter(|| {
            buf.clear();
            random.expand_into(42, i, &mut buf).unwrap();
            i += 1;
            black_box(buf.len())
        })
    });

    let comb = Expander::new(
        &t,
        &coll,
        ExpandOptions {
            mode: Sampler::Combinatorial,
            ..ExpandOptions::default()
        },
    );
    let mut j = 0u64;
    c.bench_function("dynamic/expand_basic_combinatorial", |b| {
        b.iter(|| {
            buf.clear();
            comb.expand_into(0, j, &mut buf).unwrap();
            j += 1;
            black_box(buf.len())
        })
    });

    let root = million_line_root();
    let mut g = c.benchmark_group("dynamic/million_lines");
    g.sample_size(10);
    g.bench_function("load", |b| {
        b.iter(|| black_box(Collection::load(std::slice::from_ref(&root)).unwrap().len()))
    });
    let big = Collection::load(std::slice::from_ref(&root)).unwrap();
    let bt = Template::parse("__big__", "big").unwrap();
    let draw = Expander::new(&bt, &big, ExpandOptions::default());
    draw.validate().unwrap();
    let mut k = 0u64;
    g.bench_function("draw", |b| {
        b.iter(|| {
            buf.clear();
            draw.expand_into(1, k, &mut buf).unwrap();
            k += 1;
            black_box(buf.len())
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
