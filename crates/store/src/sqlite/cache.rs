//! The in-memory copy of every document: what `SqliteStore` serves reads from.
//!
//! SQLite stays the durable record and is written first; this copy only spares reads the SQL
//! statement and the JSON parse. It is complete (loaded whole when the store opens), so a miss
//! is an answer, not a reason to ask SQLite. That only holds while this process is the file's
//! one writer, which the exclusive lock guarantees.
//!
//! A write transaction edits the copy in place as it goes (it holds the store's lock, so nobody
//! else can look) and records how to undo each edit; a rollback replays the undo log backwards.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock};

use serde_json::Value;

use crate::Tenant;

/// One stored document: its insertion sequence number and its body, shared with readers that
/// only need to look at it.
#[derive(Clone)]
pub(super) struct Entry {
    pub seq: i64,
    pub body: Arc<Value>,
}

/// The documents of one `(tenant, scope, kind)`, by id and in sequence order.
#[derive(Default)]
pub(super) struct Collection {
    by_id: HashMap<String, Entry>,
    by_seq: BTreeMap<i64, String>,
}

impl Collection {
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Documents with `seq > after`, in sequence order.
    pub fn after(&self, after: i64) -> impl Iterator<Item = (&str, &Entry)> {
        self.by_seq
            .range(after.saturating_add(1)..)
            .filter_map(|(_, id)| self.by_id.get_key_value(id.as_str()))
            .map(|(id, e)| (id.as_str(), e))
    }

    fn insert(&mut self, id: &str, entry: Entry) -> Option<Entry> {
        let prev = self.by_id.insert(id.to_string(), entry.clone());
        if let Some(p) = &prev {
            if p.seq != entry.seq {
                self.by_seq.remove(&p.seq);
            }
        }
        self.by_seq.insert(entry.seq, id.to_string());
        prev
    }

    fn remove(&mut self, id: &str) -> Option<Entry> {
        let prev = self.by_id.remove(id)?;
        self.by_seq.remove(&prev.seq);
        Some(prev)
    }
}

/// Every kind of document inside one scope.
pub(super) type Kinds = HashMap<String, Collection>;

/// How to take back one edit of a transaction that does not commit.
pub(super) enum Undo {
    /// Put the document back as it was (`None`: it did not exist).
    Doc {
        kind: String,
        scope: String,
        id: String,
        prev: Option<Entry>,
    },
    /// Put a whole scope back (`delete_scope`).
    Scope { scope: String, prev: Kinds },
    /// The document was lent to the writer (`Txn::lend`), who may have changed it: its body
    /// comes back from SQLite, which a rolled-back transaction leaves as it was.
    Lent {
        kind: String,
        scope: String,
        id: String,
    },
}

/// What a lent document's entry holds until the writer puts the document back.
static LENT: LazyLock<Arc<Value>> = LazyLock::new(|| Arc::new(Value::Null));

pub(super) fn lent() -> Arc<Value> {
    LENT.clone()
}

pub(super) fn is_lent(e: &Entry) -> bool {
    Arc::ptr_eq(&e.body, &LENT)
}

/// Reads a document's body as SQLite has it (`None`: no such row).
pub(super) type Reload<'a> = dyn FnMut(&str, &str, &str) -> Option<Value> + 'a;

#[derive(Default)]
pub(super) struct Docs {
    /// tenant → scope → kind → documents. Scope before kind because `delete_scope` drops every
    /// kind of one scope at once.
    tenants: HashMap<Tenant, HashMap<String, Kinds>>,
}

impl Docs {
    pub fn collection(&self, tenant: &Tenant, kind: &str, scope: &str) -> Option<&Collection> {
        self.tenants.get(tenant)?.get(scope)?.get(kind)
    }

    pub fn get(&self, tenant: &Tenant, kind: &str, scope: &str, id: &str) -> Option<&Entry> {
        self.collection(tenant, kind, scope)?.by_id.get(id)
    }

    pub fn get_mut(
        &mut self,
        tenant: &Tenant,
        kind: &str,
        scope: &str,
        id: &str,
    ) -> Option<&mut Entry> {
        self.tenants
            .get_mut(tenant)?
            .get_mut(scope)?
            .get_mut(kind)?
            .by_id
            .get_mut(id)
    }

    /// Give a lent document its body back as SQLite has it (no row: the document goes).
    pub fn reload(
        &mut self,
        tenant: &Tenant,
        kind: &str,
        scope: &str,
        id: &str,
        from: &mut Reload<'_>,
    ) {
        match from(kind, scope, id) {
            Some(body) => {
                if let Some(e) = self.get_mut(tenant, kind, scope, id) {
                    e.body = Arc::new(body);
                }
            }
            None => {
                self.remove(tenant, kind, scope, id);
            }
        }
    }

    /// Store `entry`, handing back what it replaced.
    pub fn insert(
        &mut self,
        tenant: &Tenant,
        kind: &str,
        scope: &str,
        id: &str,
        entry: Entry,
    ) -> Option<Entry> {
        let scopes = match self.tenants.get_mut(tenant) {
            Some(s) => s,
            None => self.tenants.entry(tenant.clone()).or_default(),
        };
        let kinds = match scopes.get_mut(scope) {
            Some(k) => k,
            None => scopes.entry(scope.to_string()).or_default(),
        };
        let coll = match kinds.get_mut(kind) {
            Some(c) => c,
            None => kinds.entry(kind.to_string()).or_default(),
        };
        coll.insert(id, entry)
    }

    /// Remove a document, handing it back. Emptied maps are dropped so deleted APIs and tenants
    /// leave nothing behind.
    pub fn remove(&mut self, tenant: &Tenant, kind: &str, scope: &str, id: &str) -> Option<Entry> {
        let scopes = self.tenants.get_mut(tenant)?;
        let kinds = scopes.get_mut(scope)?;
        let coll = kinds.get_mut(kind)?;
        let prev = coll.remove(id);
        if coll.is_empty() {
            kinds.remove(kind);
            if kinds.is_empty() {
                scopes.remove(scope);
                if scopes.is_empty() {
                    self.tenants.remove(tenant);
                }
            }
        }
        prev
    }

    /// The kinds present in a scope.
    pub fn kinds_in(&self, tenant: &Tenant, scope: &str) -> Vec<String> {
        self.tenants
            .get(tenant)
            .and_then(|s| s.get(scope))
            .map(|k| k.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Detach a whole scope (every kind), handing it back.
    pub fn take_scope(&mut self, tenant: &Tenant, scope: &str) -> Kinds {
        let Some(scopes) = self.tenants.get_mut(tenant) else {
            return Kinds::new();
        };
        let taken = scopes.remove(scope).unwrap_or_default();
        if scopes.is_empty() {
            self.tenants.remove(tenant);
        }
        taken
    }

    /// Put a scope detached by [`Docs::take_scope`] back, replacing whatever is there.
    pub fn restore_scope(&mut self, tenant: &Tenant, scope: &str, kinds: Kinds) {
        if kinds.is_empty() {
            if let Some(scopes) = self.tenants.get_mut(tenant) {
                scopes.remove(scope);
                if scopes.is_empty() {
                    self.tenants.remove(tenant);
                }
            }
            return;
        }
        self.tenants
            .entry(tenant.clone())
            .or_default()
            .insert(scope.to_string(), kinds);
    }

    /// Take back a transaction's edits, newest first.
    pub fn undo(&mut self, tenant: &Tenant, log: Vec<Undo>, reload: &mut Reload<'_>) {
        for u in log.into_iter().rev() {
            match u {
                Undo::Doc {
                    kind,
                    scope,
                    id,
                    prev,
                } => match prev {
                    Some(e) => {
                        self.insert(tenant, &kind, &scope, &id, e);
                    }
                    None => {
                        self.remove(tenant, &kind, &scope, &id);
                    }
                },
                Undo::Scope { scope, prev } => self.restore_scope(tenant, &scope, prev),
                Undo::Lent { kind, scope, id } => self.reload(tenant, &kind, &scope, &id, reload),
            }
        }
    }

    /// Every document of one kind across tenants, in sequence order.
    pub fn scan(&self, kind: &str) -> Vec<(&Tenant, &str, &str, &Entry)> {
        let mut out = Vec::new();
        for (tenant, scopes) in &self.tenants {
            for (scope, kinds) in scopes {
                if let Some(coll) = kinds.get(kind) {
                    for (id, e) in coll.after(0) {
                        out.push((tenant, scope.as_str(), id, e));
                    }
                }
            }
        }
        out.sort_unstable_by_key(|(_, _, _, e)| e.seq);
        out
    }

    /// Every tenant with at least one document.
    pub fn tenants(&self) -> impl Iterator<Item = &Tenant> {
        self.tenants.keys()
    }

    pub fn clear(&mut self) {
        self.tenants.clear();
    }
}
