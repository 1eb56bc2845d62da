//! Per-prompt generation cost on the built-in library: matching once, then scene + plain prose
//! per index (what `gen -n` and `batch` do per record).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use promptloom::dialect::plain::Plain;
use promptloom::scene::Scratch;
use promptloom::{Engine, Request};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let engine = Engine::builtin().expect("built-in library loads");
    let mut g = c.benchmark_group("generate");
    g.throughput(Throughput::Elements(1));
    for desc in ["beach sunset", "", "a tiger in the jungle"] {
        let plan = engine
            .plan(&Request {
                description: desc.to_string(),
                template: None,
            })
            .expect("plan");
        let mut scratch = Scratch::default();
        let mut i = 0u64;
        g.bench_function(format!("scene+plain/{desc:?}"), |b| {
            b.iter(|| {
                i += 1;
                let s = engine.scene_with(&plan, 42, i, &mut scratch);
                black_box(engine.record(&s, &Plain).expect("render"))
            })
        });
        let mut j = 0u64;
        g.bench_function(format!("scene-only/{desc:?}"), |b| {
            b.iter(|| {
                j += 1;
                black_box(engine.scene_with(&plan, 42, j, &mut scratch))
            })
        });
    }
    g.finish();
    c.bench_function("load/builtin", |b| {
        b.iter(|| black_box(Engine::builtin().expect("load")))
    });
    // What `gen "beach sunset"` does before its first scene: load, then the first analysis of a
    // description (which scans the phrases rather than indexing them all).
    c.bench_function("load+plan/builtin", |b| {
        b.iter(|| {
            let engine = Engine::builtin().expect("load");
            let plan = engine
                .plan(&Request {
                    description: "beach sunset".to_string(),
                    template: None,
                })
                .expect("plan");
            black_box((engine, plan))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
