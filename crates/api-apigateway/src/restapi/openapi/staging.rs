//! A scratch copy of one tenant's documents in which an import runs the room's own handlers.
//!
//! OpenAPI import is a long list of management calls (CreateRestApi, CreateModel,
//! CreateResource, PutMethod, PutIntegration, ...), each with AWS's validation. Rather than
//! repeat that validation, the importer drives the real handlers against a [`Staging`] store:
//! it reads through to the real store (the first touch of a `(kind, scope)` copies that list
//! in), keeps every write in memory, and [`Staging::commit`] then writes what changed in one
//! transaction of the real store. A document that fails anywhere therefore changes nothing,
//! as AWS promises ("the new API definition is discarded and no change is made to the existing
//! API").
//!
//! Decision: the copy is not locked against concurrent writers of the same API; a management
//! call that changes the imported API while its import runs may be overwritten by the import.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use portico_store::{
    Change, Doc, SharedDoc, Store, StoreError, Tenant, Topic, Txn, UsageIncrement, UsageRow,
};
use serde_json::Value;
use tokio::sync::broadcast;

type Key = (String, String);

/// One `(kind, scope)` list: documents in sequence order, and whether the import wrote them.
#[derive(Default)]
struct List {
    docs: Vec<Entry>,
    /// Ids the base store holds that the import deleted.
    deleted: Vec<String>,
    /// Where each id is in `docs` (an import puts thousands of documents into lists of
    /// thousands; deletes, which shift positions, are rare and rebuild it).
    index: HashMap<String, usize>,
}

impl List {
    fn position(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    fn reindex(&mut self) {
        self.index = self
            .docs
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
    }
}

/// A document; its body is shared, so that handlers listing a scope (every CreateResource
/// looks at all resources) copy pointers, not documents.
#[derive(Clone)]
struct Entry {
    seq: i64,
    id: String,
    body: Arc<Value>,
    dirty: bool,
}

/// How to undo one write of a failed transaction.
enum Undo {
    /// A put replaced this entry (at this index).
    Replaced(Key, usize, Entry),
    /// A put appended an entry.
    Appended(Key),
    /// A delete removed this entry (at this index); `listed` if it went to `deleted`.
    Removed(Key, usize, Entry, bool),
}

#[derive(Default)]
struct State {
    lists: HashMap<Key, List>,
    /// The lists in the order they were first touched (the commit's order).
    order: Vec<Key>,
    next_seq: i64,
}

/// Sequence numbers of documents the import creates start here, after every base document.
const NEW_SEQ: i64 = i64::MAX / 2;

pub struct Staging {
    base: Arc<dyn Store>,
    tenant: Tenant,
    state: Mutex<State>,
    changes: broadcast::Sender<Change>,
}

impl Staging {
    pub fn new(base: Arc<dyn Store>, tenant: Tenant) -> Staging {
        Staging {
            base,
            tenant,
            state: Mutex::new(State {
                next_seq: NEW_SEQ,
                ..State::default()
            }),
            changes: broadcast::channel(1).0,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Write every document the import changed into `txn` (the real store's), in the order
    /// the import created them.
    pub fn commit(&self, txn: &mut dyn Txn) -> Result<(), StoreError> {
        let state = self.lock();
        for key in &state.order {
            let list = &state.lists[key];
            for id in &list.deleted {
                txn.delete(&key.0, &key.1, id)?;
            }
            for e in list.docs.iter().filter(|e| e.dirty) {
                txn.put(&key.0, &key.1, &e.id, &e.body)?;
            }
        }
        Ok(())
    }
}

/// A transaction over the staged state. Writes are undone if the closure fails, so a handler
/// that fails leaves the staged state as it found it.
struct StagedTxn<'a> {
    staging: &'a Staging,
    state: MutexGuard<'a, State>,
    undo: Vec<Undo>,
    failed: Option<StoreError>,
}

impl StagedTxn<'_> {
    fn list_mut(&mut self, kind: &str, scope: &str) -> Result<&mut List, StoreError> {
        let key = (kind.to_string(), scope.to_string());
        if !self.state.lists.contains_key(&key) {
            let docs = portico_store::read(&*self.staging.base, &self.staging.tenant, |t| {
                t.list_shared(kind, scope, 0, usize::MAX)
            })?;
            let mut list = List {
                docs: docs
                    .into_iter()
                    .map(|d| Entry {
                        seq: d.seq,
                        id: d.id,
                        body: d.body,
                        dirty: false,
                    })
                    .collect(),
                ..List::default()
            };
            list.reindex();
            self.state.lists.insert(key.clone(), list);
            self.state.order.push(key.clone());
        }
        Ok(self.state.lists.get_mut(&key).expect("inserted above"))
    }

    fn rollback(&mut self) {
        while let Some(u) = self.undo.pop() {
            match u {
                Undo::Replaced(key, at, entry) => {
                    if let Some(l) = self.state.lists.get_mut(&key) {
                        l.docs[at] = entry;
                    }
                }
                Undo::Appended(key) => {
                    if let Some(l) = self.state.lists.get_mut(&key) {
                        if let Some(e) = l.docs.pop() {
                            l.index.remove(&e.id);
                        }
                    }
                }
                Undo::Removed(key, at, entry, listed) => {
                    if let Some(l) = self.state.lists.get_mut(&key) {
                        l.docs.insert(at, entry);
                        if listed {
                            l.deleted.pop();
                        }
                        l.reindex();
                    }
                }
            }
        }
    }
}

impl Txn for StagedTxn<'_> {
    fn get(&mut self, kind: &str, scope: &str, id: &str) -> Result<Option<Value>, StoreError> {
        Ok(self.get_shared(kind, scope, id)?.map(|v| Value::clone(&v)))
    }

    fn get_shared(
        &mut self,
        kind: &str,
        scope: &str,
        id: &str,
    ) -> Result<Option<Arc<Value>>, StoreError> {
        let list = self.list_mut(kind, scope)?;
        Ok(list.position(id).map(|at| list.docs[at].body.clone()))
    }

    fn put(&mut self, kind: &str, scope: &str, id: &str, body: &Value) -> Result<(), StoreError> {
        self.put_owned(kind, scope, id, body.clone())
    }

    fn put_owned(
        &mut self,
        kind: &str,
        scope: &str,
        id: &str,
        body: Value,
    ) -> Result<(), StoreError> {
        let key = (kind.to_string(), scope.to_string());
        let seq = self.state.next_seq;
        let list = self.list_mut(kind, scope)?;
        let undo = match list.position(id) {
            Some(at) => {
                let old = std::mem::replace(
                    &mut list.docs[at],
                    Entry {
                        seq: 0,
                        id: id.to_string(),
                        body: Arc::new(body),
                        dirty: true,
                    },
                );
                list.docs[at].seq = old.seq;
                Undo::Replaced(key, at, old)
            }
            None => {
                list.index.insert(id.to_string(), list.docs.len());
                list.docs.push(Entry {
                    seq,
                    id: id.to_string(),
                    body: Arc::new(body),
                    dirty: true,
                });
                self.state.next_seq += 1;
                Undo::Appended(key)
            }
        };
        self.undo.push(undo);
        Ok(())
    }

    fn delete(&mut self, kind: &str, scope: &str, id: &str) -> Result<bool, StoreError> {
        let key = (kind.to_string(), scope.to_string());
        let list = self.list_mut(kind, scope)?;
        let Some(at) = list.position(id) else {
            return Ok(false);
        };
        let gone = list.docs.remove(at);
        list.reindex();
        let listed = gone.seq < NEW_SEQ;
        if listed {
            list.deleted.push(gone.id.clone());
        }
        self.undo.push(Undo::Removed(key, at, gone, listed));
        Ok(true)
    }

    fn list(
        &mut self,
        kind: &str,
        scope: &str,
        after_seq: i64,
        limit: usize,
    ) -> Result<Vec<Doc>, StoreError> {
        Ok(self
            .list_shared(kind, scope, after_seq, limit)?
            .into_iter()
            .map(|d| Doc {
                seq: d.seq,
                id: d.id,
                body: Value::clone(&d.body),
            })
            .collect())
    }

    fn list_shared(
        &mut self,
        kind: &str,
        scope: &str,
        after_seq: i64,
        limit: usize,
    ) -> Result<Vec<SharedDoc>, StoreError> {
        let list = self.list_mut(kind, scope)?;
        Ok(list
            .docs
            .iter()
            .filter(|e| e.seq > after_seq)
            .take(limit)
            .map(|e| SharedDoc {
                seq: e.seq,
                id: e.id.clone(),
                body: e.body.clone(),
            })
            .collect())
    }

    fn delete_scope(&mut self, _: &str) -> Result<(), StoreError> {
        // The importer never deletes a whole API; DeleteRestApi is not one of its calls.
        self.failed = Some(StoreError::misuse("delete_scope while importing"));
        Err(StoreError::misuse("delete_scope while importing"))
    }
}

fn unavailable() -> StoreError {
    StoreError::misuse("not available while importing an OpenAPI document")
}

impl Store for Staging {
    fn waits_on_network(&self) -> bool {
        false
    }

    fn transact(
        &self,
        _tenant: &Tenant,
        _write: bool,
        f: &mut dyn FnMut(&mut dyn Txn) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut txn = StagedTxn {
            staging: self,
            state: self.lock(),
            undo: Vec::new(),
            failed: None,
        };
        let out = f(&mut txn);
        if out.is_err() {
            txn.rollback();
        }
        match txn.failed.take() {
            Some(e) => Err(e),
            None => out,
        }
    }

    fn scan(&self, _: &str) -> Result<Vec<(Tenant, String, Doc)>, StoreError> {
        Err(unavailable())
    }

    fn wipe(&self) -> Result<(), StoreError> {
        Err(unavailable())
    }

    fn subscribe(&self, _: Topic) -> broadcast::Receiver<Change> {
        self.changes.subscribe()
    }

    fn add_usage(&self, _: &[UsageIncrement]) -> Result<(), StoreError> {
        Err(unavailable())
    }

    fn usage(
        &self,
        _: &Tenant,
        _: &str,
        _: Option<&str>,
        _: &str,
        _: &str,
    ) -> Result<Vec<UsageRow>, StoreError> {
        Err(unavailable())
    }

    fn set_quota_adjustment(
        &self,
        _: &Tenant,
        _: &str,
        _: &str,
        _: &str,
        _: i64,
    ) -> Result<(), StoreError> {
        Err(unavailable())
    }

    fn quota_adjustments(
        &self,
        _: &Tenant,
        _: &str,
        _: Option<&str>,
    ) -> Result<Vec<(String, String, i64)>, StoreError> {
        Err(unavailable())
    }

    fn delete_usage(&self, _: &Tenant, _: &str, _: Option<&str>) -> Result<(), StoreError> {
        Err(unavailable())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_store::SqliteStore;
    use serde_json::json;

    #[test]
    fn failed_transactions_roll_back_and_commit_writes_only_changes() {
        let dir = tempfile::tempdir().unwrap();
        let base: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).unwrap());
        let tenant = Tenant::aws("111111111111", "us-east-1");
        portico_store::write(&*base, &tenant, |t| {
            t.put("k", "s", "old", &json!({"v": 1}))?;
            t.put("k", "s", "gone", &json!({"v": 2}))
        })
        .unwrap();
        let staging = Staging::new(base.clone(), tenant.clone());
        portico_store::write(&staging, &tenant, |t| {
            t.put("k", "s", "new", &json!({"v": 3}))?;
            t.delete("k", "s", "gone").map(|_| ())
        })
        .unwrap();
        // A failing transaction leaves nothing behind: not its put, delete nor replacement.
        let failed: Result<(), StoreError> = portico_store::write(&staging, &tenant, |t| {
            t.put("k", "s", "old", &json!({"v": 9}))?;
            t.put("k", "s", "extra", &json!({}))?;
            t.delete("k", "s", "new")?;
            Err(StoreError::Aborted)
        });
        assert!(failed.is_err());
        let ids = |store: &dyn Store| {
            portico_store::read(store, &tenant, |t| t.list("k", "s", 0, usize::MAX))
                .unwrap()
                .into_iter()
                .map(|d| (d.id, d.body["v"].clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ids(&staging),
            vec![("old".into(), json!(1)), ("new".into(), json!(3))]
        );
        // Nothing reached the real store until the commit.
        assert_eq!(ids(&*base).len(), 2);
        portico_store::write(&*base, &tenant, |t| staging.commit(t)).unwrap();
        assert_eq!(ids(&*base), ids(&staging));
    }
}
