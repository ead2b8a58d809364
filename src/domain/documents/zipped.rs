//! The OOXML and ODF containers: zip archives read entry by entry, each
//! entry through a reader that stops at the bound. Both the size an entry
//! declares and the bytes it actually inflates to are checked, since a
//! crafted archive can declare 1 KiB and inflate to gigabytes.

use std::io::{self, Cursor, Read};

use zip::ZipArchive;

use super::{DocumentError, DocumentKind, Limits};

/// What all entries of one document may still inflate to.
pub(super) struct Budget {
    remaining: u64,
    total: u64,
    entry: u64,
}

impl Budget {
    pub fn new(limits: &Limits) -> Self {
        Self {
            remaining: limits.total_inflated,
            total: limits.total_inflated,
            entry: limits.entry_inflated,
        }
    }
}

pub(super) struct Archive<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
    kind: DocumentKind,
    budget: Budget,
}

/// Reads an entry and notes when the bound stopped it, so the caller can
/// tell a bomb from a damaged file whatever the XML parser makes of the
/// error.
pub(super) struct Capped<R> {
    inner: R,
    /// Bytes this entry may still produce.
    allowed: u64,
    read: u64,
    pub exceeded: bool,
    /// The entry inflated past its declared size (the zip reader refuses
    /// that with an I/O error, which is a lie about the size, not damage).
    lied: bool,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.exceeded {
            return Err(io::Error::other("decompression bound reached"));
        }
        // One byte past the allowance tells "exactly at the bound" from "over it".
        let room = (self.allowed - self.read).saturating_add(1);
        let want = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let n = match self.inner.read(&mut buf[..want]) {
            Ok(n) => n,
            Err(e) => {
                // The zip reader's own size check; its data is dropped with
                // the error, so the count here may still be under the size.
                self.lied = e.kind() == io::ErrorKind::InvalidData
                    && e.to_string().contains("declared uncompressed size");
                return Err(e);
            }
        };
        self.read += n as u64;
        if self.read > self.allowed {
            self.exceeded = true;
            return Err(io::Error::other("decompression bound reached"));
        }
        Ok(n)
    }
}

impl<'a> Archive<'a> {
    pub fn open(
        bytes: &'a [u8],
        kind: DocumentKind,
        limits: &Limits,
    ) -> Result<Self, DocumentError> {
        let zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
            DocumentError::malformed(kind, format!("not a valid zip container ({e})"))
        })?;
        if zip.len() > limits.entries {
            return Err(DocumentError::TooManyEntries {
                count: zip.len(),
                limit: limits.entries,
            });
        }
        Ok(Self {
            zip,
            kind,
            budget: Budget::new(limits),
        })
    }

    pub fn kind(&self) -> DocumentKind {
        self.kind
    }

    pub fn has(&self, name: &str) -> bool {
        self.zip.index_for_name(name).is_some()
    }

    /// Runs `read` over the entry's inflated bytes, within the bounds; the
    /// bytes it consumed are taken from the document's budget.
    pub fn with_entry<T>(
        &mut self,
        name: &str,
        read: impl FnOnce(&mut Capped<&mut dyn Read>) -> Result<T, DocumentError>,
    ) -> Result<T, DocumentError> {
        let kind = self.kind;
        let entry_limit = self.budget.entry;
        let mut file = self
            .zip
            .by_name(name)
            .map_err(|e| DocumentError::malformed(kind, format!("{name}: {e}")))?;
        let allowed = entry_limit.min(self.budget.remaining);
        let bomb = |limit: u64, what: &str| DocumentError::Inflates {
            what: what.to_string(),
            limit,
        };
        // The declared size is checked first: it costs nothing and catches
        // the honest bomb before any inflating.
        if file.size() > entry_limit {
            return Err(bomb(entry_limit, &format!("the entry {name}")));
        }
        if file.size() > self.budget.remaining {
            return Err(bomb(self.budget.total, "the document"));
        }
        let declared = file.size();
        let mut capped = Capped {
            inner: &mut file as &mut dyn Read,
            allowed,
            read: 0,
            exceeded: false,
            lied: false,
        };
        let result = read(&mut capped);
        let (read, exceeded, lied) = (capped.read, capped.exceeded, capped.lied);
        self.budget.remaining = self.budget.remaining.saturating_sub(read);
        if lied {
            return Err(bomb(
                entry_limit,
                &format!("the entry {name} (it inflates past its declared {declared} bytes)"),
            ));
        }
        if exceeded {
            return Err(if allowed == entry_limit {
                bomb(entry_limit, &format!("the entry {name}"))
            } else {
                bomb(self.budget.total, "the document")
            });
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_capped_reader_stops_one_byte_past_the_allowance() {
        let data = vec![7u8; 100];
        let mut slice: &[u8] = &data;
        let mut capped = Capped {
            inner: &mut slice as &mut dyn Read,
            allowed: 40,
            read: 0,
            exceeded: false,
            lied: false,
        };
        let mut out = Vec::new();
        assert!(capped.read_to_end(&mut out).is_err());
        assert!(capped.exceeded);
        assert!(out.len() <= 40, "{}", out.len());

        let mut exact: &[u8] = &data[..40];
        let mut capped = Capped {
            inner: &mut exact as &mut dyn Read,
            allowed: 40,
            read: 0,
            exceeded: false,
            lied: false,
        };
        let mut out = Vec::new();
        capped.read_to_end(&mut out).unwrap();
        assert_eq!(out.len(), 40);
        assert!(!capped.exceeded);
    }
}
