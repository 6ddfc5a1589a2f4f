//! Rows and table definitions on top of pages: heap chains per table, the catalog chain from
//! page 0, and the in-memory key index derived from them.
//!
//! [`Store`] works copy-on-write: it reads the durable pages of a database through an
//! [`Overlay`] that holds the pages a transaction has changed (and new ones). Nothing here is
//! durable until a commit turns the overlay into page changes. This module knows nothing of
//! SQL text, sessions or replication.

use super::catalog::{Catalog, RowLocation, TableDef, TableSchema};
use super::codec::{
    decode_key, decode_row, decode_table_def, decode_table_def_after, encode_row, encode_table_def,
};
use super::error::{ErrorKind, SqlError};
use super::page::{FormatVersion, Page, PageKind};
use super::page_list::PageList;
use super::shared_map::SharedMap;
use super::small_map::SmallMap;
use super::value::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Primary key to tuple location, for one table; its clones share unchanged leaves (see
/// [`SharedMap`]).
pub type KeyIndex = SharedMap<Value, RowLocation>;

/// The pages a change touched, in page order, each with its contents before (`None`: the page
/// is new). A sorted slice rather than a map: a map type of its own costs its own copy of the
/// map code in the wasm binary.
pub type Changed<'a> = [(u32, Option<&'a Page>)];

/// Whether page `n` is in `changed`, and if so what it was before.
fn changed_before<'a>(changed: &Changed<'a>, n: u32) -> Option<Option<&'a Page>> {
    let i = changed.binary_search_by_key(&n, |&(m, _)| m).ok()?;
    Some(changed[i].1)
}

/// The most pages a lab database may have (16 MiB of 256-byte pages).
pub const MAX_PAGES: u32 = 65_536;
/// The most tables (V16 stores a table id in 16 bits).
pub const MAX_TABLES: u32 = 1_000;

/// Pages per chunk of the free-space map: a chunk is copied whole when one of its pages
/// changes while a clone still shares it.
const FREE_CHUNK: usize = 256;

/// The free-space map: how long a tuple each heap page can take ([`Page::room`]), so placing
/// a row finds the first page of its table with room without reading the table's pages.
///
/// Per page number, the owning table and its room (room 0: not a heap page, or full), in
/// chunks of [`FREE_CHUNK`] pages shared between clones, plus the largest room in each chunk,
/// so a search skips whole chunks that cannot take the tuple. A table's heap chain is in
/// page-number order (pages are only ever appended to a chain, and page numbers only grow),
/// so "the first page of the chain with room" is the lowest-numbered page of the table with
/// room: the map gives the same page the chain walk gave, and the pages stay byte for byte
/// what they were. Derived state like the key index: [`load`] builds it from pages, commits
/// and replays keep it up to date, and `check_invariants` compares it with a rebuild. Kept
/// non-generic on purpose: it is small in the wasm binary.
#[derive(Clone, Debug, Default)]
pub struct FreeSpace {
    /// (table, room) per page, [`FREE_CHUNK`] pages a chunk.
    chunks: Vec<Arc<[(u32, u16); FREE_CHUNK]>>,
    /// The largest room in each chunk.
    max_room: Vec<u16>,
}

impl PartialEq for FreeSpace {
    /// Equal when every page has the same entry (chunks past the end read as empty).
    fn eq(&self, other: &FreeSpace) -> bool {
        let n = self.chunks.len().max(other.chunks.len());
        (0..n).all(|i| {
            let a = self.chunks.get(i);
            let b = other.chunks.get(i);
            let empty = |c: &Arc<[(u32, u16); FREE_CHUNK]>| c.iter().all(|&(_, r)| r == 0);
            match (a, b) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b) || a == b,
                (Some(c), None) | (None, Some(c)) => empty(c),
                (None, None) => true,
            }
        }) && (0..n).all(|i| {
            self.max_room.get(i).copied().unwrap_or(0)
                == other.max_room.get(i).copied().unwrap_or(0)
        })
    }
}

impl Eq for FreeSpace {}

impl FreeSpace {
    /// Records page `n` as it is now (`None`: it does not exist).
    pub fn set(&mut self, n: u32, page: Option<&Page>) {
        let new = page
            .filter(|p| p.kind() == Some(PageKind::Heap))
            .map(|p| (p.table(), u16::try_from(p.room()).unwrap_or(u16::MAX)))
            .filter(|&(_, room)| room > 0)
            .unwrap_or((0, 0));
        let (c, i) = (n as usize / FREE_CHUNK, n as usize % FREE_CHUNK);
        if c >= self.chunks.len() {
            if new.1 == 0 {
                return;
            }
            self.chunks.resize(c + 1, Arc::new([(0, 0); FREE_CHUNK]));
            self.max_room.resize(c + 1, 0);
        }
        if self.chunks[c][i] == new {
            return;
        }
        let chunk = Arc::make_mut(&mut self.chunks[c]);
        chunk[i] = new;
        self.max_room[c] = chunk.iter().map(|&(_, r)| r).max().unwrap_or(0);
    }

    /// The lowest-numbered page of `table` that can take a tuple of `len` bytes. Skips the
    /// chunks whose largest room is too small, and reads the others entry by entry.
    pub fn first_fit(&self, table: u32, len: usize) -> Option<u32> {
        let len = u16::try_from(len.max(1)).ok()?;
        for (c, chunk) in self.chunks.iter().enumerate() {
            if self.max_room[c] < len {
                continue;
            }
            if let Some(i) = chunk.iter().position(|&(t, r)| t == table && r >= len) {
                return Some((c * FREE_CHUNK + i) as u32);
            }
        }
        None
    }

    /// Built from all pages.
    pub fn build(pages: &PageList) -> FreeSpace {
        let mut free = FreeSpace::default();
        for (n, p) in pages.iter().enumerate() {
            free.set(n as u32, Some(p));
        }
        free
    }
}

/// State derived from pages: catalog and key indexes.
///
/// Both parts sit behind [`Arc`]s so that a statement's [`Overlay`] can start from the durable
/// state without copying it: the catalog is copied on its first change in a statement, and
/// index changes are kept as a delta (see [`Overlay`]) that a commit merges in place.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Derived {
    pub catalog: Arc<Catalog>,
    pub indexes: BTreeMap<u32, Arc<KeyIndex>>,
    pub free: Arc<FreeSpace>,
}

/// A transaction's (or statement's) private view: changed pages and derived state.
///
/// The key indexes are the durable ones (shared, never written here) plus `index_changes`:
/// per table, keys that were (re)located (`Some`) or removed (`None`) by this transaction.
#[derive(Clone, Debug)]
pub struct Overlay {
    pub pages: BTreeMap<u32, Page>,
    pub page_count: u32,
    pub catalog: Arc<Catalog>,
    pub base_indexes: BTreeMap<u32, Arc<KeyIndex>>,
    pub index_changes: BTreeMap<u32, BTreeMap<Value, Option<RowLocation>>>,
    /// The free-space map as of the pages in `dirty` before they changed (copied from the
    /// durable one on the first write that needs it).
    pub free: Arc<FreeSpace>,
    /// Pages changed (or allocated) since `free` was last brought up to date.
    pub dirty: BTreeSet<u32>,
    /// Inside a transaction: how to undo the running statement (see
    /// [`Overlay::begin_statement`]).
    undo: Option<Box<Undo>>,
}

/// What a statement changed in a transaction's overlay, as it was before: enough to put the
/// overlay back if the statement fails or must wait, at a cost that grows with the
/// statement, not with the transaction (copying the whole overlay did).
#[derive(Clone, Debug)]
struct Undo {
    /// Pages the statement changed as the overlay held them (`None`: not in the overlay),
    /// oldest first; undone newest first, so a page changed twice ends as it first was.
    /// Logs rather than maps on purpose: they add little to the wasm binary.
    pages: Vec<(u32, Option<Page>)>,
    page_count: u32,
    catalog: Arc<Catalog>,
    base_indexes: BTreeMap<u32, Arc<KeyIndex>>,
    /// Index changes the statement overwrote, oldest first (undone newest first).
    index: Vec<IndexUndo>,
}

/// One index change a statement made, as it was before.
#[derive(Clone, Debug)]
enum IndexUndo {
    /// A key's entry in a table's index changes (`None`: it had none).
    Key(u32, Value, Option<Option<RowLocation>>),
    /// A table's whole index-change map, replaced by CREATE TABLE (empty if it had none).
    Table(u32, BTreeMap<Value, Option<RowLocation>>),
}

impl Overlay {
    pub fn new(base_pages: u32, derived: &Derived) -> Overlay {
        Overlay {
            pages: BTreeMap::new(),
            page_count: base_pages,
            catalog: Arc::clone(&derived.catalog),
            base_indexes: derived.indexes.clone(),
            index_changes: BTreeMap::new(),
            free: Arc::clone(&derived.free),
            dirty: BTreeSet::new(),
            undo: None,
        }
    }

    /// Starts recording what the next statement changes, so that
    /// [`Overlay::rollback_statement`] can undo it.
    pub fn begin_statement(&mut self) {
        self.undo = Some(Box::new(Undo {
            pages: Vec::new(),
            page_count: self.page_count,
            catalog: Arc::clone(&self.catalog),
            base_indexes: self.base_indexes.clone(),
            index: Vec::new(),
        }));
    }

    /// The statement's changes stay.
    pub fn end_statement(&mut self) {
        self.undo = None;
    }

    /// Puts the overlay back as it was at [`Overlay::begin_statement`] (nothing if no
    /// statement was begun); `base` holds the pages the overlay does not.
    ///
    /// Nothing is removed from a map, on purpose: `BTreeMap::remove` is sizeable code in the
    /// wasm binary for each map type. What the overlay did not hold is put back as the base
    /// has it instead, which reads and commits the same: a page equal to its base page is
    /// no change ([`Overlay::live_pages`] skips pages past `page_count`), a key's entry equal
    /// to the base index changes nothing, and the index changes of a table that no longer
    /// exists are ignored.
    pub fn rollback_statement(&mut self, base: &PageList) {
        let Some(undo) = self.undo.take() else {
            return;
        };
        let undo = *undo;
        self.page_count = undo.page_count;
        for (n, before) in undo.pages.into_iter().rev() {
            let before = before.or_else(|| base.get(n as usize).map(|p| Page::clone(p)));
            // A page the statement allocated stays, unreachable past `page_count`, until a
            // later allocation of its number overwrites it.
            if let Some(page) = before {
                self.pages.insert(n, page);
            }
            // The free-space map is brought back from the pages themselves.
            self.dirty.insert(n);
        }
        self.catalog = undo.catalog;
        self.base_indexes = undo.base_indexes;
        for entry in undo.index.into_iter().rev() {
            match entry {
                IndexUndo::Key(id, key, before) => {
                    let before = before.unwrap_or_else(|| {
                        self.base_indexes
                            .get(&id)
                            .and_then(|index| index.get(&key))
                            .copied()
                    });
                    if let Some(changes) = self.index_changes.get_mut(&id) {
                        changes.insert(key, before);
                    }
                }
                IndexUndo::Table(id, changes) => {
                    self.index_changes.insert(id, changes);
                }
            }
        }
    }

    /// The pages this overlay changed or added, in page order: those it holds below
    /// `page_count` (a rolled-back statement can leave one past it).
    pub fn live_pages(&self) -> impl Iterator<Item = (&u32, &Page)> {
        self.pages.range(..self.page_count)
    }

    /// Brings the free-space map up to date with the pages changed since it last was;
    /// `base` holds the pages the overlay does not.
    fn sync_free(&mut self, base: &PageList) {
        if self.dirty.is_empty() {
            return;
        }
        let free = Arc::make_mut(&mut self.free);
        for n in std::mem::take(&mut self.dirty) {
            let page = if n < self.page_count {
                self.pages
                    .get(&n)
                    .or_else(|| base.get(n as usize).map(|p| &**p))
            } else {
                None
            };
            free.set(n, page);
        }
    }

    /// The derived state after this overlay: the index changes merged into the base indexes.
    /// Merging copies a table's index only if something else still shares it (a clone of the
    /// database, or another session's open transaction); the caller drops its own references
    /// first.
    pub fn into_derived(mut self, base: &PageList) -> Derived {
        self.sync_free(base);
        let mut indexes = self.base_indexes;
        for (id, changes) in self.index_changes {
            // Left by a rolled-back CREATE TABLE (see `rollback_statement`).
            if !self.catalog.tables.contains_key(&id) {
                continue;
            }
            let index = Arc::make_mut(indexes.entry(id).or_default());
            for (key, loc) in changes {
                match loc {
                    Some(loc) => {
                        index.insert(key, loc);
                    }
                    None => {
                        index.remove(&key);
                    }
                }
            }
        }
        Derived {
            catalog: self.catalog,
            indexes,
            free: self.free,
        }
    }
}

/// Reads through an overlay to the durable pages; writes go to the overlay.
pub struct Store<'a> {
    pub base: &'a PageList,
    pub format: FormatVersion,
    pub overlay: &'a mut Overlay,
}

fn corrupt(what: String) -> SqlError {
    SqlError::new(ErrorKind::Corruption, what)
}

impl Store<'_> {
    pub fn page(&self, n: u32) -> Result<&Page, SqlError> {
        self.held(n)
            .or_else(|| self.base.get(n as usize).map(|p| &**p))
            .ok_or_else(|| corrupt(format!("page {n} does not exist")))
    }

    /// The overlay's copy of page `n`, if it holds one (not one a rolled-back statement left
    /// past `page_count`).
    fn held(&self, n: u32) -> Option<&Page> {
        self.overlay
            .pages
            .get(&n)
            .filter(|_| n < self.overlay.page_count)
    }

    fn page_mut(&mut self, n: u32) -> Result<&mut Page, SqlError> {
        let held = self.held(n).is_some();
        if let Some(undo) = &mut self.overlay.undo {
            // Consecutive writes to one page are recorded once (undoing newest first makes
            // any repeat harmless too).
            if undo.pages.last().map(|&(last, _)| last) != Some(n) {
                let before = held.then(|| self.overlay.pages.get(&n).cloned()).flatten();
                undo.pages.push((n, before));
            }
        }
        if !held {
            let p = self.page(n)?.clone();
            self.overlay.pages.insert(n, p);
        }
        self.overlay.dirty.insert(n);
        self.overlay
            .pages
            .get_mut(&n)
            .ok_or_else(|| corrupt(format!("page {n} does not exist")))
    }

    fn allocate(&mut self, kind: PageKind, table: u32) -> Result<u32, SqlError> {
        let n = self.overlay.page_count;
        if n >= MAX_PAGES {
            return Err(SqlError::new(
                ErrorKind::TooLarge,
                format!("the database is full ({MAX_PAGES} pages)"),
            ));
        }
        self.overlay.page_count += 1;
        if let Some(undo) = &mut self.overlay.undo {
            undo.pages.push((n, None));
        }
        self.overlay.dirty.insert(n);
        self.overlay
            .pages
            .insert(n, Page::new(self.format, kind, table));
        Ok(n)
    }

    pub fn catalog(&self) -> &Catalog {
        &self.overlay.catalog
    }

    fn catalog_mut(&mut self) -> &mut Catalog {
        Arc::make_mut(&mut self.overlay.catalog)
    }

    pub fn table(&self, id: u32) -> Result<&TableDef, SqlError> {
        self.catalog()
            .tables
            .get(&id)
            .ok_or_else(|| corrupt(format!("table {id} vanished")))
    }

    /// Records in this transaction's index changes that the row with `key` is now at `loc`
    /// (`None`: gone), keeping what it overwrote for the statement's undo.
    fn set_index(&mut self, id: u32, key: Value, loc: Option<RowLocation>) {
        let overlay = &mut *self.overlay;
        let changes = overlay.index_changes.entry(id).or_default();
        let before = match &mut overlay.undo {
            Some(_) => changes.insert(key.clone(), loc),
            None => {
                changes.insert(key, loc);
                return;
            }
        };
        if let Some(undo) = &mut overlay.undo {
            undo.index.push(IndexUndo::Key(id, key, before));
        }
    }

    /// Every row of a table in physical order (chain order, then slot order): the order a
    /// statement without ORDER BY visits rows in, which differs between storage layouts.
    pub fn scan(&self, id: u32) -> Result<Vec<(RowLocation, Vec<Value>)>, SqlError> {
        let def = self.table(id)?;
        let mut rows = Vec::new();
        let mut next = Some(def.first_page);
        let mut seen = BTreeSet::new();
        while let Some(n) = next {
            if !seen.insert(n) {
                return Err(corrupt(format!("heap chain of {} loops", def.schema.name)));
            }
            let page = self.page(n)?;
            for (slot, t) in page.tuples() {
                let values = decode_row(self.format, &def.schema, t).map_err(corrupt)?;
                rows.push((RowLocation { page: n, slot }, values));
            }
            next = page.next_page();
        }
        Ok(rows)
    }

    pub fn read(&self, id: u32, loc: RowLocation) -> Result<Vec<Value>, SqlError> {
        let def = self.table(id)?;
        let t = self
            .page(loc.page)?
            .tuple(loc.slot)
            .ok_or_else(|| corrupt(format!("no tuple at page {} slot {}", loc.page, loc.slot)))?;
        decode_row(self.format, &def.schema, t).map_err(corrupt)
    }

    /// Where the row with `key` is: the transaction's own index changes first, then the
    /// durable index.
    pub fn lookup(&self, id: u32, key: &Value) -> Option<RowLocation> {
        if let Some(change) = self
            .overlay
            .index_changes
            .get(&id)
            .and_then(|changes| changes.get(key))
        {
            return *change;
        }
        self.overlay.base_indexes.get(&id)?.get(key).copied()
    }

    fn encode_checked(&self, def: &TableDef, values: &[Value]) -> Result<Vec<u8>, SqlError> {
        let bytes = encode_row(self.format, values);
        let max = self.format.max_tuple_size();
        if bytes.len() > max {
            return Err(SqlError::new(
                ErrorKind::TooLarge,
                format!(
                    "row is too large for a page in table \"{}\" ({} bytes, at most {max})",
                    def.schema.name,
                    bytes.len()
                ),
            ));
        }
        Ok(bytes)
    }

    fn duplicate(def: &TableDef, key: &Value) -> SqlError {
        SqlError::new(
            ErrorKind::DuplicateKey,
            format!(
                "duplicate key {} in table \"{}\"",
                key.to_sql(),
                def.schema.name
            ),
        )
    }

    /// Puts a tuple in the first page of the chain with room (found in the free-space map),
    /// or in a new page at the end.
    fn place(&mut self, id: u32, tuple: &[u8]) -> Result<RowLocation, SqlError> {
        self.overlay.sync_free(self.base);
        if let Some(n) = self.overlay.free.first_fit(id, tuple.len()) {
            let slot = self.page_mut(n)?.insert(tuple);
            let slot = slot.ok_or_else(|| corrupt(format!("page {n} lied about space")))?;
            return Ok(RowLocation { page: n, slot });
        }
        let last_page = self.table(id)?.last_page;
        let n = self.allocate(PageKind::Heap, id)?;
        self.page_mut(last_page)?.set_next_page(Some(n));
        if let Some(d) = self.catalog_mut().tables.get_mut(&id) {
            d.last_page = n;
        }
        self.write_table_def(id)?;
        let slot = self
            .page_mut(n)?
            .insert(tuple)
            .ok_or_else(|| corrupt("a fresh page cannot hold a row".into()))?;
        Ok(RowLocation { page: n, slot })
    }

    /// Stores a new row (already complete and type-checked).
    pub fn insert(&mut self, id: u32, values: &[Value]) -> Result<RowLocation, SqlError> {
        let def = self.table(id)?;
        let key = values[def.schema.primary_key].clone();
        if self.lookup(id, &key).is_some() {
            return Err(Self::duplicate(def, &key));
        }
        let tuple = self.encode_checked(def, values)?;
        let loc = self.place(id, &tuple)?;
        self.set_index(id, key, Some(loc));
        Ok(loc)
    }

    /// Removes the row with `key`; returns its values.
    pub fn delete(&mut self, id: u32, key: &Value) -> Result<Vec<Value>, SqlError> {
        let loc = self
            .lookup(id, key)
            .ok_or_else(|| corrupt(format!("key {} not in index", key.to_sql())))?;
        let old = self.read(id, loc)?;
        self.page_mut(loc.page)?.delete(loc.slot);
        self.set_index(id, key.clone(), None);
        Ok(old)
    }

    /// Replaces the row with `old_key` by `values` (whose key may differ).
    pub fn update(&mut self, id: u32, old_key: &Value, values: &[Value]) -> Result<(), SqlError> {
        let def = self.table(id)?;
        let new_key = values[def.schema.primary_key].clone();
        if &new_key != old_key && self.lookup(id, &new_key).is_some() {
            return Err(Self::duplicate(def, &new_key));
        }
        let tuple = self.encode_checked(def, values)?;
        let loc = self
            .lookup(id, old_key)
            .ok_or_else(|| corrupt(format!("key {} not in index", old_key.to_sql())))?;
        let new_loc = if self.page_mut(loc.page)?.replace(loc.slot, &tuple) {
            loc
        } else {
            // Does not fit in its page any more: move it.
            self.page_mut(loc.page)?.delete(loc.slot);
            self.place(id, &tuple)?
        };
        self.set_index(id, old_key.clone(), None);
        self.set_index(id, new_key, Some(new_loc));
        Ok(())
    }

    /// Rewrites a table's catalog tuple (after its counter or last page changed). The encoding
    /// keeps those fields fixed-width, so this is an in-place overwrite of a few bytes. A
    /// definition that grew past the room its page has (ALTER TABLE ... ADD COLUMN) moves to a
    /// catalog page with room.
    pub fn write_table_def(&mut self, id: u32) -> Result<(), SqlError> {
        let def = self.table(id)?.clone();
        let bytes = encode_table_def(&def);
        self.check_table_def_size(&def, &bytes)?;
        if self
            .page_mut(def.location.page)?
            .replace(def.location.slot, &bytes)
        {
            return Ok(());
        }
        self.page_mut(def.location.page)?.delete(def.location.slot);
        let location = self.place_catalog_tuple(&bytes)?;
        if let Some(d) = self.catalog_mut().tables.get_mut(&id) {
            d.location = location;
        }
        Ok(())
    }

    fn check_table_def_size(&self, def: &TableDef, bytes: &[u8]) -> Result<(), SqlError> {
        if bytes.len() > self.format.max_tuple_size() {
            return Err(SqlError::new(
                ErrorKind::TooLarge,
                format!(
                    "the definition of table \"{}\" is too large for a catalog page ({} bytes, at most {})",
                    def.schema.name,
                    bytes.len(),
                    self.format.max_tuple_size()
                ),
            ));
        }
        Ok(())
    }

    /// Puts a catalog tuple in the first catalog page with room, else in a new catalog page at
    /// the end of the chain.
    fn place_catalog_tuple(&mut self, bytes: &[u8]) -> Result<RowLocation, SqlError> {
        let mut n = 0;
        let mut seen = BTreeSet::new();
        loop {
            if !seen.insert(n) {
                return Err(corrupt("catalog chain loops".into()));
            }
            if self.page(n)?.can_fit(bytes.len()) {
                let slot = self.page_mut(n)?.insert(bytes).unwrap_or(0);
                return Ok(RowLocation { page: n, slot });
            }
            match self.page(n)?.next_page() {
                Some(next) => n = next,
                None => {
                    let fresh = self.allocate(PageKind::Catalog, 0)?;
                    self.page_mut(n)?.set_next_page(Some(fresh));
                    let slot = self.page_mut(fresh)?.insert(bytes).unwrap_or(0);
                    return Ok(RowLocation { page: fresh, slot });
                }
            }
        }
    }

    /// Gives a table a new schema and rewrites its rows in that shape: `rows` holds every row
    /// of the table, where it is now and its values in the new schema's column order (the
    /// key unchanged). A row that no longer fits its page moves.
    pub fn alter_table(
        &mut self,
        id: u32,
        schema: TableSchema,
        rows: &[(RowLocation, Vec<Value>)],
    ) -> Result<(), SqlError> {
        if let Some(d) = self.catalog_mut().tables.get_mut(&id) {
            d.schema = schema;
        }
        self.write_table_def(id)?;
        let def = self.table(id)?.clone();
        let tuples = rows
            .iter()
            .map(|(loc, values)| Ok((*loc, values, self.encode_checked(&def, values)?)))
            .collect::<Result<Vec<_>, SqlError>>()?;
        for (loc, values, tuple) in tuples {
            if self.page_mut(loc.page)?.replace(loc.slot, &tuple) {
                continue;
            }
            self.page_mut(loc.page)?.delete(loc.slot);
            let moved = self.place(id, &tuple)?;
            let key = values[def.schema.primary_key].clone();
            self.set_index(id, key, Some(moved));
        }
        Ok(())
    }

    pub fn set_next_auto_increment(&mut self, id: u32, next: i64) -> Result<(), SqlError> {
        match self.catalog().tables.get(&id) {
            Some(d) if d.next_auto_increment != next => {}
            _ => return Ok(()),
        }
        if let Some(d) = self.catalog_mut().tables.get_mut(&id) {
            d.next_auto_increment = next;
        }
        self.write_table_def(id)
    }

    /// Creates a table: a first heap page and a catalog tuple. Returns the table id.
    pub fn create_table(&mut self, schema: TableSchema) -> Result<u32, SqlError> {
        let id = self.catalog().next_table_id();
        if id > MAX_TABLES {
            return Err(SqlError::new(
                ErrorKind::TooLarge,
                format!("too many tables (at most {MAX_TABLES})"),
            ));
        }
        let first = self.allocate(PageKind::Heap, id)?;
        let mut def = TableDef {
            id,
            schema,
            first_page: first,
            last_page: first,
            next_auto_increment: 1,
            location: RowLocation { page: 0, slot: 0 },
        };
        let bytes = encode_table_def(&def);
        self.check_table_def_size(&def, &bytes)?;
        let location = self.place_catalog_tuple(&bytes)?;
        def.location = location;
        self.catalog_mut().tables.insert(id, def);
        // A new table starts with an empty index.
        if let Some(undo) = &mut self.overlay.undo {
            let before = self.overlay.index_changes.get(&id).cloned();
            undo.index
                .push(IndexUndo::Table(id, before.unwrap_or_default()));
        }
        self.overlay.base_indexes.remove(&id);
        self.overlay.index_changes.insert(id, BTreeMap::new());
        Ok(id)
    }
}

/// Which chain each page is in, as `load` claims them: each page in at most one chain.
struct Owners {
    owner: Vec<Option<u32>>,
    claimed: usize,
}

impl Owners {
    fn new(pages: usize) -> Owners {
        Owners {
            owner: vec![None; pages],
            claimed: 0,
        }
    }

    fn claim(&mut self, n: u32, table: u32) -> Result<(), String> {
        let Some(owner) = self.owner.get_mut(n as usize) else {
            return Err(format!("chain points at page {n}, past the end"));
        };
        if let Some(prev) = owner.replace(table) {
            return Err(format!(
                "page {n} is in two chains (tables {prev} and {table})"
            ));
        }
        self.claimed += 1;
        Ok(())
    }

    /// Every page belongs to some chain.
    fn check_all_claimed(&self) -> Result<(), String> {
        if self.claimed != self.owner.len() {
            let stray = self.owner.iter().position(Option::is_none).unwrap_or(0);
            return Err(format!("page {stray} belongs to no chain"));
        }
        Ok(())
    }
}

/// What the catalog was before some pages changed, so that catalog tuples that did not change
/// (or changed in their fixed-width prefix only) need not be decoded again.
struct CatalogBefore<'a> {
    defs: SmallMap<RowLocation, &'a TableDef>,
    changed: &'a Changed<'a>,
}

impl<'a> CatalogBefore<'a> {
    fn new(catalog: &'a Catalog, changed: &'a Changed<'a>) -> Self {
        // Inserted one by one, not collected and sorted: each sort instance is sizeable code
        // in the wasm binary.
        let mut defs = SmallMap::default();
        for d in catalog.tables.values() {
            defs.insert(d.location, d);
        }
        CatalogBefore { defs, changed }
    }

    /// The tuple at `loc` before the change and the definition it decoded to, if it was a
    /// catalog tuple. `pages` are the new pages (a page not in `changed` is as it was).
    fn tuple<'p>(&self, pages: &'p PageList, loc: RowLocation) -> Option<(&'p [u8], &'a TableDef)>
    where
        'a: 'p,
    {
        let page: &'p Page = match changed_before(self.changed, loc.page) {
            Some(before) => before?,
            None => pages.get(loc.page as usize)?.as_ref(),
        };
        Some((page.tuple(loc.slot)?, *self.defs.get(&loc)?))
    }
}

/// Walks the catalog chain from page 0, claiming its pages; decodes the table definitions
/// into `catalog` when given one (with `before`, reusing what did not change).
fn walk_catalog(
    pages: &PageList,
    owners: &mut Owners,
    mut catalog: Option<&mut Catalog>,
    before: Option<&CatalogBefore<'_>>,
) -> Result<(), String> {
    let mut next = Some(0u32);
    while let Some(n) = next {
        owners.claim(n, 0)?;
        let page = &pages[n as usize];
        if page.kind() != Some(PageKind::Catalog) {
            return Err(format!(
                "page {n} is in the catalog chain but is not a catalog page"
            ));
        }
        if let Some(catalog) = catalog.as_deref_mut() {
            for (slot, t) in page.tuples() {
                let loc = RowLocation { page: n, slot };
                let def = match before.and_then(|b| b.tuple(pages, loc)) {
                    Some((old_t, old_def)) => decode_table_def_after(t, old_t, old_def),
                    None => decode_table_def(t, loc),
                };
                let def = def.map_err(|e| format!("catalog page {n} slot {slot}: {e}"))?;
                if catalog.tables.contains_key(&def.id) || def.id == 0 {
                    return Err(format!("table id {} appears twice", def.id));
                }
                catalog.tables.insert(def.id, def);
            }
        }
        next = page.next_page();
    }
    Ok(())
}

/// Walks a table's heap chain, claiming its pages and checking they are its heap pages and
/// that the chain ends where the definition says; `visit` sees each page.
fn walk_table(
    pages: &PageList,
    owners: &mut Owners,
    def: &TableDef,
    mut visit: impl FnMut(u32, &Page) -> Result<(), String>,
) -> Result<(), String> {
    let mut next = Some(def.first_page);
    let mut last = def.first_page;
    while let Some(n) = next {
        owners.claim(n, def.id)?;
        let page = &pages[n as usize];
        if page.kind() != Some(PageKind::Heap) || page.table() != def.id {
            return Err(format!(
                "page {n} in the chain of {} is not its heap page",
                def.schema.name
            ));
        }
        visit(n, page)?;
        last = n;
        next = page.next_page();
    }
    if last != def.last_page {
        return Err(format!(
            "table {} records last page {} but its chain ends at {last}",
            def.schema.name, def.last_page
        ));
    }
    Ok(())
}

/// The keys of a heap page's rows with their locations, checked to be not NULL.
fn page_keys(
    format: FormatVersion,
    def: &TableDef,
    n: u32,
    page: &Page,
    mut each: impl FnMut(Value, RowLocation) -> Result<(), String>,
) -> Result<(), String> {
    for (slot, t) in page.tuples() {
        let key =
            decode_key(format, &def.schema, t).map_err(|e| format!("page {n} slot {slot}: {e}"))?;
        if key.is_null() {
            return Err(format!("page {n} slot {slot}: NULL key"));
        }
        each(key, RowLocation { page: n, slot })?;
    }
    Ok(())
}

/// Rebuilds catalog and key indexes from pages, checking the chains as it goes: each page in
/// at most one chain, of the right kind and owner, every row decodable, keys unique and not
/// NULL.
pub fn load(format: FormatVersion, pages: &PageList) -> Result<Derived, String> {
    let mut owners = Owners::new(pages.len());
    let mut catalog = Catalog::default();
    walk_catalog(pages, &mut owners, Some(&mut catalog), None)?;
    let mut indexes = BTreeMap::new();
    for def in catalog.tables.values() {
        let mut index = KeyIndex::new();
        walk_table(pages, &mut owners, def, |n, page| {
            page_keys(format, def, n, page, |key, loc| {
                if index.contains_key(&key) {
                    return Err(format!("key {} twice in {}", key.to_sql(), def.schema.name));
                }
                index.insert(key, loc);
                Ok(())
            })
        })?;
        indexes.insert(def.id, Arc::new(index));
    }
    owners.check_all_claimed()?;
    Ok(Derived {
        catalog: Arc::new(catalog),
        indexes,
        free: Arc::new(FreeSpace::build(pages)),
    })
}

/// How one table's index changes when some pages changed.
#[derive(Debug)]
enum IndexPlan {
    /// A new table (or one whose definition changed shape): its index from scratch.
    Rebuild(KeyIndex),
    /// Keys to forget (the rows of its changed pages as they were), then keys to add (the
    /// rows of its changed pages as they are).
    Delta {
        removed: Vec<Value>,
        added: BTreeMap<Value, RowLocation>,
    },
}

/// What [`Derived`] becomes after some pages changed, worked out and checked without touching
/// it (see [`derive_incrementally`]).
#[derive(Debug)]
pub struct DerivedPlan {
    catalog: Option<Catalog>,
    /// The pages whose free-space entries are to be brought up to date.
    changed: Vec<u32>,
    /// Per table, in table-id order (a list, not a map: it is only built and walked once).
    indexes: Vec<(u32, IndexPlan)>,
}

/// Works out the derived state of `pages` from `old`, the derived state of the same pages
/// before the ones in `changed` changed (`changed` lists each such page with its old contents,
/// `None` for a page that is new). Only the changed pages are decoded, and the catalog only if
/// a catalog page changed; the chains are still walked (page headers only) and checked as
/// [`load`] checks them.
///
/// `Ok` means `load(format, pages)` would succeed with the same result, provided `old` was
/// `load` of the old pages. `Err` means the incremental path gave up (the pages may or may not
/// load): the caller falls back to [`load`], which then has the last word, and its message.
pub fn plan_incremental(
    format: FormatVersion,
    pages: &PageList,
    old: &Derived,
    changed: &Changed<'_>,
) -> Result<DerivedPlan, String> {
    let is_catalog = |p: &Page| p.kind() == Some(PageKind::Catalog);
    let catalog_changed = changed.iter().any(|&(n, before)| {
        before.is_some_and(is_catalog) || pages.get(n as usize).is_some_and(|p| is_catalog(p))
    });
    let mut owners = Owners::new(pages.len());
    let mut new_catalog = None;
    if catalog_changed {
        let mut c = Catalog::default();
        let before = CatalogBefore::new(&old.catalog, changed);
        walk_catalog(pages, &mut owners, Some(&mut c), Some(&before))?;
        new_catalog = Some(c);
    } else {
        walk_catalog(pages, &mut owners, None, None)?;
    }
    let catalog = new_catalog.as_ref().unwrap_or(&old.catalog);
    let extended = chains_only_extended(pages, old, catalog, changed);
    let mut indexes = Vec::new();
    for def in catalog.tables.values() {
        let base = old.indexes.get(&def.id).filter(|_| {
            old.catalog
                .tables
                .get(&def.id)
                .is_some_and(|d| d.schema == def.schema)
        });
        let plan = match base {
            None => {
                let mut index = KeyIndex::new();
                walk_table(pages, &mut owners, def, |n, page| {
                    page_keys(format, def, n, page, |key, loc| {
                        match index.insert(key, loc) {
                            Some(_) => Err("duplicate key".into()),
                            None => Ok(()),
                        }
                    })
                })?;
                IndexPlan::Rebuild(index)
            }
            Some(base) => {
                // The rows the changed pages held for this table. In the old (valid) state a
                // heap page of this table is in its chain, and every row of it is indexed.
                // Key to where it was (which the old index must agree with).
                let mut removed: BTreeMap<Value, RowLocation> = BTreeMap::new();
                for &(n, before) in changed {
                    let Some(before) = before else { continue };
                    if before.kind() != Some(PageKind::Heap) || before.table() != def.id {
                        continue;
                    }
                    page_keys(format, def, n, before, |key, loc| {
                        if base.get(&key) != Some(&loc) {
                            return Err("the old index does not match the old pages".into());
                        }
                        removed.insert(key, loc);
                        Ok(())
                    })?;
                }
                let mut added = BTreeMap::new();
                let mut visit = |n: u32, page: &Page| {
                    if changed_before(changed, n).is_none() {
                        return Ok(());
                    }
                    page_keys(format, def, n, page, |key, loc| {
                        let taken = !removed.contains_key(&key) && base.contains_key(&key);
                        if taken || added.insert(key, loc).is_some() {
                            return Err("duplicate key".into());
                        }
                        Ok(())
                    })
                };
                if extended {
                    // Every heap page of the table is in its chain: visit the changed ones.
                    for &(n, _) in changed {
                        let page = &pages[n as usize];
                        if page.kind() == Some(PageKind::Heap) && page.table() == def.id {
                            visit(n, page)?;
                        }
                    }
                } else {
                    walk_table(pages, &mut owners, def, visit)?;
                }
                // A row that stayed where it was (its page changed around it) needs no
                // change in the index.
                added.retain(|key, loc| {
                    let stayed = removed.get(key) == Some(loc);
                    if stayed {
                        removed.remove(key);
                    }
                    !stayed
                });
                IndexPlan::Delta {
                    removed: removed.into_keys().collect(),
                    added,
                }
            }
        };
        indexes.push((def.id, plan));
    }
    if !extended {
        owners.check_all_claimed()?;
    }
    Ok(DerivedPlan {
        catalog: new_catalog,
        changed: changed.iter().map(|&(n, _)| n).collect(),
        indexes,
    })
}

/// Whether the heap chains after the change are the old (valid) ones, at most extended at
/// their ends by new pages, and end where the (new) catalog says: then they are valid as a
/// walk would find them, and replay need not walk them (a walk reads every page header, a
/// cost that grows with the tables). `false` sends [`plan_incremental`] to the walk.
///
/// Why it suffices, given `old` was `load` of the old pages: a changed old page keeps its
/// kind and owner, and its next-page link unless it ended its chain and now links to a new
/// page; each new page is linked to exactly once, by a page of its own kind and owner, and
/// links only to a higher new page (so no loops, and every new page hangs off an old chain
/// end); no table is new or changes shape (those are rebuilt by walking); each table's chain
/// starts where it did and ends where its definition says.
fn chains_only_extended(
    pages: &PageList,
    old: &Derived,
    catalog: &Catalog,
    changed: &Changed<'_>,
) -> bool {
    let new_count = changed.iter().filter(|(_, b)| b.is_none()).count();
    let Some(old_len) = pages.len().checked_sub(new_count) else {
        return false;
    };
    let owner = |p: &Page| (p.kind(), p.table());
    let mut targets = BTreeSet::new();
    let link = |from: &Page, to: u32, targets: &mut BTreeSet<u32>| {
        (to as usize) >= old_len
            && pages
                .get(to as usize)
                .is_some_and(|t| owner(t) == owner(from))
            && targets.insert(to)
    };
    for &(n, before) in changed {
        let Some(now) = pages.get(n as usize) else {
            return false;
        };
        match before {
            Some(before) => {
                if (n as usize) >= old_len || owner(before) != owner(now) {
                    return false;
                }
                match (before.next_page(), now.next_page()) {
                    (a, b) if a == b => {}
                    (None, Some(to)) => {
                        if !link(now, to, &mut targets) {
                            return false;
                        }
                    }
                    _ => return false,
                }
            }
            None => {
                if (n as usize) < old_len
                    || !matches!(now.kind(), Some(PageKind::Heap | PageKind::Catalog))
                {
                    return false;
                }
                if let Some(to) = now.next_page() {
                    if to <= n || !link(now, to, &mut targets) {
                        return false;
                    }
                }
            }
        }
    }
    if targets.len() != new_count || catalog.tables.len() != old.catalog.tables.len() {
        return false;
    }
    catalog.tables.values().all(|def| {
        let Some(was) = old.catalog.tables.get(&def.id) else {
            return false;
        };
        if was.schema != def.schema || was.first_page != def.first_page {
            return false;
        }
        // The old end, then the new pages appended to it.
        let mut end = was.last_page;
        for _ in 0..=new_count {
            match pages.get(end as usize).and_then(|p| p.next_page()) {
                Some(next) => end = next,
                None => return end == def.last_page,
            }
        }
        false
    })
}

/// Carries out a plan from [`plan_incremental`] on the `old` state it was made from, for the
/// (new) `pages` it was made with. A table's index is changed in place when `old` holds the
/// only reference to it.
pub fn apply_plan(old: Derived, plan: DerivedPlan, pages: &PageList) -> Derived {
    let Derived {
        catalog,
        indexes: mut old_indexes,
        mut free,
    } = old;
    if !plan.changed.is_empty() {
        let f = Arc::make_mut(&mut free);
        for n in plan.changed {
            f.set(n, pages.get(n as usize).map(|p| &**p));
        }
    }
    let catalog = plan.catalog.map_or(catalog, Arc::new);
    let mut indexes = BTreeMap::new();
    for (id, p) in plan.indexes {
        let index = match p {
            IndexPlan::Rebuild(index) => Arc::new(index),
            IndexPlan::Delta { removed, added } => {
                let mut index = old_indexes.remove(&id).unwrap_or_default();
                if !removed.is_empty() || !added.is_empty() {
                    let i = Arc::make_mut(&mut index);
                    for key in &removed {
                        i.remove(key);
                    }
                    i.extend(added);
                }
                index
            }
        };
        indexes.insert(id, index);
    }
    Derived {
        catalog,
        indexes,
        free,
    }
}
