//! Pratico Live: live training sessions over tldraw capsules.
//!
//! A tour, from the bottom up:
//! - [`domain`]: the rules, pure (names, quizzes, tldraw documents, GIFT, events, sessions);
//! - [`export`]: a session report as JSON, CSV, XLSX or a printable HTML page;
//! - [`tlschema`]: tldraw's own schema (validators, migrations) run by an embedded JS engine;
//! - [`store`]: SQLite or PostgreSQL behind one set of repository functions;
//! - [`live`]: one actor per running room, the WebSocket connections, resume tokens;
//! - [`http`]: the REST API, the live endpoint, health and metrics endpoints;
//! - [`admin`]: `pratico admin`, operating the database with the server running or stopped;
//! - [`app`]: wiring, start-up and graceful shutdown; [`config`], [`telemetry`], [`limits`]
//!   (the open-file limit) and [`compression`] beside it.

pub mod admin;
pub mod app;
pub mod compression;
pub mod config;
pub mod domain;
pub mod export;
pub mod http;
pub mod limits;
pub mod live;
pub mod store;
pub mod telemetry;
pub mod tlschema;
