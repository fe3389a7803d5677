//! Why the registry could not serve a request to a live room.

use crate::domain::room::RoomError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// No such live room: never launched, or its session has ended (its actor stopped for
    /// good before it could answer).
    #[error("no such live room")]
    NotFound,
    /// The room itself refused; its code says why.
    #[error(transparent)]
    Refused(#[from] RoomError),
    /// The room could not be loaded: the database failed.
    #[error("the room could not be loaded: {0}")]
    Store(StoreError),
}

impl From<StoreError> for LiveError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::NotFound,
            error => Self::Store(error),
        }
    }
}
