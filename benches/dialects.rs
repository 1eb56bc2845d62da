//! Per-scene cost of the dialects, above all sd with its 75-token budget (the target is
//! ≥ 200,000 prompts/s on 2 cores, i.e. ~10 µs per prompt per core including the scene).
//!
//! `cargo bench --bench dialects`; figures are recorded in BENCHMARKS.md ("Dialects").

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use promptloom::dialect::{self, Options};
use promptloom::scene::Scratch;
use promptloom::{Engine, Request};

const BATCH: u64 = 1_000;

fn dialects(c: &mut Criterion) {
    let engine = Engine::builtin().expect("built-in library loads");
    let lib = engine.library();
    let mut g = c.benchmark_group("dialects");
    g.throughput(Throughput::Elements(BATCH));
    for desc in ["", "beach sunset"] {
        let plan = engine
            .plan(&Request {
                description: desc.to_string(),
                template: None,
            })
            .expect("plan");
        let scenes: Vec<_> = (0..BATCH)
            .map(|i| engine.scene(&plan, 7, i, false))
            .collect();
        let label = if desc.is_empty() {
            "random"
        } else {
            "described"
        };
        for name in ["sd", "plain", "midjourney"] {
            let d = dialect::by_name(name, lib, &Options::default()).expect("dialect");
            // Writing alone (the scenes are built once).
            g.bench_function(format!("{name}/write/{label}"), |b| {
                b.iter(|| {
                    for s in &scenes {
                        black_box(d.write(lib, s).expect("writes"));
                    }
                })
            });
        }
        // The whole per-prompt path of `gen --dialect sd`: scene, sd writing with token
        // counting, record.
        let sd = dialect::by_name("sd", lib, &Options::default()).expect("sd");
        let mut scratch = Scratch::default();
        g.bench_function(format!("sd/scene+record/{label}"), |b| {
            b.iter(|| {
                for i in 0..BATCH {
                    let s = engine.scene_with(&plan, 7, i, &mut scratch);
                    black_box(engine.record(&s, sd.as_ref()).expect("record"));
                }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, dialects);
criterion_main!(benches);
