//! The use cases' one clock read. The domain takes times as values, so this
//! is the only place a use case asks the system what time it is.

use std::time::SystemTime;

use crate::domain::time::UnixTime;

pub fn now() -> UnixTime {
    UnixTime::from_system(SystemTime::now())
}
