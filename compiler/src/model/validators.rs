//! Validators of payload schemas, compiled once per model: the checks
//! (examples, upcast results) and `evc verify` judge payloads against the
//! same schemas, and compiling is most of what judging costs.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use super::json::{bundle, validator};
use super::schema::{SchemaId, TypeSpace};

type Entry = Result<Arc<jsonschema::Validator>, String>;

/// The validators compiled so far, by schema; kept in the [`super::Model`]
/// whose schemas they check.
#[derive(Default)]
pub struct Compiled(Mutex<HashMap<SchemaId, Entry>>);

impl Compiled {
    /// A poisoned lock still holds whole entries: each is inserted at once.
    fn lock(&self) -> MutexGuard<'_, HashMap<SchemaId, Entry>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Clone for Compiled {
    fn clone(&self) -> Self {
        Compiled(Mutex::new(self.lock().clone()))
    }
}

impl fmt::Debug for Compiled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Compiled")
            .field("schemas", &self.lock().len())
            .finish()
    }
}

/// The validators of one model's schemas.
#[derive(Clone, Copy)]
pub struct Validators<'m> {
    pub(super) types: &'m TypeSpace,
    pub(super) compiled: &'m Compiled,
}

impl Validators<'_> {
    /// The validator of the schema `id`, or why its bundle does not compile.
    pub fn get(&self, id: SchemaId) -> Result<Arc<jsonschema::Validator>, String> {
        if let Some(found) = self.compiled.lock().get(&id) {
            return found.clone();
        }
        // Compiled outside the lock: a large schema takes a while.
        let compiled = validator(&bundle(self.types, id))
            .map(Arc::new)
            .map_err(|e| e.to_string());
        self.compiled.lock().insert(id, compiled.clone());
        compiled
    }
}
