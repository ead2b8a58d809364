//! OCS and JSON: the envelope Nextcloud's OCS API wraps every reply in, and
//! the request helpers the JSON-speaking app adapters share.

mod calls;
mod envelope;

pub use calls::{parse_json, read_body};
pub use envelope::unwrap_ocs;
