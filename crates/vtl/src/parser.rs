//! Template-level parsing: text, comments, escapes, references and directives.
//!
//! VTL is lexed modally (text vs. directive vs. reference), so instead of a separate
//! token stream the parser walks the source with a cursor and switches mode itself.
//! Whitespace gobbling mimics the JavaCC lexer of Velocity 1.7, which AWS runs:
//! * `#set` swallows spaces/tabs before it when they start a new token (i.e. directly
//!   follow another directive, reference or comment, or the template start) but not
//!   when they are the tail of a text run (text runs include newlines);
//! * the `)` closing `#set/#if/#elseif/#foreach/#define/#macro`, and `#else`, `#end`,
//!   `#break`, `#stop`, swallow trailing spaces/tabs plus one newline, when a newline
//!   follows;
//! * `##` comments swallow their newline, `#* *#` comments do not.

use std::collections::HashMap;

use crate::ast::{Block, Expr, Modifier, Name, Node, PathCall, Reference, Slot};
use crate::error::{Error, ErrorKind, Pos};

/// Nesting limit for blocks, expressions and interpolated strings, so that hostile
/// input cannot overflow the parser's (or the renderer's) stack.
pub(crate) const MAX_NESTING: u32 = 64;

#[derive(Default)]
pub(crate) struct Names {
    map: HashMap<Box<str>, Slot>,
    pub list: Vec<Box<str>>,
}

impl Names {
    pub fn slot(&mut self, name: &str) -> Slot {
        if let Some(&s) = self.map.get(name) {
            return s;
        }
        let s = self.list.len() as Slot;
        self.list.push(name.into());
        self.map.insert(name.into(), s);
        s
    }
}

#[derive(Clone, Copy)]
pub(crate) struct Cursor {
    pub i: usize,
    line: u32,
    line_start: usize,
}

/// How a block ended.
pub(crate) enum Term {
    Eof,
    End,
    Else,
    ElseIf(Expr),
}

pub(crate) struct Parser<'s, 'n> {
    pub src: &'s str,
    pub cur: Cursor,
    pub names: &'n mut Names,
    pub depth: u32,
    /// Position of `src` inside the template (for interpolated string literals).
    origin: Pos,
    /// Where the most recent directive started, for stray `#end`/`#else` errors.
    last_directive: Pos,
}

const DIRECTIVES: &[&str] = &[
    "set", "if", "elseif", "else", "end", "foreach", "define", "macro", "break", "stop",
];

pub(crate) fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

fn is_directive_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

impl<'s, 'n> Parser<'s, 'n> {
    pub fn new(src: &'s str, names: &'n mut Names, origin: Pos, depth: u32) -> Self {
        Parser {
            src,
            cur: Cursor {
                i: 0,
                line: 1,
                line_start: 0,
            },
            names,
            depth,
            origin,
            last_directive: origin,
        }
    }

    // ----- cursor helpers -------------------------------------------------------

    pub fn rest(&self) -> &'s str {
        &self.src[self.cur.i..]
    }

    pub fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    pub fn peek_at(&self, n: usize) -> Option<char> {
        self.rest().chars().nth(n)
    }

    pub fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.bump();
            true
        } else {
            false
        }
    }

    pub fn eat_str(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.advance(s.len());
            true
        } else {
            false
        }
    }

    pub fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.advance(c.len_utf8());
        Some(c)
    }

    /// Moves `n` bytes forward (always to a char boundary), tracking lines.
    pub fn advance(&mut self, n: usize) {
        let end = self.cur.i + n;
        let bytes = &self.src.as_bytes()[self.cur.i..end];
        for (k, b) in bytes.iter().enumerate() {
            if *b == b'\n' {
                self.cur.line += 1;
                self.cur.line_start = self.cur.i + k + 1;
            }
        }
        self.cur.i = end;
    }

    pub fn pos(&self) -> Pos {
        let col = self.src[self.cur.line_start..self.cur.i].chars().count() as u32 + 1;
        if self.cur.line == 1 {
            Pos {
                line: self.origin.line,
                col: col + self.origin.col.saturating_sub(1),
            }
        } else {
            Pos {
                line: self.origin.line + self.cur.line - 1,
                col,
            }
        }
    }

    pub fn err<T>(&self, msg: impl Into<String>) -> Result<T, Error> {
        Err(Error::new(ErrorKind::Parse, msg, self.pos()))
    }

    pub fn err_at<T>(&self, msg: impl Into<String>, pos: Pos) -> Result<T, Error> {
        Err(Error::new(ErrorKind::Parse, msg, pos))
    }

    pub fn enter(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return self.err(format!("nesting deeper than {MAX_NESTING} levels"));
        }
        Ok(())
    }

    pub fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Spaces and tabs only (directive headers allow newlines via `skip_ws`).
    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.bump();
        }
    }

    pub fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\r' | '\n')) {
            self.bump();
        }
    }

    /// Velocity 1.7: a directive followed by blanks and a newline eats both.
    fn gobble_newline(&mut self) {
        let save = self.cur;
        self.skip_blanks();
        if !(self.eat('\n') || self.eat_str("\r\n") || self.eat('\r')) {
            self.cur = save;
        }
    }

    pub fn ident(&mut self) -> Option<&'s str> {
        let start = self.cur.i;
        if !self.peek().is_some_and(is_ident_start) {
            return None;
        }
        let len = self
            .rest()
            .find(|c| !is_ident_char(c))
            .unwrap_or(self.rest().len());
        self.advance(len);
        Some(&self.src[start..start + len])
    }

    // ----- template level -------------------------------------------------------

    pub fn parse_template(&mut self) -> Result<Block, Error> {
        let (block, term) = self.parse_block()?;
        match term {
            Term::Eof => Ok(block),
            Term::End => self.stray("#end"),
            Term::Else => self.stray("#else"),
            Term::ElseIf(_) => self.stray("#elseif"),
        }
    }

    fn stray<T>(&self, what: &str) -> Result<T, Error> {
        Err(self.last_directive_error(what))
    }

    fn last_directive_error(&self, what: &str) -> Error {
        Error::new(
            ErrorKind::Parse,
            format!("{what} without a matching #if/#foreach/#define"),
            self.last_directive,
        )
    }

    /// Parses until EOF or a block terminator (`#end`, `#else`, `#elseif`).
    pub fn parse_block(&mut self) -> Result<(Block, Term), Error> {
        self.enter()?;
        let mut b = BlockBuilder::default();
        let term = loop {
            let rest = self.rest();
            let k = rest.find(['$', '#', '\\']).unwrap_or(rest.len());
            if k > 0 {
                b.text.push_str(&rest[..k]);
                self.advance(k);
            }
            match self.peek() {
                None => break Term::Eof,
                Some('$') => match self.reference()? {
                    Some(r) => b.node(Node::Ref(r)),
                    None => {
                        self.bump();
                        b.literal("$");
                    }
                },
                Some('\\') => self.backslashes(&mut b)?,
                _ => {
                    if let Some(t) = self.hash(&mut b)? {
                        break t;
                    }
                }
            }
        };
        self.leave();
        Ok((b.finish(), term))
    }

    /// Handles a run of backslashes: they escape a following reference or directive.
    fn backslashes(&mut self, b: &mut BlockBuilder) -> Result<(), Error> {
        let n = self.rest().find(|c| c != '\\').unwrap_or(self.rest().len());
        let save = self.cur;
        self.advance(n);
        match self.peek() {
            Some('$') => {
                if let Some(r) = self.reference()? {
                    b.node(Node::EscapedRef {
                        backslashes: n as u32,
                        reference: Box::new(r),
                    });
                    return Ok(());
                }
            }
            Some('#') => {
                if let Some(len) = self.directive_len() {
                    let half = "\\".repeat(n / 2);
                    b.literal(&half);
                    if n % 2 == 1 {
                        let kw = &self.rest()[..len];
                        b.literal(kw);
                        self.advance(len);
                    }
                    return Ok(());
                }
            }
            _ => {}
        }
        self.cur = save;
        self.advance(n);
        b.literal(&"\\".repeat(n));
        Ok(())
    }

    /// Length of `#kw` / `#{kw}` at the cursor if `kw` is a known directive.
    fn directive_len(&self) -> Option<usize> {
        let rest = self.rest().strip_prefix('#')?;
        let (body, braced) = match rest.strip_prefix('{') {
            Some(r) => (r, true),
            None => (rest, false),
        };
        let len = body.find(|c| !is_directive_char(c)).unwrap_or(body.len());
        let kw = &body[..len];
        if !DIRECTIVES.contains(&kw) {
            return None;
        }
        if braced {
            body[len..].starts_with('}').then_some(len + 3)
        } else {
            Some(len + 1)
        }
    }

    /// Handles `#...` at the cursor. Returns a terminator when one was read.
    fn hash(&mut self, b: &mut BlockBuilder) -> Result<Option<Term>, Error> {
        let rest = self.rest();
        if rest.starts_with("##") {
            let len = rest.find('\n').map_or(rest.len(), |k| k + 1);
            self.advance(len);
            b.boundary();
            return Ok(None);
        }
        if let Some(body) = rest.strip_prefix("#*") {
            let pos = self.pos();
            let Some(k) = body.find("*#") else {
                return self.err_at("unterminated #* comment", pos);
            };
            self.advance(k + 4);
            b.boundary();
            return Ok(None);
        }
        if let Some(body) = rest.strip_prefix("#[[") {
            let pos = self.pos();
            let Some(k) = body.find("]]#") else {
                return self.err_at("unterminated #[[ ]]# block", pos);
            };
            b.literal(&body[..k]);
            self.advance(k + 6);
            return Ok(None);
        }
        let pos = self.pos();
        let start = self.cur;
        self.bump();
        let braced = self.eat('{');
        let len = self
            .rest()
            .find(|c| !is_directive_char(c))
            .unwrap_or(self.rest().len());
        let kw = &self.rest()[..len];
        if len == 0 || !kw.starts_with(|c: char| c.is_ascii_alphabetic()) {
            self.cur = start;
            self.bump();
            b.literal("#");
            return Ok(None);
        }
        self.advance(len);
        if braced && !self.eat('}') {
            self.cur = start;
            self.bump();
            b.literal("#");
            return Ok(None);
        }
        self.last_directive = pos;
        match kw {
            "set" => {
                b.gobble_leading_blanks();
                let node = self.set_directive(pos)?;
                b.node(node);
            }
            "if" => {
                let node = self.if_directive(pos)?;
                b.node(node);
            }
            "elseif" => {
                let cond = self.directive_args(pos, "#elseif", |p| p.expr())?;
                return Ok(Some(Term::ElseIf(cond)));
            }
            "else" => {
                self.gobble_newline();
                return Ok(Some(Term::Else));
            }
            "end" => {
                self.gobble_newline();
                return Ok(Some(Term::End));
            }
            "foreach" => {
                let node = self.foreach_directive(pos)?;
                b.node(node);
            }
            "define" => {
                let var = self.directive_args(pos, "#define", |p| p.var_name())?;
                let body = self.body_until_end(pos, "#define")?;
                b.node(Node::Define { var, body });
            }
            "macro" => {
                // AWS does not expand macros: the definition vanishes and calls stay
                // literal text (recorded in airspeed-ext's TestMacros snapshots).
                self.skip_ws();
                if !self.eat('(') || !self.skip_balanced() {
                    return self.err_at("expected (...) after #macro", pos);
                }
                self.gobble_newline();
                self.body_until_end(pos, "#macro")?;
                b.boundary();
            }
            "break" => {
                self.gobble_newline();
                b.node(Node::Break);
            }
            "stop" => {
                self.gobble_newline();
                b.node(Node::Stop);
            }
            _ => {
                // Unknown directive or macro call: AWS renders its source unevaluated.
                let save = self.cur;
                self.skip_blanks();
                if !(self.eat('(') && self.skip_balanced()) {
                    self.cur = save;
                }
                b.literal(&self.src[start.i..self.cur.i]);
            }
        }
        Ok(None)
    }

    /// Skips to just after the `)` matching an already consumed `(`.
    fn skip_balanced(&mut self) -> bool {
        let mut depth = 1u32;
        while let Some(c) = self.bump() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        return true;
                    }
                }
                '"' | '\'' => {
                    let len = self.rest().find(c).unwrap_or(self.rest().len());
                    self.advance(len);
                    self.bump();
                }
                _ => {}
            }
        }
        false
    }

    /// Parses `( inner )` after a directive keyword, then gobbles the newline.
    fn directive_args<T>(
        &mut self,
        pos: Pos,
        name: &str,
        inner: impl FnOnce(&mut Self) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.skip_blanks();
        if !self.eat('(') {
            return self.err(format!("expected ( after {name}"));
        }
        self.skip_ws();
        let v = inner(self)?;
        self.skip_ws();
        if !self.eat(')') {
            return self.err(format!(
                "expected ) to close {name} started at line {}, column {}",
                pos.line, pos.col
            ));
        }
        self.gobble_newline();
        Ok(v)
    }

    fn var_name(&mut self) -> Result<Slot, Error> {
        if !self.eat('$') {
            return self.err("expected a $variable");
        }
        let braced = self.eat('{');
        let Some(name) = self.ident() else {
            return self.err("expected a variable name");
        };
        if braced && !self.eat('}') {
            return self.err("expected }");
        }
        Ok(self.names.slot(name))
    }

    fn body_until_end(&mut self, pos: Pos, name: &str) -> Result<Block, Error> {
        let (body, term) = self.parse_block()?;
        match term {
            Term::End => Ok(body),
            Term::Eof => self.err_at(format!("{name} is missing its #end"), pos),
            Term::Else | Term::ElseIf(_) => self.err(format!("#else inside {name}")),
        }
    }

    fn set_directive(&mut self, pos: Pos) -> Result<Node, Error> {
        let (target, value) = self.directive_args(pos, "#set", |p| {
            let tpos = p.pos();
            let Some(target) = p.reference()? else {
                return p.err_at("#set needs a $reference on the left", tpos);
            };
            p.skip_ws();
            if !p.eat('=') {
                return p.err("expected = in #set");
            }
            let value = p.expr()?;
            Ok((target, value))
        })?;
        Ok(Node::Set {
            target: Box::new(target),
            value,
            pos,
        })
    }

    fn if_directive(&mut self, pos: Pos) -> Result<Node, Error> {
        let mut cond = self.directive_args(pos, "#if", |p| p.expr())?;
        let mut branches = Vec::new();
        loop {
            let (block, term) = self.parse_block()?;
            branches.push((cond, block));
            match term {
                Term::End => {
                    return Ok(Node::If {
                        branches,
                        otherwise: None,
                    })
                }
                Term::ElseIf(c) => cond = c,
                Term::Else => {
                    let (block, term) = self.parse_block()?;
                    return match term {
                        Term::End => Ok(Node::If {
                            branches,
                            otherwise: Some(block),
                        }),
                        Term::Eof => self.err_at("#if is missing its #end", pos),
                        _ => Err(self.last_directive_error("#else/#elseif after #else")),
                    };
                }
                Term::Eof => return self.err_at("#if is missing its #end", pos),
            }
        }
    }

    fn foreach_directive(&mut self, pos: Pos) -> Result<Node, Error> {
        let (var, iterable) = self.directive_args(pos, "#foreach", |p| {
            let var = p.var_name()?;
            p.skip_ws();
            if !p.eat_str("in") || p.peek().is_some_and(is_ident_char) {
                return p.err("expected `in` in #foreach");
            }
            Ok((var, p.expr()?))
        })?;
        let body = self.body_until_end(pos, "#foreach")?;
        Ok(Node::Foreach {
            var,
            iterable,
            body,
            pos,
        })
    }

    // ----- references -----------------------------------------------------------

    /// Parses `$a`, `$!a`, `${a}`, with `.prop`, `.method(args)` and `[index]`
    /// modifiers. Returns `None` (cursor unchanged) when `$` does not start one.
    pub fn reference(&mut self) -> Result<Option<Reference>, Error> {
        let start = self.cur;
        let pos = self.pos();
        if !self.eat('$') {
            return Ok(None);
        }
        // `$!` only matters in Velocity for null references, which AWS renders
        // as nothing anyway.
        self.eat('!');
        let braced = self.eat('{');
        let Some(name) = self.ident() else {
            self.cur = start;
            return Ok(None);
        };
        let root = self.names.slot(name);
        let mut modifiers = Vec::new();
        self.enter()?;
        loop {
            let rest = self.rest();
            if rest.starts_with('.') && rest[1..].starts_with(is_ident_start) {
                self.bump();
                let Some(prop) = self.ident() else { break };
                if self.peek() == Some('(') {
                    self.bump();
                    let args = self.call_args()?;
                    modifiers.push(method_modifier(prop, args));
                } else {
                    modifiers.push(Modifier::Property(Name::new(prop)));
                }
            } else if rest.starts_with('[') {
                let save = self.cur;
                self.bump();
                match self.index_expr() {
                    Ok(Some(e)) => modifiers.push(Modifier::Index(e)),
                    _ => {
                        self.cur = save;
                        break;
                    }
                }
            } else {
                break;
            }
        }
        self.leave();
        if braced && !self.eat('}') {
            return self.err_at("missing } in ${...} reference", pos);
        }
        Ok(Some(Reference {
            root,
            modifiers,
            raw: self.src[start.i..self.cur.i].into(),
            pos,
        }))
    }

    fn index_expr(&mut self) -> Result<Option<Expr>, Error> {
        self.skip_ws();
        let e = self.expr()?;
        self.skip_ws();
        Ok(self.eat(']').then_some(e))
    }

    fn call_args(&mut self) -> Result<Vec<Expr>, Error> {
        let mut args = Vec::new();
        self.skip_ws();
        if self.eat(')') {
            return Ok(args);
        }
        loop {
            args.push(self.expr()?);
            self.skip_ws();
            if self.eat(')') {
                return Ok(args);
            }
            if !self.eat(',') {
                return self.err("expected , or ) in method arguments");
            }
        }
    }
}

/// Accumulates text and nodes for one block, tracking where the current text run
/// started so `#set` can drop blanks that begin a token (see module docs).
#[derive(Default)]
struct BlockBuilder {
    nodes: Block,
    text: String,
    run_from: usize,
}

impl BlockBuilder {
    fn flush(&mut self) {
        if !self.text.is_empty() {
            let t = std::mem::take(&mut self.text);
            self.nodes.push(Node::Text(t.into_boxed_str()));
        }
        self.run_from = 0;
    }

    fn node(&mut self, n: Node) {
        self.flush();
        self.nodes.push(n);
    }

    /// Text produced by a token (escape, literal `$`, unknown directive).
    fn literal(&mut self, s: &str) {
        self.text.push_str(s);
        self.boundary();
    }

    fn boundary(&mut self) {
        self.run_from = self.text.len();
    }

    fn gobble_leading_blanks(&mut self) {
        let run = &self.text[self.run_from..];
        if !run.is_empty() && run.bytes().all(|b| b == b' ' || b == b'\t') {
            self.text.truncate(self.run_from);
        }
    }

    fn finish(mut self) -> Block {
        self.flush();
        self.nodes
    }
}

/// A method call, with a literal JSONPath argument of `path`/`json` pre-parsed.
fn method_modifier(name: &str, args: Vec<Expr>) -> Modifier {
    if let ("path" | "json", [Expr::Str(lit)]) = (name, args.as_slice()) {
        if let Some(path) = crate::jsonpath::compile(lit) {
            return Modifier::PathCall(Box::new(PathCall {
                name: name.into(),
                json: name == "json",
                path,
                args,
            }));
        }
    }
    Modifier::Method(name.into(), args)
}
