//! The parsed form of a dynamic-prompt template. Every construct keeps its byte span in its
//! source, both for error carets and as the stable part of its random key.

use std::sync::{Arc, OnceLock};

/// Fixed-point scale of weights: `0.5::x` is stored as 500_000. Integer weights keep sampling
/// free of floating point.
pub const WEIGHT_SCALE: u64 = 1_000_000;

/// A byte range in a template's source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }
}

/// How a construct picks among its options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampler {
    /// `~`: a keyed random draw for each prompt.
    Random,
    /// `@`: round-robin, option `index mod n`.
    Cyclical,
    /// `!`: enumerate every combination, rightmost construct fastest.
    Combinatorial,
}

/// A node of the template tree.
#[derive(Debug)]
pub enum Node {
    Text(Box<str>),
    Seq(Vec<Node>),
    Variant(Box<Variant>),
    Wildcard(Box<WildcardRef>),
    SetVar(Box<SetVar>),
    GetVar(Box<GetVar>),
    Wrap(Box<Wrap>),
}

/// Deepest nesting of constructs, all wildcard levels together, that any walker of the syntax
/// follows: the sampler, the combination counter (`--count`, `space`, exhaustive unranking) and
/// the validator stop here with the same error ("expansion nests too deeply") instead of
/// exhausting the stack.
pub const MAX_DEPTH: u32 = 1000;

/// Largest expansion of one construct, the whole prompt included (16 MiB): a template of
/// doubling variables stops here with a clear error instead of filling the memory.
pub const MAX_OUTPUT: usize = 16 << 20;

/// Most constructs evaluated for one prompt: expansions that grow in time but not in text
/// (empty values doubled) stop here.
pub const MAX_STEPS: u64 = 50_000_000;

/// The message of [`MAX_DEPTH`].
pub const TOO_DEEP: &str = "expansion nests too deeply";

impl Node {
    /// The span of a construct (text and sequences have none of their own).
    pub fn span(&self) -> Span {
        match self {
            Node::Variant(v) => v.span,
            Node::Wildcard(w) => w.span,
            Node::SetVar(v) => v.span,
            Node::GetVar(v) => v.span,
            Node::Wrap(w) => w.span,
            _ => Span::default(),
        }
    }

    /// An empty sequence: the expansion of an empty template.
    pub fn empty() -> Node {
        Node::Seq(Vec::new())
    }

    /// The text of a node that contains no constructs.
    pub fn as_text(&self) -> Option<String> {
        match self {
            Node::Text(t) => Some(t.to_string()),
            Node::Seq(v) => {
                let mut s = String::new();
                for n in v {
                    s.push_str(&n.as_text()?);
                }
                Some(s)
            }
            _ => None,
        }
    }
}

/// `{a|b}`, `{2::a|b}`, `{2$$ and $$a|b|c}`.
#[derive(Debug)]
pub struct Variant {
    pub span: Span,
    pub sampler: Option<Sampler>,
    pub options: Vec<Node>,
    /// One fixed-point weight per option (default [`WEIGHT_SCALE`]).
    pub weights: Vec<u64>,
    pub select: Option<Select>,
}

/// The `N$$`, `a-b$$` and `sep$$` part of a multi-select.
#[derive(Debug, Clone)]
pub struct Select {
    pub min: u32,
    /// `None` means "as many as there are options".
    pub max: Option<u32>,
    /// `None` means the expander's default separator.
    pub separator: Option<Box<str>>,
}

/// `__name__`, `__path/*__`, `__name(var=value)__`.
#[derive(Debug)]
pub struct WildcardRef {
    pub span: Span,
    pub sampler: Option<Sampler>,
    pub name: WildcardName,
    pub params: Vec<(Box<str>, Node)>,
    /// Resolution against one collection, cached by collection id.
    pub(crate) cache: OnceLock<(u64, Arc<super::resolve::Resolution>)>,
}

#[derive(Debug)]
pub enum WildcardName {
    /// Normalised (`\` → `/`, trimmed).
    Static(Box<str>),
    /// A name that is itself a template: `__animals/${genus}__`.
    Dynamic(Node),
}

/// `${x=value}`, `${x=!value}`, `${x?=value}`.
#[derive(Debug)]
pub struct SetVar {
    pub span: Span,
    pub name: Box<str>,
    pub value: Arc<Node>,
    pub immediate: bool,
    pub keep_existing: bool,
}

/// `${x}`, `${x:default}`.
#[derive(Debug)]
pub struct GetVar {
    pub span: Span,
    pub name: Box<str>,
    pub default: Option<Arc<Node>>,
}

/// `%{prefix ... suffix$$inner}`.
#[derive(Debug)]
pub struct Wrap {
    pub span: Span,
    pub wrapper: Node,
    pub inner: Node,
}
