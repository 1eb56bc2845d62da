//! The command line: argument parsing and the commands, each a thin layer over the library.

mod batch;
mod check;
mod expand;
mod generate;
mod list;
mod replay;
mod space;
mod wildcards;

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};

use promptloom::Engine;
use promptloom::sink::Format;

const AFTER_HELP: &str = "\
Examples:
  promptloom \"beach sunset\"                       one prompt, fresh seed (printed on stderr)
  promptloom gen \"a fox in the snow\" --seed 7 -n 5  five variations, reproducible
  promptloom gen --template portrait --seed 1      a random portrait
  promptloom gen \"rainy city street\" --seed 7 --format jsonl --explain
  promptloom templates                             list scene templates
  promptloom vocab lighting                        list one vocabulary category
  promptloom check --library ./my-lib              lint your own library
  promptloom expand \"a {red|blue} __animal__\" -w ./wildcards -n 10 --seed 1

The same (seed, index, description, library) always gives the same bytes.
Library format: docs/library.md";

#[derive(Parser, Debug)]
#[command(
    name = "promptloom",
    version,
    about = "Offline, deterministic prompt engine for AI image generators",
    long_about = "Turns a short idea (\"beach sunset\") into a rich, coherent image prompt, offline and \
reproducibly: the same seed gives the same text on every machine.\n\n\
`promptloom DESCRIPTION` is short for `promptloom gen DESCRIPTION`.",
    after_help = AFTER_HELP
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Generate prompts from a description (or a template)
    #[command(after_help = "\
Examples:
  promptloom gen \"mountain lake at dawn\" --seed 42
  promptloom gen \"mountain lake at dawn\" --seed 42 -n 10 --index 100   indices 100..109
  promptloom gen --seed 3 --format json                               a random scene as JSON
  promptloom gen \"neon diner\" --seed 3 --explain                      why each choice was made
  promptloom gen --describe-file idea.txt --seed 3                    the description from a file
  cat idea.txt | promptloom gen --describe-file - --seed 3            ... or from standard input
  promptloom gen \"beach sunset\" --seed 7 --dialect sd --format jsonl  tags, negative, tokens
  promptloom gen \"beach sunset\" --dialect sd --max-tokens 40 --tokens  count printed before each
  promptloom gen \"beach sunset\" --dialect midjourney --mj stylize=250 --mj v=7
  promptloom gen \"beach sunset\" --dialect dalle --model dall-e-2       fits 1,000 characters

Dialects (one scene, written for each generator; the chosen entries never change):
  plain       prose from the template (default)
  sd, sdxl    comma-separated tags, subject first, (term:1.15) emphasis, escaped brackets,
              negative prompt; fits --max-tokens CLIP tokens (default 75) by dropping the least
              important tags, never the subject; records carry tokens and an image size
  midjourney  prose + --ar from the template, --no from the negative terms, --mj parameters
  dalle       prose within the --model's character limit (least important sentences dropped)
  flux        prose

Records (json/jsonl) carry, in order: prompt, negative_prompt, seed, index, template, slots,
library (content hash), dialect, aspect, format_version, then tokens and params where the
dialect has them.")]
    Gen(GenArgs),
    /// List scene templates
    Templates(LibraryArgs),
    /// List vocabulary categories, or the entries of one category
    #[command(after_help = "Examples:\n  promptloom vocab\n  promptloom vocab time_of_day")]
    Vocab {
        /// Category to show in full
        category: Option<String>,
        #[command(flatten)]
        lib: LibraryArgs,
    },
    /// Lint a library: YAML and Tera errors, unknown categories, duplicates, tag typos, slots
    /// that can be left empty, unreachable entries, world axes (entries of a world-setting
    /// category with no axis value, values nothing can hold, entries no world can hold)
    #[command(
        after_help = "Examples:\n  promptloom check --library ./mylib\n  promptloom check --coherence 1000     # sample 1,000 scenes per template, report world conflicts\n\nExit status: 0 when the library loads (warnings are printed), 1 on errors,\non warnings too with --deny-warnings, and on world conflicts with --coherence."
    )]
    Check {
        #[command(flatten)]
        lib: LibraryArgs,
        /// Treat warnings as errors
        #[arg(long)]
        deny_warnings: bool,
        /// Sample N scenes of every template (seed 1) and report each world conflict with the
        /// entries that caused it: an undecided axis, an entry that does not fit its world, two
        /// entries asking one axis for different values, a slot that must be filled left empty
        #[arg(long, value_name = "N")]
        coherence: Option<u64>,
    },
    /// Expand dynamic-prompt templates ({a|b}, __wildcards__, ...) with wildcard folders
    #[command(after_help = expand::AFTER_HELP)]
    Expand(expand::ExpandArgs),
    /// Generate a large reproducible set: parallel, sharded, resumable, unique, exhaustive or
    /// pairwise
    #[command(after_help = batch::AFTER_HELP)]
    Batch(batch::BatchArgs),
    /// Print the exact number of combinations of a template, and each slot's size
    #[command(after_help = space::AFTER_HELP)]
    Space(space::SpaceArgs),
    /// Regenerate every record of a JSONL set and report each one that differs
    #[command(after_help = replay::AFTER_HELP)]
    Replay(replay::ReplayArgs),
    /// Look into a wildcard collection: list its names, check it, show one wildcard's values
    #[command(after_help = wildcards::AFTER_HELP)]
    Wildcards(wildcards::WildcardsArgs),
}

#[derive(Args, Debug, Clone, Default)]
pub struct LibraryArgs {
    /// Layer a library folder (with `vocab/` and/or `templates/`) over the built-in one;
    /// repeatable, later folders win
    #[arg(long = "library", value_name = "DIR")]
    pub library: Vec<PathBuf>,
    /// Leave the built-in library out: use only the --library folders
    #[arg(long)]
    pub no_builtin: bool,
}

#[derive(Args, Debug)]
pub struct GenArgs {
    /// What the image should show, e.g. "beach sunset"; empty for a random scene
    pub description: Option<String>,
    /// Read the description from FILE (`-`: standard input), for one too long for the command
    /// line; UTF-8, one final newline dropped
    #[arg(long, value_name = "FILE", conflicts_with = "description")]
    pub describe_file: Option<PathBuf>,
    /// Use this scene template instead of matching one
    #[arg(long, short = 't', value_name = "NAME")]
    pub template: Option<String>,
    /// Seed; without it a fresh seed is drawn and reported
    #[arg(long, short = 's')]
    pub seed: Option<u64>,
    /// How many variations (indices I..I+COUNT-1)
    #[arg(long = "count", short = 'n', default_value_t = 1, value_name = "COUNT")]
    pub count: u64,
    /// First index
    #[arg(long, short = 'i', default_value_t = 0, value_name = "I")]
    pub index: u64,
    /// Output format: text (one prompt per line), json (an array), jsonl (one record per line)
    #[arg(long, short = 'f', default_value = "text", value_parser = parse_format)]
    pub format: Format,
    /// Explain on stderr which template was chosen, what was pinned, and what was skipped
    #[arg(long)]
    pub explain: bool,
    #[command(flatten)]
    pub dialect: DialectArgs,
    #[command(flatten)]
    pub lib: LibraryArgs,
}

/// How prompts are written: shared by every command that writes prompts.
#[derive(Args, Debug, Clone)]
pub struct DialectArgs {
    /// Write for this generator: plain, sd, sdxl, midjourney, dalle, flux
    #[arg(long, short = 'd', default_value = "plain", value_name = "NAME",
          value_parser = clap::builder::PossibleValuesParser::new(promptloom::dialect::NAMES))]
    pub dialect: String,
    /// sd/sdxl: CLIP token budget; the least important tags are dropped to fit (default 75)
    #[arg(long, value_name = "N")]
    pub max_tokens: Option<u32>,
    /// Print each prompt's CLIP token count before it (text), or add `tokens` to records
    #[arg(long)]
    pub tokens: bool,
    /// midjourney: a parameter as key=value (repeatable): stylize=0..1000, chaos=0..100,
    /// weird=0..3000, v=7, niji=6, style=raw, seed=0..4294967295, ar=W:H
    #[arg(long = "mj", value_name = "KEY=VALUE")]
    pub mj: Vec<String>,
    /// dalle: dall-e-2 (1,000 characters), dall-e-3 (4,000, default) or gpt-image-1 (32,000)
    #[arg(long, value_name = "MODEL",
          value_parser = clap::builder::PossibleValuesParser::new(["dall-e-2", "dall-e-3", "gpt-image-1"]))]
    pub model: Option<String>,
    /// Fail instead of dropping tags or sentences to fit a token or character limit
    #[arg(long)]
    pub strict: bool,
    /// Spelling of the library's own words: us (color, gray, centered) or uk (colour, grey,
    /// centred); the words you type are kept as typed
    #[arg(long, default_value = "us", value_name = "us|uk", value_parser = parse_spelling)]
    pub spelling: promptloom::text::Spelling,
}

pub(crate) fn parse_spelling(s: &str) -> std::result::Result<promptloom::text::Spelling, String> {
    s.parse()
}

impl DialectArgs {
    /// The dialect, set up for the engine's library; bad options are reported here, before
    /// anything is written.
    pub fn build(&self, engine: &Engine) -> Result<Box<dyn promptloom::dialect::Dialect>> {
        Ok(promptloom::dialect::by_name(
            &self.dialect,
            engine.library(),
            &self.options(),
        )?)
    }

    pub fn options(&self) -> promptloom::dialect::Options {
        promptloom::dialect::Options {
            max_tokens: self.max_tokens,
            mj: self.mj.clone(),
            model: self.model.clone(),
            strict: self.strict,
            tokens: self.tokens,
        }
    }
}

fn parse_format(s: &str) -> std::result::Result<Format, String> {
    s.parse()
}

const SUBCOMMANDS: &[&str] = &[
    "gen",
    "templates",
    "vocab",
    "check",
    "expand",
    "batch",
    "space",
    "replay",
    "wildcards",
    "help",
];

/// `promptloom "beach sunset"` means `promptloom gen "beach sunset"`.
pub fn normalise_args(mut args: Vec<String>) -> Vec<String> {
    if let Some(first) = args.get(1) {
        let is_top_flag = matches!(first.as_str(), "-h" | "--help" | "-V" | "--version");
        if !SUBCOMMANDS.contains(&first.as_str()) && !is_top_flag {
            args.insert(1, "gen".to_string());
        }
    } else {
        args.push("gen".to_string());
    }
    args
}

pub(crate) fn load(lib: &LibraryArgs) -> Result<Engine> {
    load_spelled(lib, promptloom::text::Spelling::default())
}

/// [`load`], with the library's own text in `spelling`.
pub(crate) fn load_spelled(
    lib: &LibraryArgs,
    spelling: promptloom::text::Spelling,
) -> Result<Engine> {
    if lib.no_builtin && lib.library.is_empty() {
        anyhow::bail!("--no-builtin needs at least one --library folder");
    }
    let engine = Engine::load_spelled(!lib.no_builtin, &lib.library, spelling)?;
    // The library lives until the process exits: a leaked reference keeps it from being dropped,
    // which would free tens of thousands of allocations one by one for nothing (as long as the
    // whole of `gen` for one prompt).
    std::mem::forget(engine.clone());
    Ok(engine)
}

/// A seed for runs that did not give one: from the clock and process id. It never reaches
/// output except as the reported seed, so the run can be repeated with `--seed`.
pub(crate) fn fresh_seed() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut s = t ^ (u64::from(std::process::id()) << 32);
    promptloom::rng::splitmix64(&mut s) % 1_000_000_000
}

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Gen(a) => generate::gen_cmd(a),
        Command::Templates(lib) => list::templates_cmd(&lib),
        Command::Vocab { category, lib } => list::vocab_cmd(category.as_deref(), &lib),
        Command::Check {
            lib,
            deny_warnings,
            coherence,
        } => check::check_cmd(&lib, deny_warnings, coherence),
        Command::Expand(a) => expand::expand_cmd(a),
        Command::Batch(a) => batch::batch_cmd(a),
        Command::Space(a) => space::space_cmd(a),
        Command::Replay(a) => replay::replay_cmd(a),
        Command::Wildcards(a) => wildcards::wildcards_cmd(a),
    }
}
