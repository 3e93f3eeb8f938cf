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

use portico_store::{Change, Doc, Store, StoreError, Tenant, Topic, Txn, UsageIncrement, UsageRow};
use serde_json::Value;
use tokio::sync::broadcast;

type Key = (String, String);

/// One `(kind, scope)` list: documents in sequence order, and whether the import wrote them.
#[derive(Default, Clone)]
struct List {
    docs: Vec<Entry>,
    /// Ids the base store holds that the import deleted.
    deleted: Vec<String>,
}

#[derive(Clone)]
struct Entry {
    seq: i64,
    id: String,
    body: Value,
    dirty: bool,
}

#[derive(Default)]
struct State {
    lists: HashMap<Key, List>,
    /// The lists in the order they were first touched (the commit's order).
    order: Vec<Key>,
    next_seq: i64,
}

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
            // New documents sort after every document of the base store.
            state: Mutex::new(State {
                next_seq: i64::MAX / 2,
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
    undo: Vec<(Key, List)>,
    failed: Option<StoreError>,
}

impl StagedTxn<'_> {
    fn list_mut(&mut self, kind: &str, scope: &str) -> Result<&mut List, StoreError> {
        let key = (kind.to_string(), scope.to_string());
        if !self.state.lists.contains_key(&key) {
            let docs = portico_store::read(&*self.staging.base, &self.staging.tenant, |t| {
                t.list(kind, scope, 0, usize::MAX)
            })?;
            let list = List {
                docs: docs
                    .into_iter()
                    .map(|d| Entry {
                        seq: d.seq,
                        id: d.id,
                        body: d.body,
                        dirty: false,
                    })
                    .collect(),
                deleted: Vec::new(),
            };
            self.state.lists.insert(key.clone(), list);
            self.state.order.push(key.clone());
        }
        Ok(self.state.lists.get_mut(&key).expect("inserted above"))
    }

    /// Remember how a list looked before this transaction first wrote it.
    fn save_undo(&mut self, kind: &str, scope: &str) -> Result<(), StoreError> {
        let key = (kind.to_string(), scope.to_string());
        if !self.undo.iter().any(|(k, _)| k == &key) {
            let before = self.list_mut(kind, scope)?.clone();
            self.undo.push((key, before));
        }
        Ok(())
    }
}

impl Txn for StagedTxn<'_> {
    fn get(&mut self, kind: &str, scope: &str, id: &str) -> Result<Option<Value>, StoreError> {
        let list = self.list_mut(kind, scope)?;
        Ok(list
            .docs
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.body.clone()))
    }

    fn put(&mut self, kind: &str, scope: &str, id: &str, body: &Value) -> Result<(), StoreError> {
        self.save_undo(kind, scope)?;
        let seq = self.state.next_seq;
        let list = self.list_mut(kind, scope)?;
        match list.docs.iter_mut().find(|e| e.id == id) {
            Some(e) => {
                e.body = body.clone();
                e.dirty = true;
            }
            None => {
                list.docs.push(Entry {
                    seq,
                    id: id.to_string(),
                    body: body.clone(),
                    dirty: true,
                });
                self.state.next_seq += 1;
            }
        }
        Ok(())
    }

    fn delete(&mut self, kind: &str, scope: &str, id: &str) -> Result<bool, StoreError> {
        self.save_undo(kind, scope)?;
        let list = self.list_mut(kind, scope)?;
        let Some(at) = list.docs.iter().position(|e| e.id == id) else {
            return Ok(false);
        };
        let gone = list.docs.remove(at);
        if gone.seq < i64::MAX / 2 {
            list.deleted.push(gone.id);
        }
        Ok(true)
    }

    fn list(
        &mut self,
        kind: &str,
        scope: &str,
        after_seq: i64,
        limit: usize,
    ) -> Result<Vec<Doc>, StoreError> {
        let list = self.list_mut(kind, scope)?;
        Ok(list
            .docs
            .iter()
            .filter(|e| e.seq > after_seq)
            .take(limit)
            .map(|e| Doc {
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
            let undo = std::mem::take(&mut txn.undo);
            for (key, before) in undo {
                txn.state.lists.insert(key, before);
            }
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
