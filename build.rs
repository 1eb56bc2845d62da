//! Embeds the built-in library (`templates/*.yaml`, `vocab/*.yaml`) into the binary, sorted by
//! path so that load order never depends on the file system.
//!
//! Each file is embedded twice: as written (for the library hash and for error locations) and,
//! where it parses, pre-converted to JSON, which loads several times faster than YAML. A test
//! (`library::tests::builtin_json_equals_yaml`) checks that both give the same library.

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
            println!("cargo:rerun-if-changed={root}/{dir}/{n}");
            files.push(format!("{dir}/{n}"));
        }
    }
    let json_dir = Path::new(&out).join("builtin-json");
    fs::create_dir_all(&json_dir).expect("create builtin-json");
    let mut code = String::from(
        "/// Built-in library files: (path, contents, contents as JSON if it parsed), sorted by path.\n\
         pub static BUILTIN_FILES: &[(&str, &str, Option<&str>)] = &[\n",
    );
    for f in &files {
        let text = fs::read_to_string(Path::new(&root).join(f)).expect("read built-in file");
        // A file that does not parse is left to the runtime loader, which reports it properly.
        let json = serde_yaml::from_str::<serde_json::Value>(&text.replace("\r\n", "\n"))
            .ok()
            .map(|v| {
                let name = f.replace('/', "__") + ".json";
                fs::write(json_dir.join(&name), v.to_string()).expect("write json");
                name
            });
        let json_expr = match json {
            Some(name) => {
                format!("Some(include_str!(concat!(env!(\"OUT_DIR\"), \"/builtin-json/{name}\")))")
            }
            None => "None".to_string(),
        };
        code.push_str(&format!(
            "    ({f:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/{f}\")), {json_expr}),\n"
        ));
    }
    code.push_str("];\n");
    fs::write(Path::new(&out).join("builtin_files.rs"), code).expect("write builtin_files.rs");
}
