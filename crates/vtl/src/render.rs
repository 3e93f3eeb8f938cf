//! Tree-walking renderer. One `Renderer` per render call; it owns all mutable state
//! (variables, loop stack, overrides, limit counters), so a `Template` is shared
//! immutably across threads.

use std::cell::OnceCell;
use std::time::Instant;

use regex::Regex;

use crate::ast::{BinOp, Expr, Modifier, Node, Reference, Slot};
use crate::error::{Error, ErrorKind, Fail, Pos};
use crate::json::{Doc, Entries, Items};
use crate::value::{compare, java_equals, to_display, write_display, Map, Special, Str, Value};
use crate::{Context, Limits, Overrides, ResponseOverrides, TemplateInner};

/// Hard ceiling on `Limits::max_depth`, so a careless limit cannot overflow the
/// stack (each level costs a handful of frames).
const DEPTH_CEILING: u32 = 256;

pub(crate) enum Flow {
    Normal,
    Break,
    Stop,
}

pub(crate) struct Loop {
    pub index: usize,
    pub len: usize,
}

pub(crate) struct Renderer<'a> {
    pub ctx: &'a Context,
    pub body: &'a OnceCell<Result<Doc<'a>, String>>,
    limits: &'a Limits,
    vars: Vec<Option<Value<'a>>>,
    pub loops: Vec<Loop>,
    pub out: String,
    iterations: u64,
    depth: u32,
    max_depth: u32,
    ticks: u32,
    start: Instant,
    /// Bytes of strings the template may still build in memory.
    budget: usize,
    pub pos: Pos,
    pub req: Overrides,
    pub resp: ResponseOverrides,
    pub params: Option<Value<'a>>,
    regexes: Vec<(String, bool, Regex)>,
    arg_pool: Vec<Vec<Value<'a>>>,
    /// Set when `#stop` ran inside a `#define` rendered from a reference.
    stopped: bool,
    /// Containers that had a container stored into them: the only places a
    /// reference cycle can be closed (see `Drop`).
    cycle_risks: Vec<Value<'a>>,
}

impl<'a> Renderer<'a> {
    pub fn new(
        t: &'a TemplateInner,
        ctx: &'a Context,
        body: &'a OnceCell<Result<Doc<'a>, String>>,
        limits: &'a Limits,
    ) -> Self {
        let mut vars: Vec<Option<Value<'a>>> = vec![None; t.names.len()];
        for &(slot, special) in &t.builtins {
            vars[slot as usize] = Some(match special {
                Some(s) => Value::Special(s),
                None => stage_variables(ctx),
            });
        }
        Renderer {
            ctx,
            body,
            limits,
            vars,
            loops: Vec::new(),
            out: String::with_capacity(t.size_hint),
            iterations: 0,
            depth: 0,
            max_depth: limits.max_depth.min(DEPTH_CEILING),
            ticks: 0,
            start: Instant::now(),
            budget: limits.max_output_bytes.saturating_mul(4),
            pos: Pos { line: 1, col: 1 },
            req: ctx.request_override.clone(),
            resp: ctx.response_override.clone(),
            params: None,
            regexes: Vec::new(),
            arg_pool: Vec::new(),
            stopped: false,
            cycle_risks: Vec::new(),
        }
    }

    pub fn note_cycle_risk(&mut self, container: Value<'a>) {
        self.cycle_risks.push(container);
    }

    // ----- errors and limits ------------------------------------------------------

    pub fn runtime(&self, msg: impl Into<String>) -> Fail {
        Fail::new(Error::new(ErrorKind::Runtime, msg, self.pos))
    }

    #[inline(always)]
    fn check_output(&self) -> Result<(), Fail> {
        if self.out.len() > self.limits.max_output_bytes {
            return Err(Fail::new(Error::new(
                ErrorKind::OutputLimit,
                format!("output exceeds {} bytes", self.limits.max_output_bytes),
                self.pos,
            )));
        }
        Ok(())
    }

    pub fn max_output(&self) -> usize {
        self.limits.max_output_bytes
    }

    /// Accounts for a string the template builds, and wraps it as a value.
    #[inline]
    pub fn owned(&mut self, s: String) -> Result<Value<'a>, Fail> {
        self.charge(s.len())?;
        Ok(Value::string(s))
    }

    pub fn output_error(&self) -> Fail {
        Fail::new(Error::new(
            ErrorKind::OutputLimit,
            "strings built by the template exceed the output limit",
            self.pos,
        ))
    }

    #[inline]
    pub fn charge(&mut self, n: usize) -> Result<(), Fail> {
        if n > self.limits.max_output_bytes || n > self.budget {
            return Err(self.output_error());
        }
        self.budget -= n;
        Ok(())
    }

    /// Container growth is charged too, so `add`/`put` in loops stay bounded.
    #[inline]
    pub fn charge_item(&mut self) -> Result<(), Fail> {
        self.charge(16)
    }

    #[inline]
    fn tick(&mut self) -> Result<(), Fail> {
        self.ticks = self.ticks.wrapping_add(1);
        if self.ticks.is_multiple_of(64) && self.start.elapsed() > self.limits.max_duration {
            return Err(Fail::new(Error::new(
                ErrorKind::Timeout,
                format!("render took longer than {:?}", self.limits.max_duration),
                self.pos,
            )));
        }
        Ok(())
    }

    fn enter(&mut self) -> Result<(), Fail> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(Fail::new(Error::new(
                ErrorKind::DepthLimit,
                format!("nesting deeper than {} levels", self.max_depth),
                self.pos,
            )));
        }
        Ok(())
    }

    pub fn regex(&mut self, pattern: &str, whole: bool) -> Result<Regex, Fail> {
        if let Some((_, _, re)) = self
            .regexes
            .iter()
            .find(|(p, w, _)| p == pattern && *w == whole)
        {
            return Ok(re.clone());
        }
        let src = if whole {
            format!("^(?:{pattern})$")
        } else {
            pattern.to_owned()
        };
        let re = regex::RegexBuilder::new(&src)
            .size_limit(1 << 20)
            .nest_limit(64)
            .build()
            .map_err(|e| self.runtime(format!("PatternSyntaxException: {e}")))?;
        if self.regexes.len() < 32 {
            self.regexes.push((pattern.to_owned(), whole, re.clone()));
        }
        Ok(re)
    }

    // ----- blocks ------------------------------------------------------------------

    pub fn block(&mut self, nodes: &'a [Node]) -> Result<Flow, Fail> {
        for node in nodes {
            match self.node(node)? {
                Flow::Normal => {}
                flow => return Ok(flow),
            }
        }
        Ok(Flow::Normal)
    }

    fn nested(&mut self, nodes: &'a [Node]) -> Result<Flow, Fail> {
        self.enter()?;
        let flow = self.block(nodes);
        self.depth -= 1;
        flow
    }

    fn node(&mut self, node: &'a Node) -> Result<Flow, Fail> {
        match node {
            Node::Text(t) => {
                self.out.push_str(t);
                self.check_output()?;
            }
            Node::Ref(r) => {
                let v = match self.simple_property(r) {
                    Some(v) => v,
                    None => self.reference(r)?,
                };
                self.write(&v)?;
                release(v);
                if self.stopped {
                    return Ok(Flow::Stop);
                }
            }
            Node::EscapedRef {
                backslashes,
                reference,
            } => {
                let v = self.reference(reference)?;
                let n = *backslashes as usize;
                if v.is_null() {
                    // Velocity keeps escapes of undefined references verbatim.
                    self.out.extend(std::iter::repeat_n('\\', n));
                    self.out.push_str(&reference.raw);
                } else {
                    self.out.extend(std::iter::repeat_n('\\', n / 2));
                    if n % 2 == 1 {
                        self.out.push_str(&reference.raw);
                    } else {
                        self.write(&v)?;
                    }
                }
                self.check_output()?;
            }
            Node::Set { target, value, pos } => {
                self.pos = *pos;
                let v = self.expr(value)?;
                self.assign(target, v)?;
            }
            Node::If {
                branches,
                otherwise,
            } => {
                for (cond, body) in branches {
                    let c = self.expr(cond)?;
                    let yes = c.truthy();
                    release(c);
                    if yes {
                        return self.nested(body);
                    }
                }
                if let Some(body) = otherwise {
                    return self.nested(body);
                }
            }
            Node::Foreach {
                var,
                iterable,
                body,
                pos,
            } => {
                self.pos = *pos;
                let items = self.expr(iterable)?;
                return self.foreach(*var, items, body);
            }
            Node::Define { var, body } => self.vars[*var as usize] = Some(Value::Define(body)),
            Node::Break => return Ok(Flow::Break),
            Node::Stop => return Ok(Flow::Stop),
        }
        Ok(Flow::Normal)
    }

    fn foreach(&mut self, var: Slot, items: Value<'a>, body: &'a [Node]) -> Result<Flow, Fail> {
        // Borrowed JSON is walked in place; template containers are snapshotted.
        let items = match &items {
            // Velocity iterates a map's values.
            Value::Map(_) => LoopItems::Vec(
                self.pairs(&items)
                    .into_iter()
                    .map(|(_, v)| v)
                    .collect::<Vec<_>>()
                    .into_iter(),
            ),
            Value::Json(j) if j.is_object() => LoopItems::JsonValues(j.entries()),
            Value::Json(j) if j.is_array() => LoopItems::Json(j.items()),
            v => LoopItems::Vec(v.list_items().unwrap_or_default().into_iter()),
        };
        self.enter()?;
        let saved = self.vars[var as usize].take();
        self.loops.push(Loop {
            index: 0,
            len: items.len(),
        });
        let mut result = Ok(Flow::Normal);
        for (i, item) in items.into_iter().enumerate() {
            self.iterations += 1;
            if self.iterations > self.limits.max_loop_iterations {
                result = Err(Fail::new(Error::new(
                    ErrorKind::LoopLimit,
                    format!(
                        "#foreach ran more than {} iterations",
                        self.limits.max_loop_iterations
                    ),
                    self.pos,
                )));
                break;
            }
            if let Err(e) = self.tick() {
                result = Err(e);
                break;
            }
            if let Some(l) = self.loops.last_mut() {
                l.index = i;
            }
            if let Some(old) = self.vars[var as usize].replace(item) {
                release(old);
            }
            match self.block(body) {
                Ok(Flow::Normal) => {}
                Ok(Flow::Break) => break,
                other => {
                    result = other;
                    break;
                }
            }
        }
        self.loops.pop();
        self.vars[var as usize] = saved;
        self.depth -= 1;
        result
    }

    /// Writes a value to the output; `#define` blocks render in place.
    #[inline(always)]
    fn write(&mut self, v: &Value<'a>) -> Result<(), Fail> {
        match v {
            Value::Define(body) => {
                if let Flow::Stop = self.nested(body)? {
                    // `#stop` ends the whole render even from inside a `#define`.
                    self.stopped = true;
                }
            }
            Value::Str(s) => {
                if self.out.len() <= self.limits.max_output_bytes {
                    self.out.push_str(s.as_str());
                }
            }
            Value::Int(i) => {
                if self.out.len() <= self.limits.max_output_bytes {
                    crate::value::write_int(&mut self.out, *i);
                }
            }
            Value::Null => {}
            v => write_display(&mut self.out, v, self.limits.max_output_bytes),
        }
        self.check_output()
    }

    /// `toString()` of a value, rendering `#define` blocks.
    pub fn display(&mut self, v: &Value<'a>) -> Result<String, Fail> {
        match v {
            Value::Str(s) => Ok(s.as_str().to_owned()),
            v => {
                let saved = std::mem::take(&mut self.out);
                let r = self.write(v);
                let s = std::mem::replace(&mut self.out, saved);
                r.map(|_| s)
            }
        }
    }

    // ----- references ----------------------------------------------------------------

    #[inline]
    fn var(&self, slot: Slot) -> Value<'a> {
        match &self.vars[slot as usize] {
            None => Value::Null,
            Some(Value::Special(Special::VelocityCount)) => self
                .loops
                .last()
                .map_or(Value::Null, |l| Value::Int(l.index as i64 + 1)),
            Some(Value::Special(Special::VelocityHasNext)) => self
                .loops
                .last()
                .map_or(Value::Null, |l| Value::Bool(l.index + 1 < l.len)),
            Some(v) => v.clone(),
        }
    }

    #[inline]
    pub fn reference(&mut self, r: &'a Reference) -> Result<Value<'a>, Fail> {
        self.reference_prefix(r, r.modifiers.len())
    }

    /// `$item.name` on body JSON and `$foreach.count`, the commonest references in
    /// loops: read in place, without cloning the variable. `None` for any other
    /// reference.
    #[inline(always)]
    fn simple_property(&self, r: &'a Reference) -> Option<Value<'a>> {
        let [Modifier::Property(name)] = r.modifiers.as_slice() else {
            return None;
        };
        match &self.vars[r.root as usize] {
            Some(Value::Json(j)) if j.is_object() => Some(match j.get(name) {
                Some(v) => Value::from_json(v),
                None => Value::Null,
            }),
            Some(Value::Special(Special::Foreach)) => Some(self.foreach_property(name.id)),
            _ => None,
        }
    }

    /// Evaluates the root and the first `n` modifiers.
    fn reference_prefix(&mut self, r: &'a Reference, n: usize) -> Result<Value<'a>, Fail> {
        if n == r.modifiers.len() {
            if let Some(v) = self.simple_property(r) {
                return Ok(v);
            }
        }
        let mut v = self.var(r.root);
        for m in &r.modifiers[..n] {
            if v.is_null() {
                return Ok(Value::Null);
            }
            v = match m {
                Modifier::Property(name) => match v {
                    Value::Special(Special::Foreach) => self.foreach_property(name.id),
                    v => self.property(v, name)?,
                },
                Modifier::Method(name, args) => {
                    // Argument vectors are recycled: most references are calls.
                    let mut vals = self.arg_pool.pop().unwrap_or_default();
                    for a in args {
                        vals.push(self.expr(a)?);
                    }
                    self.pos = r.pos;
                    let result = self.call_method(v, name, &mut vals);
                    vals.clear();
                    self.arg_pool.push(vals);
                    result?
                }
                Modifier::Index(e) => {
                    let k = self.expr(e)?;
                    self.pos = r.pos;
                    self.index(v, k)?
                }
                Modifier::PathCall(c) => {
                    self.pos = r.pos;
                    if let Value::Special(Special::Input) = v {
                        self.input_path_compiled(&c.path, c.json)?
                    } else {
                        let mut vals = self.arg_pool.pop().unwrap_or_default();
                        for a in &c.args {
                            vals.push(self.expr(a)?);
                        }
                        let result = self.call_method(v, &c.name, &mut vals);
                        vals.clear();
                        self.arg_pool.push(vals);
                        result?
                    }
                }
            };
        }
        Ok(v)
    }

    /// `$a.name`: Velocity tries `getName()`, then `get("name")`, then `isName()`.
    fn property(&mut self, v: Value<'a>, name: &str) -> Result<Value<'a>, Fail> {
        Ok(match v {
            Value::Map(m) => m.borrow().get_str(name).cloned().unwrap_or(Value::Null),
            Value::Json(j) if j.is_object() => j.get(name).map_or(Value::Null, Value::from_json),
            Value::Entry(e) => match name {
                "key" => e.borrow().0.clone(),
                "value" => e.borrow().1.clone(),
                _ => Value::Null,
            },
            Value::Special(s) => self.special_property(s, name)?,
            Value::Str(s) if name == "empty" => Value::Bool(s.as_str().is_empty()),
            Value::Str(s) if name == "bytes" => self.owned(s.as_str().to_owned())?,
            v @ (Value::List(_) | Value::Json(_)) if name == "empty" => {
                Value::Bool(v.list_items().is_some_and(|l| l.is_empty()))
            }
            _ => Value::Null,
        })
    }

    fn index(&mut self, v: Value<'a>, k: Value<'a>) -> Result<Value<'a>, Fail> {
        // `$context["requestOverride"]` is `$context.requestOverride` (AWS's recorded answer:
        // LocalStack's test_integration_mock_with_vtl_map_assignation).
        if let Value::Special(s) = &v {
            if matches!(
                s,
                Special::Context | Special::RequestOverride | Special::ResponseOverride
            ) {
                let key = to_display(&k);
                return self.special_property(*s, &key);
            }
        }
        match (&v, &k) {
            (Value::List(_), Value::Int(_)) => self.call_method(v, "get", &mut vec![k]),
            (Value::Json(j), Value::Int(_)) if j.is_array() => {
                self.call_method(v, "get", &mut vec![k])
            }
            (Value::Map(_) | Value::Json(_) | Value::Special(_), _) if !matches!(v, Value::Json(j) if j.is_array()) => {
                self.call_method(v, "get", &mut vec![k])
            }
            _ => Ok(Value::Null),
        }
    }

    fn assign(&mut self, target: &'a Reference, v: Value<'a>) -> Result<(), Fail> {
        let n = target.modifiers.len();
        if n == 0 {
            // Velocity 1.7 (directive.set.null.allowed=false): a null right-hand side
            // leaves the variable unchanged.
            if !v.is_null() {
                self.vars[target.root as usize] = Some(v);
            }
            return Ok(());
        }
        let obj = self.reference_prefix(target, n - 1)?;
        match &target.modifiers[n - 1] {
            Modifier::Property(name) => self.set_property(obj, name, v),
            Modifier::Index(e) => {
                let k = self.expr(e)?;
                match obj {
                    Value::List(_) => self.call_method(obj, "set", &mut vec![k, v]).map(|_| ()),
                    Value::Map(m) => {
                        self.charge_item()?;
                        if k.is_container() || v.is_container() {
                            self.note_cycle_risk(Value::Map(m.clone()));
                        }
                        m.borrow_mut().put(k, v);
                        Ok(())
                    }
                    Value::Special(s) => {
                        let k = self.display(&k)?;
                        self.set_special(s, &k, v)
                    }
                    _ => Ok(()),
                }
            }
            Modifier::Method(..) | Modifier::PathCall(_) => {
                Err(self.runtime("cannot assign to a method call"))
            }
        }
    }

    fn set_property(&mut self, obj: Value<'a>, name: &str, v: Value<'a>) -> Result<(), Fail> {
        match obj {
            Value::Map(m) => {
                self.charge_item()?;
                if v.is_container() {
                    self.note_cycle_risk(Value::Map(m.clone()));
                }
                m.borrow_mut().put(Value::string(name.to_owned()), v);
                Ok(())
            }
            Value::Special(s) => self.set_special(s, name, v),
            // Borrowed request data is read-only; Velocity would find no setter.
            _ => Ok(()),
        }
    }

    // ----- expressions -----------------------------------------------------------------

    pub fn expr(&mut self, e: &'a Expr) -> Result<Value<'a>, Fail> {
        Ok(match e {
            Expr::Null => Value::Null,
            Expr::Bool(b) => Value::Bool(*b),
            Expr::Int(i) => Value::Int(*i),
            Expr::Float(f) => Value::Float(*f),
            Expr::Str(s) => Value::str(s),
            Expr::Interpolated(block) => {
                let saved = std::mem::take(&mut self.out);
                let r = self.nested(block);
                let s = std::mem::replace(&mut self.out, saved);
                r?;
                self.owned(s)?
            }
            Expr::Ref(r) => match self.simple_property(r) {
                Some(v) => v,
                None => self.reference(r)?,
            },
            Expr::List(items) => {
                let mut v = Vec::with_capacity(items.len());
                for i in items {
                    self.charge_item()?;
                    v.push(self.expr(i)?);
                }
                Value::list(v)
            }
            Expr::Range(a, b) => self.range(a, b)?,
            Expr::Map(entries) => {
                let mut m = Map::default();
                for (k, v) in entries {
                    self.charge_item()?;
                    let k = self.expr(k)?;
                    let v = self.expr(v)?;
                    m.put(k, v);
                }
                Value::map(m)
            }
            Expr::Not(e) => Value::Bool(!self.expr(e)?.truthy()),
            Expr::Neg(e) => match self.expr(e)? {
                Value::Int(i) => i
                    .checked_neg()
                    .map_or(Value::Float(-(i as f64)), Value::Int),
                Value::Float(f) => Value::Float(-f),
                _ => Value::Null,
            },
            Expr::Binary(op, a, b) => self.binary(*op, a, b)?,
        })
    }

    fn range(&mut self, a: &'a Expr, b: &'a Expr) -> Result<Value<'a>, Fail> {
        let bound = |v: Value<'_>| match v {
            Value::Str(s) => s.as_str().trim().parse::<i64>().ok(),
            v => v.as_i64(),
        };
        let (Some(from), Some(to)) = (bound(self.expr(a)?), bound(self.expr(b)?)) else {
            return Ok(Value::Null);
        };
        let len = from.abs_diff(to).saturating_add(1);
        let cap = self.limits.max_loop_iterations.max(10_000);
        if len > cap {
            return Err(Fail::new(Error::new(
                ErrorKind::LoopLimit,
                format!("range [{from}..{to}] is longer than {cap}"),
                self.pos,
            )));
        }
        self.charge(len as usize * 16)?;
        let v: Vec<Value<'a>> = if from <= to {
            (from..=to).map(Value::Int).collect()
        } else {
            (to..=from).rev().map(Value::Int).collect()
        };
        Ok(Value::list(v))
    }

    fn binary(&mut self, op: BinOp, a: &'a Expr, b: &'a Expr) -> Result<Value<'a>, Fail> {
        let l = self.expr(a)?;
        match op {
            BinOp::And => return Ok(Value::Bool(l.truthy() && self.expr(b)?.truthy())),
            BinOp::Or => return Ok(Value::Bool(l.truthy() || self.expr(b)?.truthy())),
            _ => {}
        }
        let r = self.expr(b)?;
        Ok(match op {
            BinOp::Eq => Value::Bool(java_equals(&l, &r)),
            BinOp::Ne => Value::Bool(!java_equals(&l, &r)),
            BinOp::Lt => Value::Bool(compare(&l, &r).is_some_and(|o| o.is_lt())),
            BinOp::Le => Value::Bool(compare(&l, &r).is_some_and(|o| o.is_le())),
            BinOp::Gt => Value::Bool(compare(&l, &r).is_some_and(|o| o.is_gt())),
            BinOp::Ge => Value::Bool(compare(&l, &r).is_some_and(|o| o.is_ge())),
            BinOp::Add if !(l.is_number() && r.is_number()) => {
                if l.is_null() || r.is_null() {
                    Value::Null
                } else if matches!(l, Value::Str(_)) || matches!(r, Value::Str(_)) {
                    let mut s = self.display(&l)?;
                    s.push_str(&self.display(&r)?);
                    self.owned(s)?
                } else {
                    Value::Null
                }
            }
            _ => arith(op, &l, &r),
        })
    }
}

/// Drops a value, inline when it owns nothing (most values read from a request):
/// the full drop of `Value` is an out-of-line call.
#[inline(always)]
fn release(v: Value<'_>) {
    match v {
        Value::Null
        | Value::Bool(_)
        | Value::Int(_)
        | Value::Float(_)
        | Value::Str(Str::Borrowed(_))
        | Value::Json(_)
        | Value::Define(_)
        | Value::Special(_) => std::mem::forget(v),
        v => drop(v),
    }
}

/// What `#foreach` walks.
enum LoopItems<'a> {
    Vec(std::vec::IntoIter<Value<'a>>),
    Json(Items<'a>),
    JsonValues(Entries<'a>),
}

impl<'a> LoopItems<'a> {
    fn len(&self) -> usize {
        match self {
            LoopItems::Vec(v) => v.len(),
            LoopItems::Json(i) => i.len(),
            LoopItems::JsonValues(e) => e.len(),
        }
    }
}

impl<'a> Iterator for LoopItems<'a> {
    type Item = Value<'a>;
    #[inline]
    fn next(&mut self) -> Option<Value<'a>> {
        match self {
            LoopItems::Vec(v) => v.next(),
            LoopItems::Json(i) => i.next().map(Value::from_json),
            LoopItems::JsonValues(e) => e.next().map(|(_, v)| Value::from_json(v)),
        }
    }
}

/// Templates can build reference cycles (`$m.put('self', $m)`), which `Rc` would
/// leak. A cycle's last edge is always made by storing into an existing
/// container, so emptying every such container when the render ends frees them;
/// no value outlives a render.
impl Drop for Renderer<'_> {
    fn drop(&mut self) {
        for c in self.cycle_risks.drain(..) {
            match &c {
                Value::List(l) => {
                    let items = l.try_borrow_mut().map(|mut v| std::mem::take(&mut *v));
                    drop(items);
                }
                Value::Map(m) => {
                    let entries = m
                        .try_borrow_mut()
                        .map(|mut v| std::mem::take(&mut v.entries));
                    drop(entries);
                }
                _ => {}
            }
        }
    }
}

/// Velocity's MathUtils: integers stay integral (division truncates, overflow
/// widens; we widen to double where Java would reach BigInteger), any double makes
/// the result a double. Division by zero yields null.
fn arith<'a>(op: BinOp, l: &Value<'a>, r: &Value<'a>) -> Value<'a> {
    if let (Value::Int(x), Value::Int(y)) = (l, r) {
        let (x, y) = (*x, *y);
        let v = match op {
            BinOp::Add => x.checked_add(y),
            BinOp::Sub => x.checked_sub(y),
            BinOp::Mul => x.checked_mul(y),
            BinOp::Div if y == 0 => return Value::Null,
            BinOp::Mod if y == 0 => return Value::Null,
            BinOp::Div => x.checked_div(y),
            BinOp::Mod => x.checked_rem(y),
            _ => None,
        };
        if let Some(v) = v {
            return Value::Int(v);
        }
    }
    let (Some(x), Some(y)) = (l.as_f64(), r.as_f64()) else {
        return Value::Null;
    };
    Value::Float(match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div if y == 0.0 => return Value::Null,
        BinOp::Div => x / y,
        BinOp::Mod if y == 0.0 => return Value::Null,
        BinOp::Mod => x % y,
        _ => return Value::Null,
    })
}

fn stage_variables(ctx: &Context) -> Value<'_> {
    Value::map(Map {
        entries: ctx
            .stage_variables
            .iter()
            .map(|(k, v)| (Value::str(k), Value::from_serde(v)))
            .collect(),
    })
}
