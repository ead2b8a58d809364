//! The real binary, run as a process: the operators' CLI and start-up.

mod admin;
mod dns;
mod help;
mod operations;
mod startup;
mod support;
