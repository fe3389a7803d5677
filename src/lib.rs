//! Pratico Live: live training sessions over tldraw capsules.
//!
//! A tour, from the bottom up:
//! - [`domain`]: the rules, pure (names, quizzes, tldraw documents, GIFT, events, sessions);
//! - [`store`]: SQLite or PostgreSQL behind one set of repository functions;
//! - [`http`]: the REST API, health and metrics endpoints;
//! - [`app`]: wiring, start-up and graceful shutdown; [`config`] and [`telemetry`] beside it.

pub mod app;
pub mod config;
pub mod domain;
pub mod http;
pub mod store;
pub mod telemetry;
