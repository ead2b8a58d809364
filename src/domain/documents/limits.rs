//! The bounds every document reader keeps. Defaults are sized for real
//! office files (a 300-page report, a workbook of a few sheets) while keeping
//! one reading's memory to a few hundred MiB at worst.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest file downloaded and parsed.
    pub document_bytes: u64,
    /// Most bytes one archive entry (or PDF stream) may decompress to.
    pub entry_inflated: u64,
    /// Most bytes all entries (or streams) of one document may decompress to.
    pub total_inflated: u64,
    /// Most entries an archive may list.
    pub entries: usize,
    /// Most pages, sheets or slides read in one call.
    pub units_per_call: u32,
    /// Most bytes of text returned in one call.
    pub text_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            document_bytes: 25 * 1024 * 1024,
            entry_inflated: 64 * 1024 * 1024,
            total_inflated: 256 * 1024 * 1024,
            entries: 10_000,
            units_per_call: 50,
            text_bytes: 1024 * 1024,
        }
    }
}
