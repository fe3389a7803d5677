//! Pure rules of the product: no clock, socket or database in here.

pub mod events;
pub mod gift;
pub mod names;
pub mod quiz;
pub mod room;
pub mod sessions;
pub mod tldraw;
