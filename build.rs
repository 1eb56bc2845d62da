//! Embeds the built-in library (`templates/*.yaml`, `vocab/*.yaml`) into the binary, sorted by
//! path so that load order never depends on the file system.

use std::fs;
use std::path::Path;

fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let out = std::env::var("OUT_DIR").expect("OUT_DIR");
    let mut files = Vec::new();
    for dir in ["vocab", "templates"] {
        let d = Path::new(&root).join(dir);
        println!("cargo:rerun-if-changed={}", d.display());
        let Ok(rd) = fs::read_dir(&d) else { continue };
        let mut names: Vec<String> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
            .collect();
        names.sort();
        for n in names {
            println!("cargo:rerun-if-changed={}/{dir}/{n}", root);
            files.push(format!("{dir}/{n}"));
        }
    }
    let mut code = String::from(
        "/// Built-in library files: (path, contents), sorted by path.\npub static BUILTIN_FILES: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        code.push_str(&format!(
            "    ({f:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/{f}\"))),\n"
        ));
    }
    code.push_str("];\n");
    fs::write(Path::new(&out).join("builtin_files.rs"), code).expect("write builtin_files.rs");
}
