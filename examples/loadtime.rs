fn main() {
    let t = std::time::Instant::now();
    for _ in 0..20 {
        let _ = promptloom::Library::builtin().unwrap();
    }
    println!("load {:?}", t.elapsed() / 20);
}
