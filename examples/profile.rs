fn main() {
    let engine = promptloom::Engine::builtin().unwrap();
    let plan = engine
        .plan(&promptloom::Request {
            description: "beach sunset".into(),
            template: None,
        })
        .unwrap();
    let mut scratch = promptloom::scene::Scratch::default();
    let t = std::time::Instant::now();
    let n = 100_000;
    let mut scenes = Vec::new();
    for i in 0..n {
        scenes.push(engine.scene_with(&plan, 1, i, &mut scratch));
    }
    let t1 = t.elapsed();
    let lib = engine.library();
    let t = std::time::Instant::now();
    let mut raws = Vec::new();
    for s in &scenes {
        raws.push(promptloom::dialect::plain::Plain::render_raw(lib, s).unwrap());
    }
    let t2 = t.elapsed();
    let t = std::time::Instant::now();
    let mut tot = 0;
    for r in &raws {
        tot += promptloom::text::tidy_prose(r).len();
    }
    let t3 = t.elapsed();
    let t = std::time::Instant::now();
    for s in &scenes {
        tot += promptloom::dialect::negative_terms(lib, s).len();
    }
    let t4 = t.elapsed();
    let t = std::time::Instant::now();
    for s in &scenes {
        tot += engine
            .record(s, &promptloom::dialect::plain::Plain)
            .unwrap()
            .prompt
            .len();
    }
    let t5 = t.elapsed();
    println!(
        "scene {:?} raw {:?} tidy {:?} neg {:?} record {:?} {}",
        t1 / n as u32,
        t2 / n as u32,
        t3 / n as u32,
        t4 / n as u32,
        t5 / n as u32,
        tot
    );
}
