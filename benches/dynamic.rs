//! Dynamic-prompt benchmarks: parsing, random and combinatorial expansion on the sample
//! collection's `basic.txt`, loading a million-line wildcard file, and one draw from it; and
//! 100 combinatorial prompts of a nested multi-select in an 8,000-name collection, with and
//! without an undefined reference (`--lenient`, issue 16). Whole-process figures live in
//! BENCHMARKS.md ("Dynamic prompts", "Real collections").

use std::hint::black_box;
use std::io::Write;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use promptloom::dynamic::{Collection, ExpandOptions, Expander, Sampler, Template, ValueOrder};

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

const COLOURS: &[&str] = &[
    "auburn",
    "black",
    "blonde",
    "brown",
    "chestnut",
    "copper",
    "ginger",
    "golden",
    "gray",
    "honey",
    "jet black",
    "lavender",
    "mahogany",
    "pink",
    "platinum",
    "purple",
    "red",
    "silver",
    "teal",
    "white",
    "{light|dark} ash brown",
    "{pale|bright} turquoise",
    "{deep|soft} violet",
];

/// A collection shaped like the lazy-wildcards one: about 8,000 names, and a nested
/// multi-select (`haircolor-multi` → `haircolor`), in a clean version and one whose
/// `haircolor` holds a reference to a wildcard that does not exist.
fn nested_root() -> PathBuf {
    let dir = std::env::temp_dir().join("promptloom-bench-nested-v1");
    if dir.join("person/haircolor-multi-broken.txt").exists() {
        return dir;
    }
    let person = dir.join("person");
    std::fs::create_dir_all(&person).unwrap();
    for a in 0..40 {
        let sub = dir.join(format!("filler/f{a}"));
        std::fs::create_dir_all(&sub).unwrap();
        for b in 0..200 {
            let vals: String = (0..5).map(|i| format!("filler {a} {b} {i}\n")).collect();
            std::fs::write(sub.join(format!("name{b}.txt")), vals).unwrap();
        }
    }
    let colours = COLOURS.join("\n");
    std::fs::write(person.join("haircolor.txt"), format!("{colours}\n")).unwrap();
    std::fs::write(
        person.join("haircolor-broken.txt"),
        format!("{colours}\n__person/regular/haircolor__\n"),
    )
    .unwrap();
    for (name, inner) in [("multi", "haircolor"), ("multi-broken", "haircolor-broken")] {
        let text = format!(
            "{{2$$ and $$__person/{inner}__}} hair\n__person/{inner}__ hair with \
             __person/{inner}__ streaks\n{{1-2$$__person/{inner}__}} ombre hair\n"
        );
        std::fs::write(person.join(format!("haircolor-{name}.txt")), text).unwrap();
    }
    dir
}

fn bench_nested(c: &mut Criterion) {
    let root = nested_root();
    let mut coll = Collection::load(std::slice::from_ref(&root)).unwrap();
    let mut g = c.benchmark_group("dynamic/nested_multiselect_100");
    g.sample_size(10);
    for (label, name) in [
        ("clean", "__person/haircolor-multi__"),
        ("broken_lenient", "__person/haircolor-multi-broken__"),
    ] {
        g.bench_function(label, |b| {
            b.iter(|| {
                // Empty caches each time, as a new run has: the collection forgets every name
                // it resolved (and every size), and the template is parsed again.
                coll.set_value_order(ValueOrder::default());
                let t = Template::parse(name, "t").unwrap();
                let ex = Expander::new(
                    &t,
                    &coll,
                    ExpandOptions {
                        mode: Sampler::Combinatorial,
                        lenient: true,
                        ..ExpandOptions::default()
                    },
                );
                let mut buf = String::new();
                for i in 0..100 {
                    buf.clear();
                    ex.expand_into(0, i, &mut buf).unwrap();
                }
                black_box(buf.len())
            })
        });
    }
    g.finish();
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

criterion_group!(benches, bench, bench_nested);
criterion_main!(benches);
