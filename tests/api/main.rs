//! The integration suite: one binary (it links once), one module per area. Every test starts
//! the real server on a free port over a fresh database; see `helpers`.

mod abuse;
mod accounts;
mod admin;
mod assets;
mod authz;
mod big_capsules;
mod canvas;
mod capsules;
mod codes;
mod crowd;
mod errors;
mod faults;
mod group_commit;
mod helpers;
mod hostile;
mod live;
mod live_client;
mod logout;
mod ops;
mod origin;
mod quiz;
mod quizzes;
mod reports;
mod restart;
mod rooms;
mod schema;
mod sessions;
mod snapshot;
mod web;
