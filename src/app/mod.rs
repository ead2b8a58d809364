//! Configuration, wiring and serving.
