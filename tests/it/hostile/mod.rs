//! A Nextcloud that attacks: replies too large to hold (with and without a
//! Content-Length), hrefs and redirects pointing at another listener that
//! must never hear from us, and what If-Match can and cannot promise.

mod bounds;
mod if_match;
mod origin;
mod stand_in;
