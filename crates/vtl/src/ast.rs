//! The immutable parse tree. Variable names are resolved to slots at parse time so
//! rendering never hashes a name.

use crate::error::Pos;

pub(crate) type Block = Vec<Node>;

/// Index into `Template::names`, and into the renderer's variable table.
pub(crate) type Slot = u32;

#[derive(Debug)]
pub(crate) enum Node {
    Text(Box<str>),
    Ref(Reference),
    /// `\$ref` / `\\\$ref`: `backslashes` is the run length before the reference.
    EscapedRef {
        backslashes: u32,
        reference: Box<Reference>,
    },
    Set {
        target: Box<Reference>,
        value: Expr,
        pos: Pos,
    },
    If {
        branches: Vec<(Expr, Block)>,
        otherwise: Option<Block>,
    },
    Foreach {
        var: Slot,
        iterable: Expr,
        body: Block,
        pos: Pos,
    },
    Define {
        var: Slot,
        body: Block,
    },
    Break,
    Stop,
}

#[derive(Debug)]
pub(crate) struct Reference {
    pub root: Slot,
    pub modifiers: Vec<Modifier>,
    /// Source text, rendered for escaped references.
    pub raw: Box<str>,
    pub pos: Pos,
}

#[derive(Debug)]
pub(crate) enum Modifier {
    Property(Name),
    Method(Box<str>, Vec<Expr>),
    Index(Expr),
    /// `.path('<literal>')` / `.json('<literal>')`: the JSONPath is parsed at
    /// template parse time and used when the target is `$input`.
    PathCall(Box<PathCall>),
}

/// A property name, with the built-in names the renderer looks up on every loop
/// iteration resolved at parse time.
#[derive(Debug)]
pub(crate) struct Name {
    text: Box<str>,
    pub id: Prop,
}

impl Name {
    pub fn new(text: &str) -> Self {
        Name {
            id: Prop::of(text),
            text: text.into(),
        }
    }
}

impl std::ops::Deref for Name {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        &self.text
    }
}

/// `$foreach` properties.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Prop {
    Other,
    Index,
    Count,
    HasNext,
    First,
    Last,
}

impl Prop {
    pub fn of(name: &str) -> Prop {
        match name {
            "index" => Prop::Index,
            "count" => Prop::Count,
            "hasNext" => Prop::HasNext,
            "first" => Prop::First,
            "last" => Prop::Last,
            _ => Prop::Other,
        }
    }
}

#[derive(Debug)]
pub(crate) struct PathCall {
    pub name: Box<str>,
    pub args: Vec<Expr>,
    pub path: crate::jsonpath::Path,
    pub json: bool,
}

#[derive(Debug)]
pub(crate) enum Expr {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Box<str>),
    /// A double-quoted string containing `$` or `#`: rendered like a template.
    Interpolated(Block),
    Ref(Box<Reference>),
    List(Vec<Expr>),
    Range(Box<Expr>, Box<Expr>),
    Map(Vec<(Expr, Expr)>),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}
