//! Webhook deliveries received, and registrations reconciled.

mod receiver;
mod reconcile;
