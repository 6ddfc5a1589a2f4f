//! Rows and table definitions on top of pages: heap chains per table, the catalog chain from
//! page 0, and the in-memory key index derived from them.
//!
//! [`Store`] works copy-on-write: it reads the durable pages of a database through an
//! [`Overlay`] that holds the pages a transaction has changed (and new ones). Nothing here is
//! durable until a commit turns the overlay into page changes. This module knows nothing of
//! SQL text, sessions or replication.

use super::catalog::{Catalog, RowLocation, TableDef, TableSchema};
use super::codec::{decode_row, decode_table_def, encode_row, encode_table_def};
use super::error::{ErrorKind, SqlError};
use super::page::{FormatVersion, Page, PageKind};
use super::value::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Primary key to tuple location, for one table.
pub type KeyIndex = BTreeMap<Value, RowLocation>;

/// The most pages a lab database may have (16 MiB of 256-byte pages).
pub const MAX_PAGES: u32 = 65_536;
/// The most tables (V16 stores a table id in 16 bits).
pub const MAX_TABLES: u32 = 1_000;

/// State derived from pages: catalog and key indexes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Derived {
    pub catalog: Catalog,
    pub indexes: BTreeMap<u32, KeyIndex>,
}

/// A transaction's (or statement's) private view: changed pages and derived state.
#[derive(Clone, Debug)]
pub struct Overlay {
    pub pages: BTreeMap<u32, Page>,
    pub page_count: u32,
    pub derived: Derived,
}

impl Overlay {
    pub fn new(base_pages: u32, derived: &Derived) -> Overlay {
        Overlay {
            pages: BTreeMap::new(),
            page_count: base_pages,
            derived: derived.clone(),
        }
    }
}

/// Reads through an overlay to the durable pages; writes go to the overlay.
pub struct Store<'a> {
    pub base: &'a [Page],
    pub format: FormatVersion,
    pub overlay: &'a mut Overlay,
}

fn corrupt(what: String) -> SqlError {
    SqlError::new(ErrorKind::Corruption, what)
}

impl Store<'_> {
    pub fn page(&self, n: u32) -> Result<&Page, SqlError> {
        self.overlay
            .pages
            .get(&n)
            .or_else(|| self.base.get(n as usize))
            .ok_or_else(|| corrupt(format!("page {n} does not exist")))
    }

    fn page_mut(&mut self, n: u32) -> Result<&mut Page, SqlError> {
        if !self.overlay.pages.contains_key(&n) {
            let p = self.page(n)?.clone();
            self.overlay.pages.insert(n, p);
        }
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
        self.overlay
            .pages
            .insert(n, Page::new(self.format, kind, table));
        Ok(n)
    }

    pub fn catalog(&self) -> &Catalog {
        &self.overlay.derived.catalog
    }

    pub fn table(&self, id: u32) -> Result<&TableDef, SqlError> {
        self.catalog()
            .tables
            .get(&id)
            .ok_or_else(|| corrupt(format!("table {id} vanished")))
    }

    pub fn index(&self, id: u32) -> Option<&KeyIndex> {
        self.overlay.derived.indexes.get(&id)
    }

    fn index_mut(&mut self, id: u32) -> &mut KeyIndex {
        self.overlay.derived.indexes.entry(id).or_default()
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

    pub fn lookup(&self, id: u32, key: &Value) -> Option<RowLocation> {
        self.index(id)?.get(key).copied()
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

    /// Puts a tuple in the first page of the chain with room, or in a new page at the end.
    fn place(&mut self, id: u32, tuple: &[u8]) -> Result<RowLocation, SqlError> {
        let def = self.table(id)?.clone();
        let mut next = Some(def.first_page);
        let mut seen = BTreeSet::new();
        while let Some(n) = next {
            if !seen.insert(n) {
                return Err(corrupt(format!("heap chain of {} loops", def.schema.name)));
            }
            let page = self.page(n)?;
            if page.can_fit(tuple.len()) {
                let slot = self.page_mut(n)?.insert(tuple);
                let slot = slot.ok_or_else(|| corrupt(format!("page {n} lied about space")))?;
                return Ok(RowLocation { page: n, slot });
            }
            next = page.next_page();
        }
        let n = self.allocate(PageKind::Heap, id)?;
        self.page_mut(def.last_page)?.set_next_page(Some(n));
        if let Some(d) = self.overlay.derived.catalog.tables.get_mut(&id) {
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
        self.index_mut(id).insert(key, loc);
        Ok(loc)
    }

    /// Removes the row with `key`; returns its values.
    pub fn delete(&mut self, id: u32, key: &Value) -> Result<Vec<Value>, SqlError> {
        let loc = self
            .lookup(id, key)
            .ok_or_else(|| corrupt(format!("key {} not in index", key.to_sql())))?;
        let old = self.read(id, loc)?;
        self.page_mut(loc.page)?.delete(loc.slot);
        self.index_mut(id).remove(key);
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
        let index = self.index_mut(id);
        index.remove(old_key);
        index.insert(new_key, new_loc);
        Ok(())
    }

    /// Rewrites a table's catalog tuple (after its counter or last page changed). The encoding
    /// keeps those fields fixed-width, so this is an in-place overwrite of a few bytes.
    pub fn write_table_def(&mut self, id: u32) -> Result<(), SqlError> {
        let def = self.table(id)?.clone();
        let bytes = encode_table_def(&def);
        if !self
            .page_mut(def.location.page)?
            .replace(def.location.slot, &bytes)
        {
            return Err(corrupt(format!(
                "catalog entry of {} does not fit",
                def.schema.name
            )));
        }
        Ok(())
    }

    pub fn set_next_auto_increment(&mut self, id: u32, next: i64) -> Result<(), SqlError> {
        match self.overlay.derived.catalog.tables.get_mut(&id) {
            Some(d) if d.next_auto_increment != next => d.next_auto_increment = next,
            _ => return Ok(()),
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
        // First catalog page with room, else a new catalog page at the end of the chain.
        let mut n = 0;
        let mut seen = BTreeSet::new();
        let location = loop {
            if !seen.insert(n) {
                return Err(corrupt("catalog chain loops".into()));
            }
            if self.page(n)?.can_fit(bytes.len()) {
                let slot = self.page_mut(n)?.insert(&bytes).unwrap_or(0);
                break RowLocation { page: n, slot };
            }
            match self.page(n)?.next_page() {
                Some(next) => n = next,
                None => {
                    let fresh = self.allocate(PageKind::Catalog, 0)?;
                    self.page_mut(n)?.set_next_page(Some(fresh));
                    let slot = self.page_mut(fresh)?.insert(&bytes).unwrap_or(0);
                    break RowLocation { page: fresh, slot };
                }
            }
        };
        def.location = location;
        self.overlay.derived.catalog.tables.insert(id, def);
        self.overlay.derived.indexes.insert(id, KeyIndex::new());
        Ok(id)
    }
}

/// Rebuilds catalog and key indexes from pages, checking the chains as it goes: each page in
/// at most one chain, of the right kind and owner, every row decodable, keys unique and not
/// NULL.
pub fn load(format: FormatVersion, pages: &[Page]) -> Result<Derived, String> {
    let mut derived = Derived::default();
    let mut owner: BTreeMap<u32, u32> = BTreeMap::new();
    let mut claim = |n: u32, table: u32| -> Result<(), String> {
        if n as usize >= pages.len() {
            return Err(format!("chain points at page {n}, past the end"));
        }
        if let Some(prev) = owner.insert(n, table) {
            return Err(format!(
                "page {n} is in two chains (tables {prev} and {table})"
            ));
        }
        Ok(())
    };
    let mut next = Some(0u32);
    while let Some(n) = next {
        claim(n, 0)?;
        let page = &pages[n as usize];
        if page.kind() != Some(PageKind::Catalog) {
            return Err(format!(
                "page {n} is in the catalog chain but is not a catalog page"
            ));
        }
        for (slot, t) in page.tuples() {
            let def = decode_table_def(t, RowLocation { page: n, slot })
                .map_err(|e| format!("catalog page {n} slot {slot}: {e}"))?;
            if derived.catalog.tables.contains_key(&def.id) || def.id == 0 {
                return Err(format!("table id {} appears twice", def.id));
            }
            derived.catalog.tables.insert(def.id, def);
        }
        next = page.next_page();
    }
    for def in derived.catalog.tables.values() {
        let mut index = KeyIndex::new();
        let mut next = Some(def.first_page);
        let mut last = def.first_page;
        while let Some(n) = next {
            claim(n, def.id)?;
            let page = &pages[n as usize];
            if page.kind() != Some(PageKind::Heap) || page.table() != def.id {
                return Err(format!(
                    "page {n} in the chain of {} is not its heap page",
                    def.schema.name
                ));
            }
            for (slot, t) in page.tuples() {
                let values = decode_row(format, &def.schema, t)
                    .map_err(|e| format!("page {n} slot {slot}: {e}"))?;
                let key = values[def.schema.primary_key].clone();
                if key.is_null() {
                    return Err(format!("page {n} slot {slot}: NULL key"));
                }
                let loc = RowLocation { page: n, slot };
                if index.insert(key.clone(), loc).is_some() {
                    return Err(format!("key {} twice in {}", key.to_sql(), def.schema.name));
                }
            }
            last = n;
            next = page.next_page();
        }
        if last != def.last_page {
            return Err(format!(
                "table {} records last page {} but its chain ends at {last}",
                def.schema.name, def.last_page
            ));
        }
        derived.indexes.insert(def.id, index);
    }
    if owner.len() != pages.len() {
        let stray = (0..pages.len() as u32).find(|n| !owner.contains_key(n));
        return Err(format!("page {} belongs to no chain", stray.unwrap_or(0)));
    }
    Ok(derived)
}
