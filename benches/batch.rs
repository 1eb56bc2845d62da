//! Batch benches: the per-prompt path a batch run pays for (scene + record, then encoding), the
//! pipeline around it, and exhaustive unranking.
//!
//! `cargo bench --bench batch`

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

use promptloom::Engine;
use promptloom::batch::exhaustive::Permutation;
use promptloom::batch::generator::{self, Mode};
use promptloom::batch::run::{self, Job};
use promptloom::batch::space::Space;
use promptloom::batch::{BatchFormat, Source};
use promptloom::dialect::plain::Plain;
use promptloom::scene::Scratch;

fn per_prompt(c: &mut Criterion) {
    let engine = Engine::builtin().unwrap();
    let source = Source::Template("coast".into());
    let plan = engine.plan(&source.request().unwrap()).unwrap();
    let mut scratch = Scratch::default();
    let mut i = 0u64;
    c.bench_function("per_prompt/scene", |b| {
        b.iter(|| {
            i += 1;
            black_box(engine.scene_with(&plan, 7, i, &mut scratch))
        })
    });
    c.bench_function("per_prompt/scene+record", |b| {
        b.iter(|| {
            i += 1;
            let s = engine.scene_with(&plan, 7, i, &mut scratch);
            black_box(engine.record(&s, &Plain).unwrap())
        })
    });
    let s = engine.scene_with(&plan, 7, 1, &mut scratch);
    let rec = engine.record(&s, &Plain).unwrap();
    let mut buf = Vec::with_capacity(4096);
    for (name, f) in [
        ("text", BatchFormat::Text),
        ("jsonl", BatchFormat::Jsonl),
        ("csv", BatchFormat::Csv),
    ] {
        c.bench_function(&format!("encode/{name}"), |b| {
            b.iter(|| {
                buf.clear();
                f.encode(black_box(&rec), &mut buf);
                black_box(buf.len())
            })
        });
    }
}

fn pipeline(c: &mut Criterion) {
    let engine = Engine::builtin().unwrap();
    let g = generator::build(&engine, &Source::Template("coast".into()), Mode::Random, 7).unwrap();
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(10);
    for (name, f) in [("text", BatchFormat::Text), ("jsonl", BatchFormat::Jsonl)] {
        group.bench_function(format!("4096_records_{name}_j1"), |b| {
            b.iter(|| {
                let mut sink = std::io::sink();
                run::run(
                    Job {
                        generator: g.as_ref(),
                        format: f,
                        range: 0..4096,
                        limit: None,
                        unique: None,
                        jobs: 1,
                    },
                    &mut sink,
                    &mut |_, _| {},
                )
                .unwrap()
            })
        });
    }
    group.finish();
}

fn exhaustive(c: &mut Criterion) {
    let engine = Engine::builtin().unwrap();
    let lib = engine.library();
    let space = Space::of_template(lib, lib.template_index("coast").unwrap());
    let n = space.total128.unwrap();
    let perm = Permutation::new(n, 7, "coast");
    let mut digits = Vec::new();
    let mut i = 0u128;
    c.bench_function("exhaustive/permute", |b| {
        b.iter(|| {
            i = (i + 1) % n;
            black_box(perm.permute(i))
        })
    });
    c.bench_function("exhaustive/permute+unrank", |b| {
        b.iter(|| {
            i = (i + 1) % n;
            space.digits(perm.permute(i), &mut digits);
            black_box(space.choices(&digits))
        })
    });
    let g = generator::build(
        &engine,
        &Source::Template("coast".into()),
        Mode::Exhaustive,
        7,
    )
    .unwrap();
    let mut scratch = Scratch::default();
    let mut j = 0u64;
    c.bench_function("exhaustive/record", |b| {
        b.iter(|| {
            j += 1;
            black_box(g.record(j, &mut scratch).unwrap())
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = per_prompt, pipeline, exhaustive
}
criterion_main!(benches);
