//! REST handlers, one module per resource.

pub mod accounts;
pub mod assets;
pub mod capsules;
pub mod large_bodies;
pub mod quizzes;
pub mod reports;
pub mod rooms;
pub mod samples;
pub mod sessions;
