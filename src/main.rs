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
            if e.chain().any(promptloom::output::is_broken_pipe) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {}", message(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, each cause once: a cause whose text the message already
/// holds (an OS error that a typed error quotes) is not repeated.
fn message(e: &anyhow::Error) -> String {
    let mut msg = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !msg.contains(&c) {
            msg.push_str(": ");
            msg.push_str(&c);
        }
    }
    msg
}
