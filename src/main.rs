//! The `promptloom` binary: a thin command line over the library.

mod cli;

/// mimalloc: a batch allocates and frees a few dozen small strings per record, which costs about
/// a tenth less CPU than with the system allocator (BENCHMARKS.md). Built without transparent
/// huge pages (`no_thp`), which would triple peak memory for a few per cent of start-up.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::normalise_args(std::env::args().collect());
    let parsed = match cli::Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli::run(parsed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A closed pipe (`promptloom gen -n 100000 | head`) is a normal end.
            if e.chain().any(|c| {
                c.downcast_ref::<promptloom::Error>()
                    .is_some_and(|pe| pe.is_broken_pipe())
                    || c.downcast_ref::<std::io::Error>()
                        .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
